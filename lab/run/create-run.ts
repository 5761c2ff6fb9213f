import type { LabOptions } from '../config/parse-options.js';
import { ThreadsEngine, type ThreadsEngineOptions } from '../engines/threads/threads-engine.js';
import { VirtualEngine, type VirtualEngineOptions } from '../engines/virtual/virtual-engine.js';
import { LabRun, type RunShared } from './lab-run.js';

export interface RunSetup {
  /** Appended to the default file names (a restarted dashboard run keeps the first run's files). */
  fileSuffix?: string;
  /** Someone watches the run live (the dashboard): the virtual engine paces time, courier lines come along. */
  watched?: boolean;
  threads?: ThreadsEngineOptions;
  virtual?: VirtualEngineOptions;
  /** Parts shared with a cluster (--cluster, threads engine). */
  shared?: RunShared;
}

/** A run on the engine the options name. */
export function createRun(options: LabOptions, setup: RunSetup = {}): LabRun {
  return new LabRun(
    options,
    (opts, parts) =>
      opts.engine === 'virtual'
        ? new VirtualEngine(opts, parts, {
            pace: setup.watched ? { kind: 'paced', speed: opts.speed } : { kind: 'fast' },
            ...setup.virtual,
          })
        : new ThreadsEngine(opts, parts, { forwardCourierLogs: setup.watched ?? false, ...setup.threads }),
    setup.fileSuffix,
    setup.shared,
  );
}
