import type { RetryPolicyName } from '../config/option-spec.js';
import type { Random } from '../time/random.js';

/**
 * The delivery function's retries in code. `waitMs(n)` is the wait after the n-th failed attempt
 * (n from 1); no wait follows the last attempt, whose error is re-raised.
 */
export interface RetryPolicy {
  name: RetryPolicyName;
  maxAttempts: number;
  waitMs(failedAttempt: number, random: Random): number;
}

/** Python tenacity: stop_after_attempt(5), wait_fixed(3) + wait_random(0, 5): each wait in [3, 8) s. */
export const TENACITY: RetryPolicy = {
  name: 'tenacity',
  maxAttempts: 5,
  waitMs: (_n, random) => 3000 + random.uniform(0, 5000),
};

export const NO_RETRY: RetryPolicy = { name: 'none', maxAttempts: 1, waitMs: () => 0 };

/** Capped exponential backoff with full jitter (Brooker): uniform(0, min(cap, base * 2^(n-1))). */
export const FULL_JITTER_BASE_MS = 1000;
export const FULL_JITTER_CAP_MS = 8000;
export const FULL_JITTER: RetryPolicy = {
  name: 'full-jitter',
  maxAttempts: 5,
  waitMs: (n, random) => random.uniform(0, Math.min(FULL_JITTER_CAP_MS, FULL_JITTER_BASE_MS * 2 ** (n - 1))),
};

const POLICIES: Record<RetryPolicyName, RetryPolicy> = {
  tenacity: TENACITY,
  none: NO_RETRY,
  'full-jitter': FULL_JITTER,
};

export function retryPolicy(name: RetryPolicyName): RetryPolicy {
  return POLICIES[name];
}

/** Every wait a policy would take if all attempts failed, in order. */
export function waitSchedule(policy: RetryPolicy, random: Random): number[] {
  const waits: number[] = [];
  for (let n = 1; n < policy.maxAttempts; n++) waits.push(policy.waitMs(n, random));
  return waits;
}
