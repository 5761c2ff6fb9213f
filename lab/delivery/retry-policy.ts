import type { RetryPolicyName } from '../config/option-spec.js';
import type { Random } from '../time/random.js';
import type { FailureKind } from './retry-budget/retry-budget.js';
import { SDK_MAX_ATTEMPTS } from './retry-budget/sdk-standard-budget.js';

/**
 * The delivery function's retries in code. `waitMs(n)` is the wait after the n-th failed attempt
 * (n from 1); no wait follows the last attempt, whose error is re-raised.
 */
export interface RetryPolicy {
  name: RetryPolicyName;
  maxAttempts: number;
  waitMs(failedAttempt: number, random: Random, kind?: FailureKind): number;
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

/**
 * AWS SDK standard mode's own schedule (util-retry DefaultRetryBackoffStrategy): 3 attempts, each wait
 * floor(min(20 s, random * 2^retry * base)), base 500 ms after a throttling error and 100 ms otherwise.
 */
export const SDK_BASE_MS = 100;
export const SDK_THROTTLING_BASE_MS = 500;
export const SDK_MAX_DELAY_MS = 20_000;
export const SDK_STANDARD: RetryPolicy = {
  name: 'sdk-standard',
  maxAttempts: SDK_MAX_ATTEMPTS,
  waitMs: (n, random, kind) =>
    Math.floor(
      Math.min(
        SDK_MAX_DELAY_MS,
        random.next() * 2 ** (n - 1) * (kind === 'throttling' ? SDK_THROTTLING_BASE_MS : SDK_BASE_MS),
      ),
    ),
};

/**
 * gRPC A6's example retryPolicy: maxAttempts 4, initialBackoff 0.1 s, backoffMultiplier 2, maxBackoff 1 s;
 * each wait uniform(0, min(initial * multiplier^(n-1), max)).
 */
export const GRPC_INITIAL_BACKOFF_MS = 100;
export const GRPC_MAX_BACKOFF_MS = 1000;
export const GRPC_THROTTLE: RetryPolicy = {
  name: 'grpc-throttle',
  maxAttempts: 4,
  waitMs: (n, random) =>
    random.uniform(0, Math.min(GRPC_INITIAL_BACKOFF_MS * 2 ** (n - 1), GRPC_MAX_BACKOFF_MS)),
};

/**
 * Brooker's retry bucket with the capped exponential backoff and full jitter he pairs it with: the lab's
 * full-jitter schedule, so that against `full-jitter` the bucket is the only difference.
 */
export const RETRY_BUCKET: RetryPolicy = { ...FULL_JITTER, name: 'retry-bucket' };

const POLICIES: Record<RetryPolicyName, RetryPolicy> = {
  tenacity: TENACITY,
  none: NO_RETRY,
  'full-jitter': FULL_JITTER,
  'sdk-standard': SDK_STANDARD,
  'grpc-throttle': GRPC_THROTTLE,
  'retry-bucket': RETRY_BUCKET,
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
