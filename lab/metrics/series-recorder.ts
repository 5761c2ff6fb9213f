import type { Mode } from '../config/option-spec.js';
import type { SeriesRow } from '../lab-view.js';

/** Running totals read at each sample; the row holds their increase over the second. */
export interface Cumulative {
  invocations: number;
  errors: number;
  throttles: number;
  timeouts: number;
  courier2xx: number;
  courier429: number;
  courier5xx: number;
  courierOther: number;
  retries: number;
  deliveredNow: number;
  deliverySuccesses: number;
  deliveryFailures: number;
}

/** Values read as they are at the sample. */
export interface Gauges {
  concurrency: number;
  concurrencyNotify: number;
  concurrencyDelivery: number;
  queueDepth: number;
  queueInFlight: number;
  accepted: number;
  delivered: number;
  lost: number;
  deadLettered: number;
  inFlight: number;
  loadRate: number;
  mode: Mode;
  courierUp: boolean;
}

const CUMULATIVE_KEYS: readonly (keyof Cumulative)[] = [
  'invocations',
  'errors',
  'throttles',
  'timeouts',
  'courier2xx',
  'courier429',
  'courier5xx',
  'courierOther',
  'retries',
  'deliveredNow',
  'deliverySuccesses',
  'deliveryFailures',
];

/** One row per scenario second. A sample that comes late (a busy thread) still closes every second. */
export class SeriesRecorder {
  readonly rows: SeriesRow[] = [];
  private previous: Cumulative | undefined;

  /** Closes scenario seconds up to `second` (1-based) with what the counters say now. */
  record(second: number, totals: Cumulative, gauges: Gauges): void {
    const prev = this.previous;
    const delta = {} as Cumulative;
    for (const key of CUMULATIVE_KEYS) delta[key] = totals[key] - (prev ? prev[key] : 0);
    this.previous = { ...totals };
    const lastT = this.rows.at(-1)?.t ?? 0;
    // Seconds the sampler missed get rows with zero counts; the counts land in the second they were read.
    for (let t = lastT + 1; t < second; t++) this.rows.push({ t, ...zero(), ...gauges });
    if (second > lastT) this.rows.push({ t: second, ...delta, ...gauges });
  }

  peak(key: keyof Gauges | keyof Cumulative): number {
    let max = 0;
    for (const row of this.rows) {
      const v = row[key];
      if (typeof v === 'number' && v > max) max = v;
    }
    return max;
  }
}

function zero(): Cumulative {
  const z = {} as Cumulative;
  for (const key of CUMULATIVE_KEYS) z[key] = 0;
  return z;
}
