import type { BreakerStrategy } from './breaker-strategy.js';

/** Opens after `threshold` failures in a row; a success starts the count again (cockatiel's ConsecutiveBreaker). */
export class ConsecutiveBreaker implements BreakerStrategy {
  private count = 0;

  constructor(readonly threshold: number) {
    if (!(Number.isInteger(threshold) && threshold >= 1))
      throw new RangeError(`consecutive breaker: threshold must be an integer from 1 up, got ${threshold}`);
  }

  success(): void {
    this.count = 0;
  }

  failure(): boolean {
    return ++this.count >= this.threshold;
  }

  readonly stateSize = 1;

  saveTo(cells: Int32Array, at: number): void {
    cells[at] = this.count;
  }

  loadFrom(cells: Int32Array, at: number): void {
    this.count = cells[at]!;
  }
}
