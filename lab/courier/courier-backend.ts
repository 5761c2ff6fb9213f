/**
 * The service behind the courier's gateway, with a capacity (`--courier-capacity N`, DESIGN section 8): N
 * requests served at once, a FIFO queue behind them, each taking the latency drawn for it once its turn
 * comes, so a queue adds to the latency. The gateway still answers 504 at the integration timeout, measured
 * from the request's arrival, and the backend still does that request's work when its turn comes: work for a
 * caller already answered 504, or one that hung up (a client timeout), is wasted work, and counted. That
 * waste is what lets retries keep a failure going after its trigger is gone (aws-semantics 9.7, 9.8).
 *
 * Pure apart from the clock it is handed; the threads engine's HTTP server and the virtual engine's
 * in-process courier both call it (through `serveAdmitted`), so the rule exists once.
 */
import type { CourierOptions } from '../config/parse-options.js';
import type { Clock, Timer } from '../time/clock.js';
import type { Random } from '../time/random.js';
import { drawIntegration, successBody, TIMEOUT_BODY, type CourierDecision } from './courier-policy.js';

export interface CourierBackendOptions {
  clock: Clock;
  /** Requests served at once; at least 1. */
  capacity: number;
  /** The gateway's integration timeout, scenario ms. */
  timeoutMs: number;
  /** Told of each finished piece of work (the courier's shared counters). */
  onWork?: (useful: boolean, busyMs: number) => void;
}

/** Work the backend did, in requests and scenario ms of service time. */
export interface BackendWork {
  requests: number;
  busyMs: number;
}

export interface BackendFigures {
  /** Work whose caller got its 200. */
  useful: BackendWork;
  /** Work done for callers already answered 504 or gone. */
  wasted: BackendWork;
  /** Requests waiting for a slot now. */
  queued: number;
  /** Requests being served now. */
  inService: number;
  peakQueued: number;
}

/** The caller's side of one request: `hangUp` when its connection closes before the answer. */
export interface BackendTicket {
  hangUp(): void;
}

interface Job {
  latencyMs: number;
  answer: ((status: 200 | 504) => void) | undefined;
  gatewayTimer: Timer | undefined;
}

export class CourierBackend {
  readonly capacity: number;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  /** FIFO: jobs from `head` on are waiting (an index, so taking the next is O(1)). */
  private readonly waiting: Job[] = [];
  private head = 0;
  private serving = 0;
  private readonly useful: BackendWork = { requests: 0, busyMs: 0 };
  private readonly wasted: BackendWork = { requests: 0, busyMs: 0 };
  private peakQueued = 0;
  private readonly timers = new Set<Timer>();
  private readonly onWork: ((useful: boolean, busyMs: number) => void) | undefined;

  constructor(options: CourierBackendOptions) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1) {
      throw new RangeError(`capacity must be an integer from 1 and up, got ${options.capacity}`);
    }
    this.clock = options.clock;
    this.capacity = options.capacity;
    this.timeoutMs = options.timeoutMs;
    this.onWork = options.onWork;
  }

  /**
   * A request that arrived at `arrivedAt` (scenario ms, default now) and needs `latencyMs` of service.
   * `answer` is called once: 200 when its service ends within the timeout, else 504 at the timeout.
   */
  submit(
    latencyMs: number,
    answer: (status: 200 | 504) => void,
    arrivedAt = this.clock.now(),
  ): BackendTicket {
    const job: Job = { latencyMs, answer, gatewayTimer: undefined };
    const timer = this.clock.setTimeout(
      () => {
        this.timers.delete(timer);
        job.gatewayTimer = undefined;
        const reply = job.answer;
        job.answer = undefined;
        reply?.(504);
      },
      Math.max(0, arrivedAt + this.timeoutMs - this.clock.now()),
    );
    job.gatewayTimer = timer;
    this.timers.add(timer);
    if (this.serving < this.capacity) this.serve(job);
    else {
      this.waiting.push(job);
      this.peakQueued = Math.max(this.peakQueued, this.queued);
    }
    return {
      hangUp: () => {
        job.answer = undefined;
        this.cancelGateway(job);
      },
    };
  }

  get queued(): number {
    return this.waiting.length - this.head;
  }

  figures(): BackendFigures {
    return {
      useful: { ...this.useful },
      wasted: { ...this.wasted },
      queued: this.queued,
      inService: this.serving,
      peakQueued: this.peakQueued,
    };
  }

  /** Cancels every timer (the courier is closing); nothing is answered after this. */
  close(): void {
    for (const t of this.timers) t.cancel();
    this.timers.clear();
  }

  private serve(job: Job): void {
    this.serving++;
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      this.serving--;
      const reply = job.answer;
      const book = reply ? this.useful : this.wasted;
      book.requests++;
      book.busyMs += job.latencyMs;
      this.onWork?.(reply !== undefined, job.latencyMs);
      if (reply) {
        job.answer = undefined;
        this.cancelGateway(job);
        reply(200);
      }
      this.next();
    }, job.latencyMs);
    this.timers.add(timer);
  }

  private next(): void {
    while (this.serving < this.capacity && this.head < this.waiting.length) {
      const job = this.waiting[this.head++]!;
      this.serve(job);
    }
    // Drop the served prefix now and then, so the array does not grow for ever.
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
  }

  private cancelGateway(job: Job): void {
    if (!job.gatewayTimer) return;
    job.gatewayTimer.cancel();
    this.timers.delete(job.gatewayTimer);
    job.gatewayTimer = undefined;
  }
}

/**
 * An admitted request through the integration and the backend: a random failure answers 502 at once (it
 * never reaches the backend, as in the seed), else the drawn latency is served by the backend. `reply` gets
 * the decision when it is due (`delayMs` 0: send it now). The ticket is undefined for an immediate answer.
 */
export function serveAdmitted(
  backend: CourierBackend,
  requestId: string,
  random: Random,
  options: CourierOptions,
  reply: (decision: CourierDecision) => void,
  arrivedAt?: number,
): BackendTicket | undefined {
  const drawn = drawIntegration(random, options);
  if ('failed' in drawn) {
    reply(drawn.failed);
    return undefined;
  }
  return backend.submit(
    drawn.latencyMs,
    (status) =>
      reply(
        status === 200
          ? { status: 200, body: successBody(requestId), delayMs: 0 }
          : { status: 504, body: TIMEOUT_BODY, delayMs: 0 },
      ),
    arrivedAt,
  );
}
