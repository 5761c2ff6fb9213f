/**
 * An adaptive concurrency limit for the queue's poller: it watches each delivery invocation's outcome and
 * round-trip time and says how many may run at once. Decisions take the sample's `now` (scenario ms), so
 * the same sequence gives the same limits on any clock.
 */
export interface LimitSample {
  /** Scenario ms when the invocation ended. */
  now: number;
  /** Scenario ms from receive to outcome (cold start and retries in code included). */
  rttMs: number;
  /** Invocations running when this one started, itself included (Netflix passes the same). */
  inFlight: number;
  /** A drop: the function failed, timed out or was throttled, or the courier answered 429 on the way. */
  dropped: boolean;
}

export interface ConcurrencyLimit {
  readonly name: string;
  /** Invocations allowed at once now, an integer from 1 up. */
  readonly limit: number;
  onSample(sample: LimitSample): void;
}
