import type { Clock, Timer } from '../time/clock.js';
import { TokenBucket } from '../time/token-bucket.js';

/** The lab's sizing: a little under the courier's usage plan (10/s, burst 10), so it never runs dry. */
export const DEFAULT_THROTTLE_RATE = 9;
export const DEFAULT_THROTTLE_BURST = 1;

export interface ClientThrottleOptions {
  clock: Clock;
  /** Tokens per scenario second, above 0. @default 9 */
  rate?: number;
  /** Bucket capacity in tokens, at least 1; the bucket starts full. @default 1 */
  burst?: number;
}

/** Rejection of waiters still queued when the throttle stops. */
export class ThrottleStoppedError extends Error {
  readonly code = 'STORMLAB_THROTTLE_STOPPED';
  constructor() {
    super('client throttle stopped while waiting for a token');
    this.name = 'ThrottleStoppedError';
  }
}

interface Waiter {
  done: boolean;
  /** Holds a reservation on the bucket (taken when its turn in line came). */
  reserved: boolean;
  timer: Timer | undefined;
  resolve: () => void;
  reject: (reason: unknown) => void;
  detach: () => void;
}

/**
 * The client-side token bucket of throttle mode: callers wait their turn for a token instead of being
 * refused. Each caller reserves the next token on the `TokenBucket` the moment it asks (so the line is FIFO
 * by construction), learns when that token is due, and sleeps on the injected clock until then. No hand-over
 * between waiters costs wall time, so the granted rate is the configured rate at any --speed, and exact on a
 * VirtualClock.
 *
 * Why not Bottleneck, which DESIGN suggested: its local datastore yields a real `setTimeout(0)` inside a
 * lock on every submission, so it admits about 300 jobs per real second here (2000 jobs took 6.95 s); at
 * --speed 50 a rate of 9/s needs 450. Its own timing (minTime, reservoir) also runs on wall time, not on the
 * scenario clock, so it could not be tested on a VirtualClock.
 */
export class ClientThrottle {
  private readonly clock: Clock;
  private readonly bucket: TokenBucket;
  /** Reserved and sleeping until their token is due, in the order they reserved. */
  private sleeping: Waiter[] = [];
  private count = 0;
  private grantedCount = 0;
  private stopped = false;

  constructor(options: ClientThrottleOptions) {
    this.clock = options.clock;
    this.bucket = new TokenBucket(
      { rate: options.rate ?? DEFAULT_THROTTLE_RATE, burst: options.burst ?? DEFAULT_THROTTLE_BURST },
      options.clock.now(),
    );
  }

  get rate(): number {
    return this.bucket.rate;
  }

  get burst(): number {
    return this.bucket.burst;
  }

  /** Callers waiting for a token. */
  get waiting(): number {
    return this.count;
  }

  /** Tokens handed out so far. */
  get granted(): number {
    return this.grantedCount;
  }

  /**
   * Resolves once the caller holds a token, in the order callers asked. If `signal` aborts first, the caller
   * leaves without spending a token (its reservation goes back, and those behind it move up) and the promise
   * rejects with `signal.reason`; after `stop()` it rejects with ThrottleStoppedError.
   */
  acquire(signal?: AbortSignal): Promise<void> {
    if (this.stopped) return Promise.reject(new ThrottleStoppedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        done: false,
        reserved: false,
        timer: undefined,
        resolve,
        reject,
        detach: () => {},
      };
      if (signal) {
        const onAbort = (): void => this.leave(waiter, signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.count++;
      this.reserveFor(waiter);
    });
  }

  /** Changes the refill rate from now on (tokens already gathered are kept); sleepers re-plan their wait. */
  setRate(rate: number): void {
    if (!(rate > 0)) throw new RangeError(`rate must be above 0, got ${rate}`);
    this.replan(() => this.bucket.setRate(rate, this.clock.now()));
  }

  /** Rejects every waiter with ThrottleStoppedError; later acquires reject at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const waiter of [...this.sleeping]) this.settle(waiter, new ThrottleStoppedError());
    this.sleeping = [];
  }

  private reserveFor(waiter: Waiter): void {
    if (this.stopped) return this.settle(waiter, new ThrottleStoppedError());
    const waitMs = this.bucket.reserve(this.clock.now());
    waiter.reserved = true;
    if (waitMs <= 0) return this.grant(waiter);
    this.sleeping.push(waiter);
    waiter.timer = this.clock.setTimeout(() => this.grant(waiter), waitMs);
  }

  private grant(waiter: Waiter): void {
    if (waiter.done) return;
    const i = this.sleeping.indexOf(waiter);
    if (i !== -1) this.sleeping.splice(i, 1);
    this.grantedCount++;
    this.settle(waiter);
  }

  /** An aborted caller: its reservation, if any, goes back and those behind it are re-planned. */
  private leave(waiter: Waiter, reason: unknown): void {
    if (waiter.done) return;
    if (!waiter.reserved) return this.settle(waiter, reason);
    this.replan(() => {
      this.sleeping = this.sleeping.filter((w) => w !== waiter);
      this.settle(waiter, reason);
    });
  }

  /** Gives back every sleeper's reservation, applies `change`, and reserves again in the same order. */
  private replan(change: () => void): void {
    const now = this.clock.now();
    for (const w of this.sleeping) {
      w.timer?.cancel();
      this.bucket.refund(now);
    }
    const order = this.sleeping.filter((w) => !w.done);
    change();
    this.sleeping = [];
    for (const w of order) if (!w.done) this.reserveFor(w);
  }

  private settle(waiter: Waiter, ...reason: [] | [unknown]): void {
    if (waiter.done) return;
    waiter.done = true;
    waiter.timer?.cancel();
    waiter.detach();
    this.count--;
    if (reason.length === 0) waiter.resolve();
    else waiter.reject(reason[0]);
  }
}
