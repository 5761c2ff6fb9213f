import type { Clock } from '../../time/clock.js';
import { CircuitBreaker, type Breaker } from './circuit-breaker.js';
import { SharedBreaker } from './shared-breaker.js';
import { ConsecutiveBreaker } from './consecutive-breaker.js';
import { SamplingBreaker } from './sampling-breaker.js';

export const BREAKER_MODES = ['off', 'consecutive', 'sampling'] as const;
export type BreakerMode = (typeof BREAKER_MODES)[number];
export const BREAKER_SCOPES = ['environment', 'shared'] as const;
export type BreakerScope = (typeof BREAKER_SCOPES)[number];

export interface BreakerParams {
  mode: Exclude<BreakerMode, 'off'>;
  scope: BreakerScope;
  /** consecutive: failures in a row that open the circuit. */
  threshold: number;
  /** sampling: share of failed calls that opens it. */
  failureRatio: number;
  /** sampling: the window, scenario seconds. */
  windowS: number;
  /** sampling: calls per second the window needs before it may open. */
  minRps: number;
  /** Scenario seconds an open circuit waits before a trial call. */
  halfOpenS: number;
}

export interface BreakerFigures {
  /** Breakers open or half-open now (0 or 1 when shared). */
  notClosed: number;
  /** Times any breaker opened. */
  opened: number;
  /** Calls refused at once, no courier request made. */
  refused: number;
}

/**
 * Who holds which breaker: one per execution environment (a breaker in the function's memory, as cockatiel
 * in a Lambda would be), or one for every invocation, as a breaker whose state lives in a shared store.
 */
export interface SharedBreakerCells {
  /** Make the breakers in shared memory (the main thread of the threads engine). */
  threads?: boolean;
  /** The main thread's buffer, in a worker thread. */
  buffer?: SharedArrayBuffer;
}

/** Environment slots a shared buffer holds at most; an environment's number picks its slot. */
const ENVIRONMENT_SLOTS = 512;
/** Cells a buffer may take (a long sampling window makes big slots). */
const MAX_CELLS = 2_000_000;

export class BreakerRegistry {
  readonly buffer: SharedArrayBuffer | undefined;
  private readonly breakers = new Map<string, Breaker>();
  private readonly cells: Int32Array | undefined;
  private readonly slotSize: number;
  private readonly slots: number;

  constructor(
    private readonly clock: Clock,
    readonly params: BreakerParams,
    shared: SharedBreakerCells = {},
  ) {
    // One cell of "in use" before each breaker's state; cell 0 of the buffer is the lock.
    this.slotSize = 1 + this.fresh().stateSize;
    this.slots =
      params.scope === 'shared'
        ? 1
        : Math.max(1, Math.min(ENVIRONMENT_SLOTS, Math.floor(MAX_CELLS / this.slotSize)));
    this.buffer =
      shared.buffer ??
      (shared.threads ? new SharedArrayBuffer((1 + this.slots * this.slotSize) * 4) : undefined);
    this.cells = this.buffer ? new Int32Array(this.buffer) : undefined;
  }

  /** The breaker an invocation in `environmentId` calls through; `coldStart` marks the environment's first. */
  breakerFor(environmentId: string, coldStart = false): Breaker {
    const key = this.params.scope === 'shared' ? '*' : environmentId;
    let b = this.breakers.get(key);
    if (b && !(coldStart && this.cells && key !== '*')) return b;
    b = this.cells ? this.sharedBreaker(key, coldStart) : this.fresh();
    this.breakers.set(key, b);
    return b;
  }

  figures(): BreakerFigures {
    const f: BreakerFigures = { notClosed: 0, opened: 0, refused: 0 };
    const add = (b: Breaker): void => {
      if (b.state !== 'closed') f.notClosed++;
      f.opened += b.counts.opened;
      f.refused += b.counts.refused;
    };
    if (!this.cells) {
      for (const b of this.breakers.values()) add(b);
      return f;
    }
    for (let slot = 0; slot < this.slots; slot++) {
      const at = 1 + slot * this.slotSize;
      if (Atomics.load(this.cells, at) === 1) add(new SharedBreaker(this.cells, at + 1, this.fresh()));
    }
    return f;
  }

  private fresh(): CircuitBreaker {
    const p = this.params;
    return new CircuitBreaker({
      clock: this.clock,
      halfOpenAfterMs: p.halfOpenS * 1000,
      strategy:
        p.mode === 'consecutive'
          ? new ConsecutiveBreaker(p.threshold)
          : new SamplingBreaker({
              threshold: p.failureRatio,
              durationMs: p.windowS * 1000,
              minimumRps: p.minRps,
            }),
    });
  }

  private sharedBreaker(key: string, coldStart: boolean): Breaker {
    const cells = this.cells!;
    const slot = key === '*' ? 0 : environmentNumber(key) % this.slots;
    const at = 1 + slot * this.slotSize;
    const b = new SharedBreaker(cells, at + 1, this.fresh());
    // A new environment in the slot (or the shared breaker's first use) starts closed and empty.
    if (Atomics.compareExchange(cells, at, 0, 1) === 0 || (coldStart && key !== '*')) b.reset(this.fresh());
    return b;
  }
}

/** "delivery-17" -> 17. */
function environmentNumber(id: string): number {
  const m = /(\d+)$/.exec(id);
  return m ? Number(m[1]) : 0;
}
