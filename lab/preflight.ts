import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, describeValue } from './config/config-error.js';
import type { LabOptions } from './config/parse-options.js';
import { resolveScenario } from './load/presets.js';

/**
 * Fails with a ConfigError unless `path` can be created or appended to (a folder: created and written
 * into). Probes by doing it, then removes whatever the probe made, so a refused run leaves nothing behind.
 */
export function checkWritable(path: string, option: string, folder = false): void {
  const refuse = (why: string): never => {
    throw new ConfigError(
      `option ${option}: ${describeValue(path)} cannot be written (${why}); allowed: a ${folder ? 'folder' : 'file'} path this user can write`,
    );
  };
  const existing = existsSync(path) ? statSync(path) : undefined;
  if (existing && folder && !existing.isDirectory()) refuse('not a folder');
  if (existing && !folder && existing.isDirectory()) refuse('is a folder');
  let made: string | undefined;
  try {
    made = makeFolders(folder ? path : dirname(path));
    const probe = folder ? join(path, `.stormlab-probe-${process.pid}`) : path;
    if (existing && !folder) {
      closeSync(openSync(probe, 'a'));
    } else {
      closeSync(openSync(probe, 'wx'));
      unlinkSync(probe);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    refuse(
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'a part of the path is a file, not a folder'
        : (code ?? String(err)),
    );
  } finally {
    if (made) rmSync(made, { recursive: true, force: true });
  }
}

/**
 * Creates `dir` and any missing parents one level at a time; returns the topmost folder it made (removing
 * that removes all it made), or undefined if `dir` existed. Not `mkdirSync(dir, { recursive: true })`: on
 * Node 20 that never returns for a path under /proc.
 */
function makeFolders(dir: string): string | undefined {
  const missing: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at)) {
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  let made: string | undefined;
  try {
    for (const folder of missing.reverse()) {
      mkdirSync(folder);
      made ??= folder;
    }
  } catch (err) {
    if (made) rmSync(made, { recursive: true, force: true });
    throw err;
  }
  return made;
}

/** Fails with a ConfigError if host:port cannot be listened on (in use, or not an address of this host). */
export function checkPortFree(host: string, port: number, option = '--port'): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      const message =
        err.code === 'EADDRINUSE'
          ? `option ${option}: got ${port}, but ${host}:${port} is already in use; allowed: a free port, or 0 to pick one`
          : err.code === 'EACCES'
            ? `option ${option}: got ${port}, but listening on it is not allowed (EACCES); allowed: a port from 1024, or 0 to pick one`
            : `option --host: got ${describeValue(host)}, which cannot be listened on (${err.code}); allowed: an address of this machine, such as 127.0.0.1`;
      reject(new ConfigError(message));
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** Everything that can be refused before anything starts. */
export async function preflight(options: LabOptions): Promise<void> {
  resolveScenario(options.scenario);
  if (options.report) checkWritable(options.report, '--report', options.command === 'compare');
  if (options.logFile) checkWritable(options.logFile, '--log-file');
  await checkPortFree(options.host, options.port);
  if (options.metricsPort) await checkPortFree(options.host, options.metricsPort, '--metrics-port');
}
