import type { Pipeline } from '../pipeline/pipeline.js';
import type { CalmSnapshot, QueueLimitName } from '../lab-view.js';

/**
 * The series columns of issue 12, read at each sample:
 * - `limit`: the queue poller's concurrency limit now (fixed cap, adaptive limit, under the ESM ramp);
 * - `breaker`: circuit breakers open or half-open now (0 or 1 when shared); absent with no breaker;
 * - `budget`: retry-budget tokens now, the shared budget's or the mean over environments; `budgetMin`: the
 *   lowest environment's (equal to `budget` when shared). Absent without a budget policy.
 */
export interface CalmGauges {
  limit?: number;
  breaker?: number;
  budget?: number;
  budgetMin?: number;
}

export function calmGauges(p: Pick<Pipeline, 'limits' | 'guards'>): CalmGauges {
  const g: CalmGauges = { limit: p.limits.limit };
  const f = p.guards.figures();
  if (f.breaker) g.breaker = f.breaker.notClosed;
  if (f.budget) {
    g.budget = f.budget.mean;
    g.budgetMin = f.budget.min;
  }
  return g;
}

/** What the dashboard shows of the calming policies in force. */
export function calmSnapshot(p: Pick<Pipeline, 'limits' | 'guards'>): CalmSnapshot {
  return {
    queueLimit: (p.limits.adaptiveName as QueueLimitName | undefined) ?? 'fixed',
    limit: p.limits.limit,
    guards: p.guards.options,
  };
}
