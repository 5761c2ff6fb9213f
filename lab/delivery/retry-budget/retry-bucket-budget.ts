import { MILLI, updateStore, type MilliStore } from './milli-store.js';
import type { RetryBudget } from './retry-budget.js';

/** Brooker (aws-semantics 9.3): a success deposits 0.1 token, a retry spends 1. */
export const BUCKET_DEPOSIT = 0.1;
export const BUCKET_RETRY_COST = 1;
export const BUCKET_DEFAULT_CAPACITY = 10;

/**
 * Brooker's retry token bucket: starts full at `capacity` tokens; a successful attempt deposits 0.1, a
 * retry is made only if a whole token is there to spend. In steady state retries stay under about 10% of
 * successes, however many clients share the courier.
 */
export class RetryBucketBudget implements RetryBudget {
  readonly capacity: number;

  constructor(
    readonly store: MilliStore,
    capacityTokens: number,
  ) {
    this.capacity = capacityTokens * MILLI;
  }

  recordFailure(): void {}

  tryRetry(): number | undefined {
    const cost = BUCKET_RETRY_COST * MILLI;
    return updateStore(this.store, (c) => (c >= cost ? c - cost : undefined)).changed ? cost : undefined;
  }

  recordSuccess(): void {
    updateStore(this.store, (c) => Math.min(this.capacity, c + BUCKET_DEPOSIT * MILLI));
  }
}
