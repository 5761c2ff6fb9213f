/**
 * The courier behind any transport: the usage-plan bucket, the integration's outcomes and their latency on
 * the scenario clock, the counters and the `slow-api` log lines. The HTTP server (courier-server.ts) and the
 * virtual engine's in-process transport both answer through this one class, so no courier rule exists twice;
 * they differ only in how a request arrives and how its answer leaves.
 */
import type { CourierOptions } from '../config/parse-options.js';
import type { Clock, Timer } from '../time/clock.js';
import type { Random } from '../time/random.js';
import { TokenBucket } from '../time/token-bucket.js';
import { admitCourierRequest, integrationOutcome, type CourierDecision } from './courier-policy.js';
import { CourierLog, type CourierLogSink } from './courier-log.js';
import { CourierStats } from './courier-stats.js';

export interface CourierServiceOptions {
  options: CourierOptions;
  clock: Clock;
  random: Random;
  /** Where `slow-api` lines go; none are built when absent. */
  logWriter?: CourierLogSink | undefined;
  /** Counters to add to (shared memory when the courier runs in a worker); a fresh set when absent. */
  stats?: CourierStats | undefined;
  /** Wall ms at scenario time 0, for log timestamps. */
  startedAtMs: number;
}

/** One request as the courier saw it arrive. */
export interface Arrival {
  requestId: string;
  arrivedAt: number;
  correlationId: string | undefined;
}

export class CourierService {
  readonly stats: CourierStats;
  readonly options: CourierOptions;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly bucket: TokenBucket;
  private readonly log: CourierLog | undefined;
  private readonly logSink: (CourierLogSink & { readonly active?: boolean }) | undefined;
  private readonly pending = new Set<Timer>();
  private readonly idPrefix: string;
  private requestSeq = 0;
  /**
   * Correlation ids the courier answered 200, counted on the courier's side: the independent check that every
   * order the lab calls delivered really reached the courier.
   */
  readonly deliveredIds = new Set<string>();
  /** Told each correlation id the first time it is answered 200 (the courier thread forwards them). */
  onDelivered: ((correlationId: string) => void) | undefined;

  constructor(config: CourierServiceOptions) {
    this.options = config.options;
    this.clock = config.clock;
    this.random = config.random;
    this.stats = config.stats ?? new CourierStats();
    this.bucket = new TokenBucket(
      { rate: config.options.rate, burst: config.options.burst },
      config.clock.now(),
    );
    this.log = config.logWriter ? new CourierLog(config.logWriter, config.startedAtMs) : undefined;
    this.logSink = config.logWriter;
    this.idPrefix = config.random.fork('request-id').next().toString(36).slice(2, 8);
  }

  /** A request arrived (any route): counted and logged, with an id of its own. */
  arrive(correlationId: string | undefined, method: string, path: string): Arrival {
    const arrivedAt = this.clock.now();
    this.stats.received();
    const requestId = `${this.idPrefix}-${(++this.requestSeq).toString(36)}`;
    if (this.logging) this.log!.start(arrivedAt, correlationId, requestId, method, path);
    return { requestId, arrivedAt, correlationId };
  }

  /** The usage-plan door at arrival: a refusal (403, 429), or undefined once the request took its token. */
  admit(arrival: Arrival, apiKey: string | undefined): CourierDecision | undefined {
    const refusal = admitCourierRequest(apiKey, arrival.arrivedAt, this.bucket, this.options);
    if (!refusal) this.stats.admitted(arrival.arrivedAt);
    return refusal;
  }

  /**
   * The integration's answer for an admitted request, handed to `answer` when it is due on the scenario
   * clock (at once for a failure).
   */
  integrate(arrival: Arrival, answer: (decision: CourierDecision) => void): void {
    const outcome = integrationOutcome(arrival.requestId, this.random, this.options);
    if (outcome.delayMs <= 0) {
      answer(outcome);
      return;
    }
    const timer = this.clock.setTimeout(() => {
      this.pending.delete(timer);
      answer(outcome);
    }, outcome.delayMs);
    this.pending.add(timer);
  }

  /** Counts and logs an answer; call it just before the answer leaves. */
  answered(arrival: Arrival, status: number, message: string): void {
    this.stats.answered(status);
    const id = arrival.correlationId;
    if (status === 200 && id !== undefined && !this.deliveredIds.has(id)) {
      this.deliveredIds.add(id);
      this.onDelivered?.(id);
    }
    if (this.logging) {
      const now = this.clock.now();
      this.log!.end(
        now,
        status,
        message,
        arrival.correlationId,
        arrival.requestId,
        Math.round(now - arrival.arrivedAt),
      );
    }
  }

  /** Whether a line would be seen (a sink without `active` always counts as seeing). */
  private get logging(): boolean {
    return this.log !== undefined && this.logSink?.active !== false;
  }

  /** Cancels every answer still waiting out its latency. */
  close(): void {
    for (const timer of this.pending) timer.cancel();
    this.pending.clear();
  }
}
