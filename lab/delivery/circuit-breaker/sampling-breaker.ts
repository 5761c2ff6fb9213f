import type { BreakerStrategy, CircuitState } from './breaker-strategy.js';

export interface SamplingBreakerOptions {
  /** Share of failed calls, in (0, 1), above which the circuit opens. */
  threshold: number;
  /** Scenario ms over which calls are sampled. */
  durationMs: number;
  /**
   * Calls per second the window must have seen before it may open the circuit, so a trickle of calls cannot
   * trip it. Absent: enough for 5 failures a second at the threshold, as cockatiel guesses.
   */
  minimumRps?: number;
}

interface Bucket {
  startedAt: number;
  failures: number;
  successes: number;
}

/**
 * cockatiel's SamplingBreaker on scenario time: the window is split into at least 5 buckets of at most a
 * second; the circuit opens on a failure when the window holds at least durationMs * minimumRps calls and
 * more than `threshold` of them failed. A success that closes a half-open circuit clears the window.
 */
export class SamplingBreaker implements BreakerStrategy {
  readonly threshold: number;
  readonly bucketMs: number;
  readonly durationMs: number;
  readonly minimumRpms: number;
  private readonly buckets: Bucket[] = [];
  private current = 0;
  private failures = 0;
  private successes = 0;

  constructor(o: SamplingBreakerOptions) {
    if (!(o.threshold > 0 && o.threshold < 1))
      throw new RangeError(`sampling breaker: threshold must be above 0 and below 1, got ${o.threshold}`);
    this.threshold = o.threshold;
    const count = Math.max(5, Math.ceil(o.durationMs / 1000));
    for (let i = 0; i < count; i++) this.buckets.push({ startedAt: 0, failures: 0, successes: 0 });
    this.bucketMs = Math.round(o.durationMs / count);
    this.durationMs = this.bucketMs * count;
    this.minimumRpms = o.minimumRps ? o.minimumRps / 1000 : 5 / (o.threshold * 1000);
  }

  /** Calls in the window now: failures and successes. */
  get window(): { failures: number; successes: number } {
    return { failures: this.failures, successes: this.successes };
  }

  success(state: CircuitState, now: number): void {
    if (state === 'half-open') this.reset();
    this.push(true, now);
  }

  failure(state: CircuitState, now: number): boolean {
    this.push(false, now);
    if (state !== 'closed') return true;
    // rate below the minimum: failures + successes < duration * minimum calls per ms
    if (this.failures + this.successes < this.durationMs * this.minimumRpms) return false;
    return this.failures > this.threshold * (this.failures + this.successes);
  }

  get stateSize(): number {
    return 3 + 3 * this.buckets.length;
  }

  saveTo(cells: Int32Array, at: number): void {
    cells[at] = this.current;
    cells[at + 1] = this.failures;
    cells[at + 2] = this.successes;
    this.buckets.forEach((b, i) => {
      cells[at + 3 + 3 * i] = b.startedAt;
      cells[at + 4 + 3 * i] = b.failures;
      cells[at + 5 + 3 * i] = b.successes;
    });
  }

  loadFrom(cells: Int32Array, at: number): void {
    this.current = cells[at]!;
    this.failures = cells[at + 1]!;
    this.successes = cells[at + 2]!;
    for (let i = 0; i < this.buckets.length; i++) {
      this.buckets[i] = {
        startedAt: cells[at + 3 + 3 * i]!,
        failures: cells[at + 4 + 3 * i]!,
        successes: cells[at + 5 + 3 * i]!,
      };
    }
  }

  private reset(): void {
    this.failures = 0;
    this.successes = 0;
    for (const b of this.buckets) Object.assign(b, { startedAt: 0, failures: 0, successes: 0 });
  }

  private push(success: boolean, now: number): void {
    let bucket = this.buckets[this.current]!;
    if (now - bucket.startedAt >= this.bucketMs) {
      this.current = (this.current + 1) % this.buckets.length;
      const old = this.buckets[this.current]!;
      this.failures -= old.failures;
      this.successes -= old.successes;
      bucket = { startedAt: now, failures: 0, successes: 0 };
      this.buckets[this.current] = bucket;
    }
    if (success) {
      bucket.successes++;
      this.successes++;
    } else {
      bucket.failures++;
      this.failures++;
    }
  }
}
