import { countLogLines, type LogCounts } from './logs/count-log-lines.js';
import { buildReport, writeReportFile, type RunReport } from './report/build-report.js';
import type { LabRun } from './run/lab-run.js';
import { addFaultFields } from './faults/report-fields.js';
import { evaluateThresholds } from './thresholds/evaluate-thresholds.js';

/** Real ms that work in flight gets to finish after a stop is asked for (threads engine). */
export const STOP_GRACE_REAL_MS = 1500;

/** Stops the run, reads its log file back, writes the report. Returns the report. */
export async function finishRun(run: LabRun, endedBy: string, graceRealMs = 0): Promise<RunReport> {
  await run.stop(graceRealMs);
  const extras = await run.shared.reportExtras?.().catch(() => undefined);
  const report: RunReport = {
    ...withFaults(run, buildReport(run, await readBackAtEnd(run), endedBy)),
    ...extras,
  };
  report.thresholds = evaluateThresholds(report, run.options.thresholds);
  writeReportFile(run.files.report, report);
  return report;
}

/** A report of the run so far, without stopping it (the dashboard's `s`). */
export async function writeSnapshotReport(run: LabRun, path: string): Promise<string> {
  await run.logs.flush();
  writeReportFile(path, withFaults(run, buildReport(run, await readBack(run), 'snapshot')));
  return path;
}

/** The fields of issue 11: the faults as run, the backend's wasted work, the recovery verdict. */
export function withFaults(run: LabRun, report: RunReport): RunReport {
  return addFaultFields(report, run.faults.list(), run.engine.backendWork());
}

function readBack(run: LabRun): Promise<LogCounts | undefined> {
  const file = run.files.log;
  return file === undefined ? Promise.resolve(undefined) : countLogLines(file).catch(() => undefined);
}

/** Once the run has stopped: from the thread that has read the file as it grew, or else all at once. */
function readBackAtEnd(run: LabRun): Promise<LogCounts | undefined> {
  const tail = run.logTail?.counts();
  return tail ? tail.catch(() => readBack(run)) : readBack(run);
}
