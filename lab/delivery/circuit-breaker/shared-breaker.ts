import type { BreakerCounts, Breaker, CircuitBreaker, Permit } from './circuit-breaker.js';
import type { CircuitState } from './breaker-strategy.js';

/**
 * A circuit breaker whose state lives in a SharedArrayBuffer, so every function thread sees one breaker.
 * Each operation takes a spin lock (cell 0 of the buffer), loads the state into this thread's scratch
 * breaker, runs the same state machine, and stores it back. The critical sections never wait on anything,
 * so the lock is held for microseconds.
 */
export class SharedBreaker implements Breaker {
  constructor(
    private readonly cells: Int32Array,
    private readonly at: number,
    private readonly scratch: CircuitBreaker,
  ) {}

  get state(): CircuitState {
    return this.locked(() => this.scratch.state);
  }

  get counts(): BreakerCounts {
    return this.locked(() => ({ ...this.scratch.counts }));
  }

  acquire(): Permit {
    return this.locked(() => this.scratch.acquire(), true);
  }

  record(permit: Permit, ok: boolean): void {
    this.locked(() => this.scratch.record(permit, ok), true);
  }

  /** Writes a fresh breaker's state into the slot (a new execution environment's). */
  reset(fresh: CircuitBreaker): void {
    this.locked(() => fresh.saveTo(this.cells, this.at), false, false);
  }

  private locked<T>(fn: () => T, write = false, load = true): T {
    while (Atomics.compareExchange(this.cells, 0, 0, 1) !== 0);
    try {
      if (load) this.scratch.loadFrom(this.cells, this.at);
      const result = fn();
      if (write) this.scratch.saveTo(this.cells, this.at);
      return result;
    } finally {
      Atomics.store(this.cells, 0, 0);
    }
  }
}
