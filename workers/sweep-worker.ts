/**
 * The piscina entry of a sweep's pool: one task is one cell, a virtual run of its options; the answer is its
 * report. No top-level side effects, so a test may import it.
 */
import type { LabOptions } from '../lab/config/parse-options.js';
import type { RunReport } from '../lab/report/build-report.js';
import { runCell } from '../lab/sweep/run-cell.js';

export default function runSweepCell(options: LabOptions): Promise<RunReport> {
  return runCell(options);
}
