import type { ConcurrencyLimit, LimitSample } from './concurrency-limit.js';
import { clamp } from './aimd-limit.js';

export interface GradientOptions {
  /** The floor, and the limit while minRTT is measured (Envoy min_concurrency, default 3). */
  minConcurrency: number;
  /** Envoy max_concurrency_limit, default 1000. */
  max: number;
  /** Share of minRTT added as tolerance (Envoy min_rtt_calc_params.buffer, default 25%). */
  buffer: number;
  /** Envoy concurrency_update_interval: one limit update per window of this many scenario ms. */
  sampleWindowMs: number;
  /** Envoy min_rtt_calc_params.interval: minRTT is measured again this long after the last measurement. */
  minRttIntervalMs: number;
  /** Envoy min_rtt_calc_params.request_count, default 50: samples one minRTT measurement takes. */
  minRttRequests: number;
  /** Envoy sample_aggregate_percentile, default 0.5: the window's RTT (and minRTT) is this percentile. */
  percentile: number;
}

/**
 * Envoy's adaptive concurrency gradient controller. It first measures minRTT: the limit drops to
 * minConcurrency until `minRttRequests` samples are in, minRTT is their percentile, and the limit goes back
 * to what it was. Then once per sample window: sampleRTT is the window's percentile,
 * gradient = clamp((minRTT * (1 + buffer)) / sampleRTT, 0.5, 2), and
 * limit = floor(gradient * limit + sqrt(gradient * limit)), within [minConcurrency, max]. minRTT is
 * measured again every `minRttIntervalMs`. Envoy jitters that interval; the lab does not, so runs replay.
 * Envoy updates on a timer; here the first sample after a window closes updates, and an empty window
 * changes nothing in either.
 */
export class GradientLimit implements ConcurrencyLimit {
  readonly name = 'gradient';
  private current: number;
  private measuring = true;
  private deferred: number;
  private minRtt = NaN;
  private samples: number[] = [];
  private windowStart = 0;
  private nextMinRttAt = Infinity;

  constructor(private readonly o: GradientOptions) {
    if (!(o.minConcurrency >= 1 && o.minConcurrency <= o.max))
      throw new RangeError(`gradient: minConcurrency ${o.minConcurrency} must be from 1 to max ${o.max}`);
    this.current = o.minConcurrency;
    this.deferred = o.minConcurrency;
  }

  get limit(): number {
    return this.current;
  }

  /** The last minRTT measured (NaN before the first), scenario ms. */
  get minRttMs(): number {
    return this.minRtt;
  }

  onSample(s: LimitSample): void {
    this.samples.push(s.rttMs);
    if (this.measuring) {
      if (this.samples.length < this.o.minRttRequests) return;
      this.minRtt = percentile(this.samples, this.o.percentile);
      this.measuring = false;
      this.current = this.deferred;
      this.samples = [];
      this.windowStart = s.now;
      this.nextMinRttAt = s.now + this.o.minRttIntervalMs;
      return;
    }
    if (s.now - this.windowStart < this.o.sampleWindowMs) return;
    const sampleRtt = percentile(this.samples, this.o.percentile);
    const gradient = clamp((this.minRtt * (1 + this.o.buffer)) / sampleRtt, 0.5, 2);
    const scaled = gradient * this.current;
    this.current = clamp(Math.floor(scaled + Math.sqrt(scaled)), this.o.minConcurrency, this.o.max);
    this.samples = [];
    this.windowStart = s.now;
    if (s.now >= this.nextMinRttAt) {
      this.measuring = true;
      this.deferred = this.current;
      this.current = this.o.minConcurrency;
    }
  }
}

/** Nearest rank: the smallest sample with at least `p` of them at or below it. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}
