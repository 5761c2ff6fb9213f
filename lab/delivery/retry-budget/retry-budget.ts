import type { MilliStore } from './milli-store.js';

/**
 * What a failed courier attempt was, in the AWS SDK's terms: a 429 is THROTTLING; a 5xx, a connection error
 * or a client timeout is TRANSIENT; anything else (403) is a client error that no SDK retries.
 */
export type FailureKind = 'throttling' | 'transient' | 'client';

export function failureKind(status: number | 'connection-error' | 'timeout'): FailureKind {
  if (status === 429) return 'throttling';
  if (status === 'connection-error' || status === 'timeout' || status >= 500) return 'transient';
  return 'client';
}

/**
 * A retry budget: a count every attempt's outcome feeds, consulted before a retry. Implementations keep
 * no state but their store, so one budget object per store is all a scope needs.
 */
export interface RetryBudget {
  readonly store: MilliStore;
  /** Milli-tokens when full (the store starts here). */
  readonly capacity: number;
  /** Every failed attempt, retried or not. */
  recordFailure(kind: FailureKind): void;
  /**
   * After a failed attempt, before the wait: whether a retry may happen. When it may, its cost is taken
   * now and returned (milli-tokens, 0 when the policy charges none); undefined refuses the retry.
   */
  tryRetry(kind: FailureKind): number | undefined;
  /** A successful attempt; `retryCost` is what the retry that led to it cost (undefined on a first try). */
  recordSuccess(retryCost: number | undefined): void;
}

/** Whole tokens, as people read them. */
export function tokensOf(budget: RetryBudget): number {
  return budget.store.load() / 1000;
}
