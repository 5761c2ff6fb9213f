import type { Clock } from '../../time/clock.js';
import type { BreakerStrategy, CircuitState } from './breaker-strategy.js';

/** What `acquire` gives: a call may go ahead (as the half-open trial or not), or is refused. */
export type Permit = 'call' | 'trial' | 'refused';

/** A breaker as callers use it: this thread's own (CircuitBreaker) or one in shared memory. */
export interface Breaker {
  readonly state: CircuitState;
  readonly counts: BreakerCounts;
  acquire(): Permit;
  record(permit: Permit, ok: boolean): void;
}

const CODE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };
const STATE: readonly CircuitState[] = ['closed', 'half-open', 'open'];

export interface CircuitBreakerOptions {
  clock: Clock;
  strategy: BreakerStrategy;
  /** Scenario ms an open circuit waits before letting one trial call through. */
  halfOpenAfterMs: number;
}

export interface BreakerCounts {
  opened: number;
  /** Calls failed at once by an open (or busy half-open) circuit, with no courier request. */
  refused: number;
}

/**
 * cockatiel's circuit breaker policy as a state machine on the scenario clock. Closed: calls go ahead and
 * the strategy decides when failures open it. Open: every call is refused at once, until `halfOpenAfterMs`
 * has passed; the next call is then the one trial (half-open) while others are still refused. The trial's
 * success closes the circuit, its failure opens it again for another `halfOpenAfterMs`.
 */
export class CircuitBreaker implements Breaker {
  readonly counts: BreakerCounts = { opened: 0, refused: 0 };
  private current: CircuitState = 'closed';
  private openedAt = 0;
  private trialInFlight = false;

  constructor(private readonly o: CircuitBreakerOptions) {}

  /** The state as a caller would find it now (an open circuit past its delay reads half-open). */
  get state(): CircuitState {
    if (this.current === 'open' && this.o.clock.now() - this.openedAt >= this.o.halfOpenAfterMs)
      return 'half-open';
    return this.current;
  }

  acquire(): Permit {
    const now = this.o.clock.now();
    if (this.current === 'open' && now - this.openedAt >= this.o.halfOpenAfterMs) {
      this.current = 'half-open';
      this.trialInFlight = false;
    }
    if (this.current === 'closed') return 'call';
    if (this.current === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return 'trial';
    }
    this.counts.refused++;
    return 'refused';
  }

  /** The outcome of a call `acquire` let through. A call that never finished (aborted) is a failure. */
  record(permit: Permit, ok: boolean): void {
    if (permit === 'refused') return;
    const now = this.o.clock.now();
    const state = permit === 'trial' ? 'half-open' : this.current;
    if (permit === 'trial') this.trialInFlight = false;
    if (ok) {
      this.o.strategy.success(state, now);
      if (permit === 'trial') this.current = 'closed';
      return;
    }
    // A failure of a call that began while closed opens a circuit only if it is still closed.
    if (this.o.strategy.failure(state, now) && (permit === 'trial' || this.current === 'closed'))
      this.open(now);
  }

  /** Integers the whole breaker takes in shared memory: 5 of its own, then its strategy's. */
  get stateSize(): number {
    return 5 + this.o.strategy.stateSize;
  }

  saveTo(cells: Int32Array, at: number): void {
    cells[at] = CODE[this.current];
    // Scenario ms fit 32 bits for 24 days of scenario time.
    cells[at + 1] = this.openedAt;
    cells[at + 2] = this.trialInFlight ? 1 : 0;
    cells[at + 3] = this.counts.opened;
    cells[at + 4] = this.counts.refused;
    this.o.strategy.saveTo(cells, at + 5);
  }

  loadFrom(cells: Int32Array, at: number): void {
    this.current = STATE[cells[at]!]!;
    this.openedAt = cells[at + 1]!;
    this.trialInFlight = cells[at + 2] === 1;
    this.counts.opened = cells[at + 3]!;
    this.counts.refused = cells[at + 4]!;
    this.o.strategy.loadFrom(cells, at + 5);
  }

  private open(now: number): void {
    this.current = 'open';
    this.openedAt = now;
    this.counts.opened++;
  }
}
