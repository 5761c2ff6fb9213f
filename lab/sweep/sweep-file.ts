/**
 * sweep.json (DESIGN section 9; the shape agreed in briefs/shapes.md): one virtual run per cell of a grid
 * over one or two axes. Issue 13's HTML heat map reads it, so field names are a contract.
 */
import type { RunReport } from '../report/build-report.js';
import { round } from '../metrics/function-stats.js';

export interface SweepAxis {
  name: string;
  values: (number | string)[];
}

export interface SweepCellFigures {
  accepted: number;
  delivered: number;
  lost: number;
  deadLettered: number;
  inFlight: number;
  deliveredShare: number;
  lostShare: number;
  peakConcurrency: number;
  share429: number;
  courierCallsPerOrder: number;
  costUsd: number;
  lastDeliveryS: number | null;
  /** null when the cell's run had no fault (no verdict). */
  recovered: boolean | null;
  recoveryAtS: number | null;
}

export interface SweepCell {
  /** Index into each axis' values, in axis order. */
  index: number[];
  /** The axis values of this cell, by axis name. */
  at: Record<string, number | string>;
  seed: number;
  /** The options the cell ran with (API key redacted). */
  options: Record<string, unknown>;
  figures: SweepCellFigures;
  thresholds?: { expr: string; value: number | null; ok: boolean }[];
  wallMs: number;
}

export interface SweepFile {
  version: 1;
  kind: 'sweep';
  scenario: string;
  seed: number;
  startedAt: string;
  axes: SweepAxis[];
  cells: SweepCell[];
  /** False when stopped (Ctrl-C) before every cell ran. */
  complete: boolean;
  wallS: number;
}

/** A cell's figures from its run's report. */
export function cellFigures(r: RunReport): SweepCellFigures {
  const o = r.orders;
  const share = (n: number, of: number): number => (of === 0 ? 0 : round(n / of, 4));
  return {
    accepted: o.accepted,
    delivered: o.delivered,
    lost: o.lost,
    deadLettered: o.deadLettered,
    inFlight: o.inFlight,
    deliveredShare: share(o.delivered, o.accepted),
    lostShare: share(o.lost, o.accepted),
    peakConcurrency: r.peakConcurrency,
    share429: share(r.courier.byStatus['429'] ?? 0, r.courier.requests),
    courierCallsPerOrder: r.courierCallsPerOrder,
    costUsd: r.cost.usd,
    lastDeliveryS: r.lastDeliveryS,
    recovered: r.recovery ? r.recovery.recovered : null,
    recoveryAtS: r.recovery?.atS ?? null,
  };
}
