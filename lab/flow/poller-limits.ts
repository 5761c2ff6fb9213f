import type { Clock, Timer } from '../time/clock.js';
import type { ConcurrencyLimit } from './adaptive/concurrency-limit.js';
import { EsmScaler } from './esm-scaler.js';

/** How one delivery invocation from the queue went, as the poller's limits need it. */
export interface DeliverySample {
  /** Scenario ms it was received and started. */
  startedAt: number;
  /** Scenario ms it ended. */
  endedAt: number;
  /** Invocations running when it started, itself included. */
  inFlight: number;
  outcome: 'ok' | 'error' | 'timeout' | 'throttled';
  /** 429 answers the delivery function met on the way (its retries in code hide them otherwise). */
  courier429: number;
}

/** The part of the queue the limits watch. */
export interface WatchedQueue {
  on(event: 'sent', fn: () => void): unknown;
  off(event: 'sent', fn: () => void): unknown;
  visibleCount(now: number): number;
}

/** The part of the poller the limits drive. */
export interface LimitedPoller {
  readonly maxConcurrency: number;
  setMaxConcurrency(n: number): void;
}

export interface PollerLimitsOptions {
  clock: Clock;
  queue: WatchedQueue;
  poller: LimitedPoller;
  /** The fixed MaximumConcurrency (a number given to --queue-concurrency). */
  fixedCap: number;
  /** An adaptive limit instead of the fixed cap. */
  adaptive?: ConcurrencyLimit;
  /** Ceiling of the adaptive limit (its max), the ESM's MaximumConcurrency in adaptive modes. */
  adaptiveMax?: number;
  /** The ESM's own ramp from 5 and back-off (aws-semantics 4.8). */
  esmScaling: boolean;
}

/**
 * Sets the poller's concurrency from what limits it: the fixed cap or an adaptive limit, and under either,
 * when on, the event source mapping's own scaling. The effective limit is the smaller of the two. The
 * ESM steps on a one-second clock timer, armed only while messages wait or trouble is to be counted, so an
 * idle lab has no timer left.
 */
export class PollerLimits {
  private esm: EsmScaler | undefined;
  private timer: Timer | undefined;
  private readonly onSent = (): void => this.arm();

  constructor(private readonly o: PollerLimitsOptions) {
    if (o.esmScaling) this.esm = new EsmScaler({ maxConcurrency: this.ceiling(), startedAt: o.clock.now() });
    o.queue.on('sent', this.onSent);
    this.apply();
  }

  /** What the poller may run at once now. */
  get limit(): number {
    const base = this.o.adaptive ? this.o.adaptive.limit : this.o.fixedCap;
    return this.esm ? Math.min(base, this.esm.limit) : base;
  }

  /** MaximumConcurrency as configured (the dashboard's [ and ] step it), whatever the ramp allows now. */
  get fixedCap(): number {
    return this.o.fixedCap;
  }

  get esmScaling(): boolean {
    return this.esm !== undefined;
  }

  get adaptiveName(): string | undefined {
    return this.o.adaptive?.name;
  }

  onDelivery(s: DeliverySample): void {
    this.o.adaptive?.onSample({
      now: s.endedAt,
      rttMs: s.endedAt - s.startedAt,
      inFlight: s.inFlight,
      dropped: s.outcome !== 'ok' || s.courier429 > 0,
    });
    this.esm?.onOutcome(s.outcome === 'ok' ? 'ok' : s.outcome === 'throttled' ? 'throttled' : 'failed');
    this.apply();
    this.arm();
  }

  /** The dashboard's + and - on a fixed cap. */
  setFixedCap(n: number): void {
    this.o.fixedCap = n;
    this.esm?.setMaxConcurrency(this.ceiling());
    this.apply();
  }

  /** Switches between the fixed cap (undefined) and an adaptive limit while running. */
  setAdaptive(adaptive: ConcurrencyLimit | undefined, adaptiveMax?: number): void {
    this.o.adaptive = adaptive;
    this.o.adaptiveMax = adaptiveMax;
    this.esm?.setMaxConcurrency(this.ceiling());
    this.apply();
  }

  stop(): void {
    this.o.queue.off('sent', this.onSent);
    this.timer?.cancel();
    this.timer = undefined;
  }

  private ceiling(): number {
    return this.o.adaptive ? (this.o.adaptiveMax ?? this.o.adaptive.limit) : this.o.fixedCap;
  }

  private apply(): void {
    const n = Math.max(1, this.limit);
    if (n !== this.o.poller.maxConcurrency) this.o.poller.setMaxConcurrency(n);
  }

  private arm(): void {
    if (!this.esm || this.timer) return;
    const now = this.o.clock.now();
    this.timer = this.o.clock.setTimeout(() => this.tick(), Math.max(0, this.esm.nextStepAt - now));
  }

  private tick(): void {
    this.timer = undefined;
    const esm = this.esm;
    if (!esm) return;
    const now = this.o.clock.now();
    const backlog = this.o.queue.visibleCount(now) > 0;
    esm.step(now, backlog);
    this.apply();
    if (backlog) this.arm();
  }
}
