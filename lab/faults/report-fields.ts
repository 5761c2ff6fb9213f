/**
 * The report fields of issue 11, added to a finished report by either engine: `faults` as run, the
 * backend's `courier.wastedWork` (capacity model on), and the `recovery` verdict (null without faults).
 */
import type { RunReport } from '../report/build-report.js';
import { recoveryVerdict } from './recovery.js';

export interface BackendWorkTotals {
  useful: { requests: number; busyMs: number };
  wasted: { requests: number; busyMs: number };
}

export function addFaultFields(
  report: RunReport,
  faults: readonly { kind: string; value: string; startS: number; durationS: number }[],
  work: BackendWorkTotals | undefined,
): RunReport {
  report.faults = faults.map((f) => ({
    kind: f.kind,
    value: f.value,
    startS: f.startS,
    durationS: f.durationS,
  }));
  if (work) {
    report.courier.wastedWork = {
      requests: work.wasted.requests,
      busyMs: Math.round(work.wasted.busyMs),
      usefulRequests: work.useful.requests,
      usefulBusyMs: Math.round(work.useful.busyMs),
    };
  }
  report.recovery = recoveryVerdict({ series: report.series, faults: report.faults, wastedWork: work });
  return report;
}
