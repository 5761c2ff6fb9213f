import { closeSync, existsSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { ConfigError, describeValue } from './config/config-error.js';
import type { LabOptions } from './config/parse-options.js';
import { resolveScenario } from './load/presets.js';

/** Fails with a ConfigError unless `path` can be created or appended to. Leaves no file behind. */
export function checkWritable(path: string, option: string, folder = false): void {
  try {
    if (folder) {
      mkdirSync(path, { recursive: true });
      if (!statSync(path).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
      return;
    }
    if (existsSync(path) && statSync(path).isDirectory()) {
      throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    }
    const existed = existsSync(path);
    mkdirSync(dirname(path), { recursive: true });
    closeSync(openSync(path, 'a'));
    if (!existed) unlinkSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(
      `option ${option}: ${describeValue(path)} cannot be written (${code}); allowed: a ${folder ? 'folder' : 'file'} path this user can write`,
    );
  }
}

/** Fails with a ConfigError if something already listens on host:port. */
export function checkPortFree(host: string, port: number, option = '--port'): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new ConfigError(
          `option ${option}: got ${port}, but ${host}:${port} is ${err.code === 'EADDRINUSE' ? 'already in use' : `not available (${err.code})`}; allowed: a free port, or 0 to pick one`,
        ),
      );
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
}
