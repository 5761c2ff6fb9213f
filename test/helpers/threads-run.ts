import { fileURLToPath } from 'node:url';
import type { LabOptions } from '../../lab/config/parse-options.js';
import { createRun, type RunSetup } from '../../lab/run/create-run.js';
import type { LabRun } from '../../lab/run/lab-run.js';
import type { ThreadsEngine } from '../../lab/engines/threads/threads-engine.js';

/** A run on the threads engine, with its engine typed for tests that reach its threads and sockets. */
export function threadsRun(
  options: LabOptions,
  setup: RunSetup = {},
): { lab: LabRun; engine: ThreadsEngine } {
  const lab = createRun({ ...options, engine: 'threads' }, setup);
  return { lab, engine: lab.engine as ThreadsEngine };
}

/** The function worker plus a `crash` task that makes its thread exit, as a thread dying mid-run would. */
export const CRASHING_WORKER = fileURLToPath(
  new URL('../fixtures/crashing-function-worker.ts', import.meta.url),
);
