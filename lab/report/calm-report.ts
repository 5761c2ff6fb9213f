import type { Pipeline } from '../pipeline/pipeline.js';
import type { SeriesRow } from '../lab-view.js';
import type { WorkerCounterName } from '../runtime/worker-counters.js';

/** The report's `calm` field: what limited the storm in this run, and how often it said no. */
export interface CalmReport {
  /** What set the queue poller's concurrency. */
  queueLimit: 'fixed' | 'aimd' | 'gradient';
  /** The ESM's own ramp from 5 (aws-semantics 4.8). */
  esmScaling: boolean;
  /** Highest poller limit in the series. */
  peakLimit: number;
  retryBudget: {
    policy: string;
    scope: string;
    /** Retries the budget refused: the error was raised instead. */
    refusedRetries: number;
    /** Tokens at the end: the shared budget's, or mean and minimum over the environments that had one. */
    tokensAtEnd: { mean: number; min: number; budgets: number };
  } | null;
  breaker: {
    mode: string;
    scope: string;
    /** Calls failed at once by an open circuit, with no courier request. */
    refusedCalls: number;
    /** Times a circuit opened (counted where the breakers live: the main thread's in the virtual engine). */
    opened: number;
    notClosedAtEnd: number;
  } | null;
  /** Live changes from the dashboard: queue limit, retry policy, scopes, breaker. */
  changes: { t: number; what: string; value: string }[];
}

export function calmReport(
  p: Pick<Pipeline, 'limits' | 'guards' | 'calmChanges'>,
  counters: { get(name: WorkerCounterName): number },
  series: readonly SeriesRow[],
): CalmReport {
  const f = p.guards.figures();
  let peakLimit = p.limits.limit;
  for (const row of series) if (row.limit !== undefined && row.limit > peakLimit) peakLimit = row.limit;
  return {
    queueLimit: (p.limits.adaptiveName as 'aimd' | 'gradient' | undefined) ?? 'fixed',
    esmScaling: p.limits.esmScaling,
    peakLimit,
    retryBudget: f.budget
      ? {
          policy: f.budget.policy,
          scope: f.budget.scope,
          refusedRetries: counters.get('budgetRefused'),
          tokensAtEnd: { mean: f.budget.mean, min: f.budget.min, budgets: f.budget.count },
        }
      : null,
    breaker: f.breaker
      ? {
          mode: f.breaker.mode,
          scope: f.breaker.scope,
          refusedCalls: counters.get('breakerRefused'),
          opened: f.breaker.opened,
          notClosedAtEnd: f.breaker.notClosed,
        }
      : null,
    changes: p.calmChanges.map((c) => ({ ...c, t: Math.round(c.t * 1000) / 1000 })),
  };
}

/** Summary lines for the headless table and compare's columns (the same rows for every report). */
export function calmRows(c: CalmReport | undefined): [string, string][] {
  if (!c) return [];
  return [
    ['poller limit (peak)', `${c.queueLimit}${c.esmScaling ? '+esm' : ''} (${c.peakLimit})`],
    ['retries refused by budget', c.retryBudget ? String(c.retryBudget.refusedRetries) : '-'],
    ['calls refused by breaker', c.breaker ? String(c.breaker.refusedCalls) : '-'],
  ];
}
