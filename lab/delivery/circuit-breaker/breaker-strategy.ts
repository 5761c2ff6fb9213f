/** Where a circuit is: as cockatiel's CircuitState, without Isolated (the lab never isolates by hand). */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** State codes for the series and the dashboard. */
export const STATE_CODE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * Decides when a closed circuit opens (cockatiel's IBreaker, with the time passed in rather than read from
 * Date.now). `failure` returns true when the circuit should open.
 */
export interface BreakerStrategy {
  success(state: CircuitState, now: number): void;
  failure(state: CircuitState, now: number): boolean;
  /** Integers its state takes in shared memory (breakers shared across threads). */
  readonly stateSize: number;
  saveTo(cells: Int32Array, at: number): void;
  loadFrom(cells: Int32Array, at: number): void;
}
