import type { Clock, Timer } from '../time/clock.js';
import type { FunctionRuntime } from './function-runtime.js';
import type { FunctionKey, InvocationResult, InvokeOptions } from './function-types.js';

/** Waits before the 2nd and 3rd attempts after a function error (aws-semantics 1.3). */
export const ERROR_RETRY_DELAYS_MS: readonly number[] = [60_000, 120_000];
/** Throttled events go back to the internal queue: backoff from 1 s doubling up to 5 min (1.5). */
export const THROTTLE_BACKOFF_START_MS = 1_000;
export const THROTTLE_BACKOFF_MAX_MS = 300_000;

export type AsyncFinal =
  | { outcome: 'succeeded'; result: InvocationResult }
  | { outcome: 'retries-exhausted'; result: InvocationResult }
  | { outcome: 'event-age-exceeded' };

export interface AsyncInvokerOptions {
  clock: Clock;
  runtime: FunctionRuntime;
  fn: FunctionKey;
  /** 0 to 2 retries after a function error. */
  maxRetries: number;
  /** Scenario ms an event may wait in the internal queue, throttles included. */
  maxEventAgeMs: number;
  /** Called once per event, when Lambda is done with it. */
  onFinal: (payload: unknown, options: InvokeOptions, final: AsyncFinal) => void;
  /** Called on each retry after a function error, and on each throttled attempt. */
  onRetry?: (kind: 'error' | 'throttle') => void;
}

/**
 * Lambda's asynchronous invocation (InvocationType=Event): the event is accepted at once and attempted from
 * an internal queue. A throttle returns it to the queue with growing backoff until its maximum age; a
 * function error (a timeout included) is retried twice, about 1 and 2 minutes later.
 */
export class AsyncInvoker {
  private pending = 0;
  /** Retry and expiry timers waiting: cancelled by `stop()`, so nothing runs after the run ends. */
  private readonly timers = new Set<Timer>();
  private stopped = false;

  constructor(private readonly o: AsyncInvokerOptions) {}

  /** Cancels every waiting retry: those events stay in flight, as the end of the run found them. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
  }

  /** Events accepted and not yet final (waiting, backing off, or running). */
  get queued(): number {
    return this.pending;
  }

  invoke(payload: unknown, options: InvokeOptions = {}): void {
    this.pending++;
    const enqueuedAt = this.o.clock.now();
    void this.attempt(payload, options, enqueuedAt, 0, THROTTLE_BACKOFF_START_MS);
  }

  private async attempt(
    payload: unknown,
    options: InvokeOptions,
    enqueuedAt: number,
    errorsSoFar: number,
    throttleBackoffMs: number,
  ): Promise<void> {
    const { runtime, fn } = this.o;
    const result = await runtime.invoke(fn, payload, options);
    if (result.status === 'ok') return this.finish(payload, options, { outcome: 'succeeded', result });
    if (result.status === 'throttled') {
      this.o.onRetry?.('throttle');
      const next = Math.min(throttleBackoffMs * 2, THROTTLE_BACKOFF_MAX_MS);
      return this.later(throttleBackoffMs, enqueuedAt, payload, options, () =>
        this.attempt(payload, options, enqueuedAt, errorsSoFar, next),
      );
    }
    if (errorsSoFar >= this.o.maxRetries) {
      return this.finish(payload, options, { outcome: 'retries-exhausted', result });
    }
    this.o.onRetry?.('error');
    const delay =
      ERROR_RETRY_DELAYS_MS[errorsSoFar] ?? ERROR_RETRY_DELAYS_MS[ERROR_RETRY_DELAYS_MS.length - 1]!;
    // A function-error retry starts the backoff afresh: it is a new attempt, not a throttle.
    return this.later(delay, enqueuedAt, payload, options, () =>
      this.attempt(payload, options, enqueuedAt, errorsSoFar + 1, THROTTLE_BACKOFF_START_MS),
    );
  }

  /** Runs `next` after `delayMs`, unless the event's maximum age comes first: then it is discarded then. */
  private later(
    delayMs: number,
    enqueuedAt: number,
    payload: unknown,
    options: InvokeOptions,
    next: () => Promise<void>,
  ): void {
    const { clock } = this.o;
    if (this.stopped) return; // an attempt the end of the run cut off is not retried
    const expiresIn = enqueuedAt + this.o.maxEventAgeMs - clock.now();
    const expired = delayMs >= expiresIn;
    const timer = clock.setTimeout(
      () => {
        this.timers.delete(timer);
        if (expired) this.finish(payload, options, { outcome: 'event-age-exceeded' });
        else void next();
      },
      expired ? Math.max(0, expiresIn) : delayMs,
    );
    this.timers.add(timer);
  }

  private finish(payload: unknown, options: InvokeOptions, final: AsyncFinal): void {
    this.pending--;
    this.o.onFinal(payload, options, final);
  }
}
