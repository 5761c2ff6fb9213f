/**
 * The recovery verdict of a run with faults (DESIGN section 8, aws-semantics 9.7 and 9.8): did goodput
 * (orders delivered per scenario second) come back once the trigger was gone, and when; if not, the figures
 * of what sustains the failure. Pure: it reads the report's per-second series, its faults and the courier's
 * work, nothing else, so a report on disk can be judged again.
 *
 * Recovered means: from some second T at or after the last trigger's end, goodput averaged over [T, T+60)
 * is at least 90% of the target, the offered load over that window (arrivals per second), or the goodput
 * of the minute before the first trigger when that was lower (a system that never carried the full load
 * recovers to where it was). A 60-second mean, not every single second: deliveries come in bursts of
 * retries, so a per-second rule would call a healthy run stuck. A window with no offered load proves
 * nothing and is never eligible.
 */
import type { SeriesRow } from '../lab-view.js';
import { round } from '../metrics/function-stats.js';

export const HOLD_S = 60;
export const TOLERANCE = 0.1;
/** Seconds before a trigger that give its "before" figures and the pre-trigger level. */
export const BEFORE_S = 60;

export type RecoverySeriesRow = Pick<
  SeriesRow,
  | 't'
  | 'deliveredNow'
  | 'courier2xx'
  | 'courier429'
  | 'courier5xx'
  | 'courierOther'
  | 'retries'
  | 'inFlight'
  | 'loadRate'
>;

export interface RecoveryInput {
  series: readonly RecoverySeriesRow[];
  faults: readonly { kind: string; value: string; startS: number; durationS: number }[];
  /** The backend's work (capacity model); absent without it. */
  wastedWork?: { useful: { busyMs: number }; wasted: { busyMs: number } } | undefined;
}

/** Means per scenario second over one stretch of the run. */
export interface StretchFigures {
  fromS: number;
  toS: number;
  offeredPerS: number;
  goodputPerS: number;
  /** Courier 2xx answers per second: the courier's work that did someone good. */
  courierUsefulPerS: number;
  courierCallsPerS: number;
}

export interface TriggerFigures {
  kind: string;
  value: string;
  startS: number;
  endS: number;
  before: StretchFigures | null;
  during: StretchFigures;
  after: StretchFigures | null;
}

export interface RecoveryVerdict {
  recovered: boolean;
  /** First second of the held window (scenario seconds), null when stuck. */
  atS: number | null;
  /** atS minus the last trigger's end. */
  afterTriggerS: number | null;
  lastTriggerEndS: number;
  /** The pre-trigger goodput, null when the first trigger starts too early to have one. */
  preTriggerGoodputPerS: number | null;
  heldS: number;
  tolerance: number;
  triggers: TriggerFigures[];
  /** What keeps a failure going, measured after the last trigger. */
  sustaining: {
    /** Courier calls per order offered, after the last trigger. */
    callsPerOrder: number;
    /** Wasted share of the backend's busy time over the whole run; null without the capacity model. */
    wastedWorkShare: number | null;
    /** Retries of every kind per second, after the last trigger. */
    retriesPerS: number;
    /** Orders in flight at the end: each is waiting on, or being, a retry. */
    inFlightAtEnd: number;
  };
}

const callsOf = (r: RecoverySeriesRow): number => r.courier2xx + r.courier429 + r.courier5xx + r.courierOther;

/** Means over rows with fromS < t <= toS (row t closes second t). Null when no row is in there. */
function stretch(rows: readonly RecoverySeriesRow[], fromS: number, toS: number): StretchFigures | null {
  const inside = rows.filter((r) => r.t > fromS && r.t <= toS);
  if (inside.length === 0) return null;
  const mean = (f: (r: RecoverySeriesRow) => number): number =>
    round(inside.reduce((sum, r) => sum + f(r), 0) / inside.length, 3);
  return {
    fromS,
    toS: inside.at(-1)!.t,
    offeredPerS: mean((r) => r.loadRate),
    goodputPerS: mean((r) => r.deliveredNow),
    courierUsefulPerS: mean((r) => r.courier2xx),
    courierCallsPerS: mean(callsOf),
  };
}

/** Null for a run without faults (no verdict). */
export function recoveryVerdict(input: RecoveryInput): RecoveryVerdict | null {
  const { series, faults } = input;
  if (faults.length === 0) return null;
  const lastT = series.at(-1)?.t ?? 0;
  const triggers: TriggerFigures[] = faults.map((f) => {
    const endS = f.startS + f.durationS;
    return {
      kind: f.kind,
      value: f.value,
      startS: f.startS,
      endS,
      before: f.startS > 0 ? stretch(series, Math.max(0, f.startS - BEFORE_S), f.startS) : null,
      during: stretch(series, f.startS, endS) ?? emptyStretch(f.startS, endS),
      after: stretch(series, endS, lastT),
    };
  });
  const firstStart = Math.min(...faults.map((f) => f.startS));
  const lastEnd = Math.max(...triggers.map((x) => x.endS));
  const pre = firstStart >= 10 ? stretch(series, Math.max(0, firstStart - BEFORE_S), firstStart) : null;
  const preLevel = pre?.goodputPerS ?? null;

  let atS: number | null = null;
  // Row t closes second t, so the window starting at second T holds rows T+1 .. T+HOLD_S.
  for (let from = Math.ceil(lastEnd); from + HOLD_S <= lastT; from++) {
    const w = stretch(series, from, from + HOLD_S)!;
    const target = preLevel === null ? w.offeredPerS : Math.min(w.offeredPerS, preLevel);
    if (target > 0 && w.goodputPerS >= (1 - TOLERANCE) * target) {
      atS = from;
      break;
    }
  }

  const after = series.filter((r) => r.t > lastEnd);
  const offeredAfter = after.reduce((sum, r) => sum + r.loadRate, 0);
  const callsAfter = after.reduce((sum, r) => sum + callsOf(r), 0);
  const work = input.wastedWork;
  const busy = work ? work.useful.busyMs + work.wasted.busyMs : 0;
  return {
    recovered: atS !== null,
    atS,
    afterTriggerS: atS === null ? null : round(atS - lastEnd, 3),
    lastTriggerEndS: lastEnd,
    preTriggerGoodputPerS: preLevel,
    heldS: HOLD_S,
    tolerance: TOLERANCE,
    triggers,
    sustaining: {
      callsPerOrder: offeredAfter === 0 ? 0 : round(callsAfter / offeredAfter, 3),
      wastedWorkShare: work ? (busy === 0 ? 0 : round(work.wasted.busyMs / busy, 4)) : null,
      retriesPerS: after.length === 0 ? 0 : round(after.reduce((s, r) => s + r.retries, 0) / after.length, 3),
      inFlightAtEnd: series.at(-1)?.inFlight ?? 0,
    },
  };
}

function emptyStretch(fromS: number, toS: number): StretchFigures {
  return { fromS, toS, offeredPerS: 0, goodputPerS: 0, courierUsefulPerS: 0, courierCallsPerS: 0 };
}

/** One line for summaries: "recovered 42 s after the trigger (at 07:02)" or "stuck: ...". */
export function verdictText(v: RecoveryVerdict): string {
  if (v.recovered) return `recovered ${v.afterTriggerS} s after the trigger (at ${v.atS} s)`;
  const s = v.sustaining;
  const wasted = s.wastedWorkShare === null ? '' : `, ${(s.wastedWorkShare * 100).toFixed(0)}% wasted work`;
  return `stuck: ${s.callsPerOrder.toFixed(1)} calls per order, ${s.retriesPerS.toFixed(1)} retries/s${wasted}, ${s.inFlightAtEnd} in flight`;
}
