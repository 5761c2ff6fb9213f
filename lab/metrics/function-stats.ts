import type { FunctionKey } from '../runtime/function-types.js';

/** Running totals of one function, as CloudWatch would count them. */
export class FunctionStats {
  /** Invocations that ran (throttled requests are not invocations). */
  invocations = 0;
  successes = 0;
  /** Function errors, timeouts included. */
  errors = 0;
  timeouts = 0;
  throttles = 0;
  coldStarts = 0;
  gbSeconds = 0;

  toJSON(peakConcurrency: number): Record<string, number> {
    return {
      invocations: this.invocations,
      errors: this.errors,
      throttles: this.throttles,
      timeouts: this.timeouts,
      coldStarts: this.coldStarts,
      peakConcurrency,
      gbSeconds: round(this.gbSeconds, 3),
    };
  }
}

export type FunctionStatsMap = Record<FunctionKey, FunctionStats>;

export function newFunctionStats(): FunctionStatsMap {
  return { notify: new FunctionStats(), delivery: new FunctionStats() };
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
