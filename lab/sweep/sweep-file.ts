/** sweep.json: what a sweep writes (issue 11) and the HTML heat map reads (issue 13). Shape agreed in shapes.md. */
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
