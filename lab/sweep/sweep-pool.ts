/**
 * One virtual run per sweep cell on a piscina pool across the cores: each task is a cell's options, each
 * answer its run's report. Cells are independent and CPU-bound, so threads (about the number of cores)
 * are the parallelism; an aborted sweep aborts the tasks in flight.
 */
import { availableParallelism } from 'node:os';
import { loadPiscina } from '../runtime/load-piscina.js';
import type { LabOptions } from '../config/parse-options.js';
import type { RunReport } from '../report/build-report.js';
import type { RunCell } from './sweep-runner.js';

export interface CellPool {
  runCell: RunCell;
  threads: number;
  close(): Promise<void>;
}

/** @param filename the worker module: its default export takes a cell's options and returns its report. */
export function createCellPool(filename: string, threads = availableParallelism()): CellPool {
  const { Piscina: Pool } = loadPiscina();
  const pool = new Pool<LabOptions, RunReport>({
    filename,
    minThreads: threads,
    maxThreads: threads,
    // A cell is seconds of CPU: no point queueing more than one behind each thread.
    concurrentTasksPerWorker: 1,
  });
  return {
    threads,
    runCell: (options, signal) => pool.run(options, { signal }),
    close: () => pool.destroy(),
  };
}
