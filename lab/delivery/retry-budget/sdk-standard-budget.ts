import { MILLI, updateStore, type MilliStore } from './milli-store.js';
import type { FailureKind, RetryBudget } from './retry-budget.js';

/** aws-sdk-js-v3 util-retry constants (aws-semantics 9.1), in tokens. */
export const SDK_INITIAL_RETRY_TOKENS = 500;
export const SDK_RETRY_COST = 5;
export const SDK_TIMEOUT_RETRY_COST = 10;
export const SDK_NO_RETRY_INCREMENT = 1;
export const SDK_MAX_ATTEMPTS = 3;

/**
 * The AWS SDK's standard retry quota: a retry after a transient error (5xx, timeout, no connection) costs
 * 10 tokens, after a throttling error 5; a success gives back the cost of the retry it followed, or 1 when
 * it was a first attempt, never past the initial quota. Client errors are not retried.
 */
export class SdkStandardBudget implements RetryBudget {
  readonly capacity = SDK_INITIAL_RETRY_TOKENS * MILLI;

  constructor(readonly store: MilliStore) {}

  recordFailure(): void {}

  tryRetry(kind: FailureKind): number | undefined {
    if (kind === 'client') return undefined;
    const cost = (kind === 'transient' ? SDK_TIMEOUT_RETRY_COST : SDK_RETRY_COST) * MILLI;
    const r = updateStore(this.store, (c) => (c >= cost ? c - cost : undefined));
    return r.changed ? cost : undefined;
  }

  recordSuccess(retryCost: number | undefined): void {
    const refund = retryCost ?? SDK_NO_RETRY_INCREMENT * MILLI;
    updateStore(this.store, (c) => Math.min(this.capacity, c + refund));
  }
}
