import PQueue from 'p-queue';
import type { Clock, Timer } from '../time/clock.js';
import type { SqsMessage, SqsQueue } from './sqs-queue.js';

/** What one synchronous invocation of the consumer function came to. */
export type InvokeOutcome = 'ok' | 'failed' | 'throttled';

export type PollerEvent<T> =
  /** A message was received and its invocation started; `inFlight` counts it. */
  | { type: 'invoke'; t: number; message: SqsMessage<T>; inFlight: number }
  /** An invocation ended. 'ok' deleted the message; otherwise it reappears after its visibility timeout.
   * `error` is set when `invoke` threw or rejected (counted as 'failed'). */
  | { type: 'outcome'; t: number; message: SqsMessage<T>; outcome: InvokeOutcome; error?: unknown };

export interface QueuePollerOptions<T> {
  clock: Clock;
  queue: SqsQueue<T>;
  /** ScalingConfig.MaximumConcurrency: invocations at once, an integer from 1 up. The lab's default is 10. */
  maxConcurrency: number;
  /** One message per invocation (batch size 1). */
  invoke: (message: SqsMessage<T>) => Promise<InvokeOutcome>;
  onEvent?: (event: PollerEvent<T>) => void;
}

export interface QueuePollerStats {
  invocations: number;
  ok: number;
  failed: number;
  throttled: number;
  /** Invocations whose `invoke` threw or rejected (also counted in `failed`). */
  errors: number;
  peakInFlight: number;
}

/**
 * The SQS event source mapping: receives one message per invocation and invokes the function synchronously,
 * never more than `maxConcurrency` at once (p-queue holds the slots). At the cap it receives nothing, so
 * waiting messages stay visible in the queue rather than being received and failed (aws-semantics 4.6).
 *
 * It wakes when a message is sent (the queue's `sent` event, coalesced into one microtask), when an
 * invocation ends, and on one clock timer set for the moment the next in-flight message becomes visible
 * again. Each wake sweeps retention. Polling starts on the microtask after construction.
 */
export class QueuePoller<T> {
  private readonly o: QueuePollerOptions<T>;
  private readonly pq: PQueue;
  private timer: Timer | undefined;
  private timerAt = NaN;
  private wakeScheduled = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private readonly counts: QueuePollerStats = {
    invocations: 0,
    ok: 0,
    failed: 0,
    throttled: 0,
    errors: 0,
    peakInFlight: 0,
  };
  private readonly onSent = (): void => this.notify();

  constructor(options: QueuePollerOptions<T>) {
    checkConcurrency(options.maxConcurrency);
    this.o = options;
    this.pq = new PQueue({ concurrency: options.maxConcurrency });
    // 'next' fires after p-queue has freed the slot, so a pump from here sees it free.
    this.pq.on('next', () => this.pump());
    options.queue.on('sent', this.onSent);
    this.notify();
  }

  /** Invocations running now. */
  get inFlight(): number {
    return this.pq.pending;
  }

  get maxConcurrency(): number {
    return this.pq.concurrency;
  }

  get stats(): QueuePollerStats {
    return { ...this.counts };
  }

  /**
   * Changes MaximumConcurrency while running. Raising it receives more at once; lowering it lets running
   * invocations finish and receives again only once fewer than `n` run.
   */
  setMaxConcurrency(n: number): void {
    checkConcurrency(n);
    this.pq.concurrency = n;
    this.notify();
  }

  /** Asks for a poll on the next microtask (many calls in one tick make one poll). */
  notify(): void {
    if (this.wakeScheduled || this.stopped) return;
    this.wakeScheduled = true;
    queueMicrotask(() => {
      this.wakeScheduled = false;
      this.pump();
    });
  }

  /** Resolves when nothing is visible and nothing runs (after `stop()`: when nothing runs). */
  onIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops receiving; running invocations finish (an 'ok' still deletes). Resolves when none runs. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.o.queue.off('sent', this.onSent);
    this.cancelTimer();
    await this.pq.onIdle();
    this.checkIdle();
  }

  private pump(): void {
    if (this.stopped) {
      this.checkIdle();
      return;
    }
    const { clock, queue } = this.o;
    const now = clock.now();
    queue.sweep(now);
    while (this.pq.pending < this.pq.concurrency) {
      const message = queue.receive(now);
      if (!message) break;
      this.start(message, now);
    }
    this.armTimer(now);
    this.checkIdle();
  }

  private start(message: SqsMessage<T>, now: number): void {
    this.counts.invocations++;
    void this.pq.add(async () => {
      // pending was raised synchronously by add(), so it counts this invocation.
      const inFlight = this.pq.pending;
      if (inFlight > this.counts.peakInFlight) this.counts.peakInFlight = inFlight;
      this.o.onEvent?.({ type: 'invoke', t: now, message, inFlight });
      let outcome: InvokeOutcome;
      let error: unknown;
      try {
        outcome = await this.o.invoke(message);
      } catch (e) {
        outcome = 'failed';
        error = e;
        this.counts.errors++;
      }
      this.counts[outcome]++;
      // A failed or throttled message simply stays invisible until its visibility timeout passes.
      if (outcome === 'ok') this.o.queue.delete(message.id);
      const event: PollerEvent<T> = { type: 'outcome', t: this.o.clock.now(), message, outcome };
      if (error !== undefined) event.error = error;
      this.o.onEvent?.(event);
    });
  }

  /** One timer at a time, for when the next in-flight message reappears; none while at the cap. */
  private armTimer(now: number): void {
    const at = this.pq.pending < this.pq.concurrency ? this.o.queue.nextVisibleAt() : undefined;
    if (at === undefined) {
      this.cancelTimer();
      return;
    }
    if (this.timer && at === this.timerAt) return;
    this.cancelTimer();
    this.timerAt = at;
    this.timer = this.o.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.pump();
      },
      Math.max(0, at - now),
    );
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private isIdle(): boolean {
    if (this.pq.pending > 0) return false;
    return this.stopped || this.o.queue.visibleCount(this.o.clock.now()) === 0;
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function checkConcurrency(n: number): void {
  if (!(Number.isInteger(n) && n >= 1)) {
    throw new RangeError(`maxConcurrency must be an integer from 1 and up, got ${n}`);
  }
}
