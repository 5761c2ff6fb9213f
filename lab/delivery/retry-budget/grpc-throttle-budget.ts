import { MILLI, updateStore, type MilliStore } from './milli-store.js';
import type { RetryBudget } from './retry-budget.js';

/** gRPC A6's example service config: retryThrottling {maxTokens: 10, tokenRatio: 0.1}. */
export const GRPC_DEFAULT_MAX_TOKENS = 10;
export const GRPC_DEFAULT_TOKEN_RATIO = 0.1;
/** A6 caps maxAttempts at 5 (larger values are treated as 5). */
export const GRPC_MAX_ATTEMPTS = 5;

export interface GrpcThrottleParams {
  /** 1 to 1000 (A6). */
  maxTokens: number;
  /** Above 0, at most three decimals (A6 keeps the count in thousandths as well). */
  tokenRatio: number;
}

/**
 * gRPC retry throttling (proposal A6): the count starts at maxTokens; every failed attempt takes 1, every
 * success gives tokenRatio, the count kept within [0, maxTokens]; a retry is made only while the count,
 * after the failure that asks for it, is above maxTokens / 2. A retry itself costs nothing extra.
 */
export class GrpcThrottleBudget implements RetryBudget {
  readonly capacity: number;
  private readonly ratio: number;

  constructor(
    readonly store: MilliStore,
    params: GrpcThrottleParams,
  ) {
    this.capacity = params.maxTokens * MILLI;
    this.ratio = Math.round(params.tokenRatio * MILLI);
  }

  recordFailure(): void {
    updateStore(this.store, (c) => Math.max(0, c - MILLI));
  }

  tryRetry(): number | undefined {
    // Twice the count against the capacity: no rounding of maxTokens / 2.
    return this.store.load() * 2 > this.capacity ? 0 : undefined;
  }

  recordSuccess(): void {
    updateStore(this.store, (c) => Math.min(this.capacity, c + this.ratio));
  }
}
