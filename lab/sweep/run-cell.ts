/**
 * One sweep cell: a headless virtual run of the cell's options, as fast as the CPU allows, without a log file
 * or a report file (the sweep keeps the figures). The same run `--engine virtual --log-file none` makes.
 */
import type { LabOptions } from '../config/parse-options.js';
import { createRun } from '../run/create-run.js';
import { buildReport, type RunReport } from '../report/build-report.js';
import { withFaults } from '../finish-run.js';
import { evaluateThresholds } from '../thresholds/evaluate-thresholds.js';

export async function runCell(options: LabOptions, signal?: AbortSignal): Promise<RunReport> {
  const lab = createRun({ ...options, engine: 'virtual', logFile: 'none', headless: true });
  await lab.start();
  const ended = await lab.runToEnd(signal);
  await lab.stop();
  if (ended === 'aborted') throw signal?.reason ?? new Error('sweep cell aborted');
  const report = withFaults(lab, buildReport(lab, undefined, options.drainS > 0 ? 'drain' : 'load-finished'));
  // Each cell is judged as a headless run is (the map marks cells that crossed one).
  report.thresholds = evaluateThresholds(report, options.thresholds);
  return report;
}
