import { round } from '../metrics/function-stats.js';
import { holds, type Threshold } from './parse-threshold.js';
import { FIELD_BY_NAME } from './threshold-fields.js';

/** One threshold's verdict, as the report's `thresholds` holds it. */
export interface ThresholdResult {
  expr: string;
  /** The field's value, rounded to 6 decimals (what was compared); null when the report has none. */
  value: number | null;
  ok: boolean;
}

/** The process's exit code when any threshold is crossed, as k6's. */
export const THRESHOLD_EXIT_CODE = 99;

/** Digits a value is compared and shown with: a derived share must not fail on its 16th decimal. */
export const THRESHOLD_DIGITS = 6;

/**
 * Judges thresholds on a finished report, or anything shaped like one (a sweep cell's run report).
 * A field without a value (`lastDeliveryS` when nothing was delivered) fails: it cannot be shown to hold.
 */
export function evaluateThresholds(report: object, parsed: readonly Threshold[]): ThresholdResult[] {
  return parsed.map((t) => {
    const field = FIELD_BY_NAME.get(t.field);
    if (!field) throw new Error(`threshold field ${t.field} is not a known field`);
    const raw = field.read(report);
    const value = raw === null ? null : round(raw, THRESHOLD_DIGITS);
    return { expr: t.expr, value, ok: value !== null && holds(value, t.op, t.limit) };
  });
}

export function anyCrossed(results: readonly ThresholdResult[] | undefined): boolean {
  return (results ?? []).some((r) => !r.ok);
}

/** `✓ orders.lost == 0 (value 0)`: a value that is not a whole number shows 4 significant digits. */
export function thresholdLine(r: ThresholdResult): string {
  return `${r.ok ? '✓' : '✗'} ${r.expr} (value ${valueText(r.value)})`;
}

export function valueText(value: number | null): string {
  if (value === null) return 'none';
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

/** The lines printed after a run's summary table; empty when no threshold was set. */
export function thresholdSummary(results: readonly ThresholdResult[] | undefined): string {
  if (!results || results.length === 0) return '';
  const crossed = results.filter((r) => !r.ok).length;
  const head =
    crossed === 0
      ? `thresholds: all ${results.length} met`
      : `thresholds: ${crossed} of ${results.length} crossed (exit code 99)`;
  return [head, ...results.map((r) => `  ${thresholdLine(r)}`)].join('\n');
}
