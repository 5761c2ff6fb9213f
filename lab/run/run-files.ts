import { join } from 'node:path';
import type { LabOptions } from '../config/parse-options.js';

export interface RunFiles {
  report: string;
  /** undefined with `--log-file none`: the run keeps no log file. */
  log: string | undefined;
}

/** `--log-file none` turns the log file off (for speed); listeners such as the dashboard still see lines. */
export const NO_LOG_FILE = 'none';

/** Where a run's files go when the options name none: runs/<timestamp>-<mode>-seed<seed>. */
export function defaultFiles(options: LabOptions, startedAt: Date, suffix = ''): RunFiles {
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const base = join('runs', `${stamp}-${options.mode}-seed${options.seed}${suffix}`);
  const withSuffix = (path: string): string => (suffix ? path.replace(/(\.[a-z]+)?$/, `${suffix}$1`) : path);
  return {
    report: options.report ? withSuffix(options.report) : `${base}.json`,
    log:
      options.logFile === NO_LOG_FILE
        ? undefined
        : options.logFile
          ? withSuffix(options.logFile)
          : `${base}.log.jsonl`,
  };
}
