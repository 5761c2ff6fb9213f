import type { ConcurrencyLimit, LimitSample } from './concurrency-limit.js';

export interface AimdOptions {
  initial: number;
  min: number;
  max: number;
  /** Multiplier on a drop, in (0, 1); Netflix default 0.9. */
  backoffRatio: number;
  /** An RTT above this counts as a drop; Netflix default 5 s. */
  timeoutMs: number;
}

/**
 * Netflix concurrency-limits' AIMDLimit: on a drop, or an RTT above the timeout, the limit is multiplied by
 * the backoff ratio (rounded down); otherwise it grows by 1 when the call that just ended started with at
 * least half the limit in flight (the limit is actually being used). Kept within [min, max].
 */
export class AimdLimit implements ConcurrencyLimit {
  readonly name = 'aimd';
  private current: number;

  constructor(private readonly o: AimdOptions) {
    if (!(o.min >= 1 && o.min <= o.max))
      throw new RangeError(`aimd: min ${o.min} must be from 1 to max ${o.max}`);
    if (!(o.backoffRatio > 0 && o.backoffRatio < 1))
      throw new RangeError(`aimd: backoffRatio must be above 0 and below 1, got ${o.backoffRatio}`);
    this.current = clamp(Math.floor(o.initial), o.min, o.max);
  }

  get limit(): number {
    return this.current;
  }

  onSample(s: LimitSample): void {
    let next = this.current;
    if (s.dropped || s.rttMs > this.o.timeoutMs) next = Math.floor(next * this.o.backoffRatio);
    else if (s.inFlight * 2 >= next) next = next + 1;
    this.current = clamp(next, this.o.min, this.o.max);
  }
}

export function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}
