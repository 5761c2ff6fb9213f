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
  /**
   * Stops it, keeps it down for `downMs` real ms (the outage being emulated), and starts it again on the same
   * port: empty, or with what it had when `appendOnly` was asked for.
   */
  restart(downMs?: number): Promise<void>;
}

export interface PrivateRedisOptions {
  /** @default 'redis-server' */
  bin?: string;
  /**
   * Keep every write in an append-only file (fsync on each), so a restart comes back with the data, as a
   * production Redis would. @default false: nothing persisted, a restart starts empty.
   */
  appendOnly?: boolean;
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

/**
 * The parent-death guard: redis-server runs under a small shell that stops it when this process is gone,
 * however it went (a tap timeout's SIGTERM, a SIGKILL), checked every GUARD_POLL_S. Without it a killed test
 * would leave its private server running. The shell also stops the server on SIGTERM (our own stop).
 */
const GUARD_POLL_S = 0.5;
const GUARD = `
bin=$1; shift
"$bin" "$@" & r=$!
trap 'kill $r 2>/dev/null; wait $r; exit 0' TERM INT
while kill -0 ${process.pid} 2>/dev/null && kill -0 $r 2>/dev/null; do sleep ${GUARD_POLL_S}; done
kill $r 2>/dev/null; wait $r
kill -0 ${process.pid} 2>/dev/null || rm -rf "$STORMLAB_REDIS_DIR"
`;

function launch(bin: string, port: number, dir: string, appendOnly: boolean): Promise<ChildProcess> {
  const child = spawn(
    'sh',
    [
      '-c',
      GUARD,
      'redis-guard',
      bin,
      ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
      // No RDB snapshots; AOF only when asked for (fsync'd on every write, so a restart loses nothing).
      ...(appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ],
    // The temp dir goes with a server whose parent died; a live parent removes it in stop().
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, STORMLAB_REDIS_DIR: dir } },
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

export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const { bin = REDIS_SERVER_BIN, appendOnly = false } = options;
  const dir = mkdtempSync(join(tmpdir(), 'stormlab-redis-'));
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      child = await launch(bin, port, dir, appendOnly);
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
    async restart(downMs = 0) {
      await stopChild(child);
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      child = await launch(bin, port, dir, appendOnly);
    },
  };
}
