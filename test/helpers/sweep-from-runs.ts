import type { RunReport } from '../../lab/report/build-report.js';
import type { SweepAxis, SweepCell, SweepCellFigures, SweepFile } from '../../lab/sweep/sweep-file.js';

/** A sweep cell's figures as shapes.md defines them, from one real run's report. */
export function cellFigures(r: RunReport): SweepCellFigures {
  const o = r.orders;
  const share = (n: number): number => (o.accepted === 0 ? 0 : n / o.accepted);
  return {
    accepted: o.accepted,
    delivered: o.delivered,
    lost: o.lost,
    deadLettered: o.deadLettered,
    inFlight: o.inFlight,
    deliveredShare: share(o.delivered),
    lostShare: share(o.lost),
    peakConcurrency: r.peakConcurrency,
    share429: r.courier.requests === 0 ? 0 : (r.courier.byStatus['429'] ?? 0) / r.courier.requests,
    courierCallsPerOrder: r.courierCallsPerOrder,
    costUsd: r.cost.usd,
    lastDeliveryS: r.lastDeliveryS,
    // These runs have no fault, so no verdict.
    recovered: null,
    recoveryAtS: null,
  };
}

/** A SweepFile from real runs, one per cell, given as [index into each axis, report, wall ms]. */
export function sweepFromRuns(
  scenario: string,
  seed: number,
  axes: SweepAxis[],
  runs: [number[], RunReport, number][],
): SweepFile {
  const cells: SweepCell[] = runs.map(([index, report, wallMs]) => ({
    index,
    at: Object.fromEntries(axes.map((a, k) => [a.name, a.values[index[k]!]!])),
    seed: report.seed,
    options: report.config,
    figures: cellFigures(report),
    wallMs,
  }));
  return {
    version: 1,
    kind: 'sweep',
    scenario,
    seed,
    startedAt: new Date().toISOString(),
    axes,
    cells,
    complete: true,
    wallS: runs.reduce((s, r) => s + r[2], 0) / 1000,
  };
}
