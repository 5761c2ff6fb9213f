import { valueText, type ThresholdResult } from './evaluate-thresholds.js';

/**
 * Compare's table rows for thresholds: one row per expression, one `✓ value` / `✗ value` cell per
 * configuration (each column's verdicts in the same order, as every run had the same --threshold list).
 */
export function thresholdRows(columns: readonly (readonly ThresholdResult[])[]): string[][] {
  const exprs = columns[0]?.map((r) => r.expr) ?? [];
  return exprs.map((expr, i) => [
    `threshold ${expr}`,
    ...columns.map((c) => {
      const r = c[i];
      return r ? `${r.ok ? '✓' : '✗'} ${valueText(r.value)}` : '-';
    }),
  ]);
}
