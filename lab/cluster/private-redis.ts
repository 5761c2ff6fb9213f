import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private redis-server for tests and benches: its own port on 127.0.0.1, no persistence, its own temp dir,
 * never the system service. Restartable on the same port, so a test can take Redis away under live nodes.
 */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then waits for the exit). Safe to call twice. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (nothing was persisted). */
  restart(): Promise<void>;
}

export const REDIS_SERVER_BIN = 'redis-server';

/** True when a redis-server binary is on the PATH. */
export function redisServerAvailable(bin = REDIS_SERVER_BIN): boolean {
  const probe = spawnSync(bin, ['--version'], { stdio: 'ignore' });
  return probe.status === 0;
}

/** A port that was free a moment ago (the server is started right after, and retried if it was taken). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function launch(bin: string, port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    bin,
    // No RDB snapshots, no AOF: a restart starts empty, as an outage that loses Redis' memory would.
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.resume();
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited with ${code}: ${out.trim().slice(-300)}`)),
    );
  });
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export async function startPrivateRedis(bin = REDIS_SERVER_BIN): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'stormlab-redis-'));
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      child = await launch(bin, port, dir);
      break;
    } catch (err) {
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
  let stopped = false;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await stopChild(child);
      if (!stopped) rmSync(dir, { recursive: true, force: true });
      stopped = true;
    },
    async restart() {
      await stopChild(child);
      child = await launch(bin, port, dir);
    },
  };
}
