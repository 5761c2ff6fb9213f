import { round } from '../metrics/function-stats.js';
import type { Threshold } from './parse-threshold.js';
import { THRESHOLD_DIGITS, type ThresholdResult } from './evaluate-thresholds.js';
import { FIELD_BY_NAME, type LiveView } from './threshold-fields.js';

/**
 * True when the threshold could ever be decided before the run ends: its field can only grow and its
 * comparison is an upper bound (`<`, `<=`, `==`). A ratio, or a lower bound, is never decided early: what
 * is below 0.99 now may be above it at the end.
 */
export function decidableEarly(t: Threshold): boolean {
  return FIELD_BY_NAME.get(t.field)?.live !== undefined && (t.op === '<' || t.op === '<=' || t.op === '==');
}

/**
 * The thresholds already crossed for good in a live run: a grow-only value past an upper bound stays past
 * it. Pure: the read model in, the verdicts out.
 */
export function decidedCrossed(parsed: readonly Threshold[], view: LiveView): ThresholdResult[] {
  const crossed: ThresholdResult[] = [];
  for (const t of parsed) {
    if (!decidableEarly(t)) continue;
    const raw = FIELD_BY_NAME.get(t.field)!.live!(view);
    if (raw === null) continue;
    const value = round(raw, THRESHOLD_DIGITS);
    const past = t.op === '<' ? value >= t.limit : value > t.limit;
    if (past) crossed.push({ expr: t.expr, value, ok: false });
  }
  return crossed;
}
