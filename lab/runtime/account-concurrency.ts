import type { FunctionKey } from './function-types.js';

/**
 * The account's concurrency: one limit shared by all functions. An execution counts from the start of its
 * environment's init to the end of its handler.
 */
export class AccountConcurrency {
  limit: number;
  private total = 0;
  private readonly byFn: Record<FunctionKey, number> = { notify: 0, delivery: 0 };
  peak = 0;
  readonly peakByFn: Record<FunctionKey, number> = { notify: 0, delivery: 0 };

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Reserves one execution; false (a throttle) when the account is at its limit. */
  tryAcquire(fn: FunctionKey): boolean {
    if (this.total >= this.limit) return false;
    this.total++;
    const n = ++this.byFn[fn];
    if (this.total > this.peak) this.peak = this.total;
    if (n > this.peakByFn[fn]) this.peakByFn[fn] = n;
    return true;
  }

  release(fn: FunctionKey): void {
    if (this.byFn[fn] <= 0) throw new Error(`release of ${fn} with no execution in progress`);
    this.total--;
    this.byFn[fn]--;
  }

  get inUse(): number {
    return this.total;
  }

  of(fn: FunctionKey): number {
    return this.byFn[fn];
  }
}
