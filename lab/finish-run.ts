import { countLogLines } from './logs/count-log-lines.js';
import { buildReport, writeReportFile, type RunReport } from './report/build-report.js';
import type { Lab } from './lab.js';
import { evaluateThresholds } from './thresholds/evaluate-thresholds.js';

/** Real ms that work in flight gets to finish after a stop is asked for. */
export const STOP_GRACE_REAL_MS = 1500;

/** Stops the lab, reads its log file back, writes the report. Returns the report. */
export async function finishRun(lab: Lab, endedBy: string, graceRealMs = 0): Promise<RunReport> {
  await lab.stop(graceRealMs);
  const counts = await countLogLines(lab.files.log).catch(() => undefined);
  const report = buildReport(lab, counts, endedBy);
  report.thresholds = evaluateThresholds(report, lab.options.thresholds);
  writeReportFile(lab.files.report, report);
  return report;
}

/** A report of the run so far, without stopping it (the dashboard's `s`). */
export async function writeSnapshotReport(lab: Lab, path: string): Promise<string> {
  await lab.logs.flush();
  const counts = await countLogLines(lab.files.log).catch(() => undefined);
  writeReportFile(path, buildReport(lab, counts, 'snapshot'));
  return path;
}
