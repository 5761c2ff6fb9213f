import type { Mode } from '../config/option-spec.js';
import type { SeriesRow } from '../lab-view.js';
import type { CalmGauges } from './calm-gauges.js';

/** Running totals read at each sample; a series row holds their increase over its second. */
export interface Cumulative {
  /** Invocations that ran, all functions. */
  invocations: number;
  /** Function errors, timeouts included. */
  errors: number;
  throttles: number;
  timeouts: number;
  courier2xx: number;
  courier429: number;
  courier5xx: number;
  /** Courier answers of any other status (403, 404), and connections that failed. */
  courierOther: number;
  /** Retries of every kind: in code, asynchronous, queue redeliveries. */
  retries: number;
  /** Orders delivered. */
  deliveredNow: number;
  /** Delivery invocations that succeeded. */
  deliverySuccesses: number;
  /** Delivery invocations that failed (errors and timeouts). */
  deliveryFailures: number;
}

/** Values read as they are at the sample. */
export interface Gauges extends CalmGauges {
  /** Executions in progress, all functions together. */
  concurrency: number;
  concurrencyNotify: number;
  concurrencyDelivery: number;
  /** Messages visible in the queue. */
  queueDepth: number;
  /** Messages received and not yet deleted. */
  queueInFlight: number;
  /** The five order figures are running totals. */
  accepted: number;
  delivered: number;
  lost: number;
  deadLettered: number;
  inFlight: number;
  /** Arrivals per scenario second the load generator aims at. */
  loadRate: number;
  mode: Mode;
  /**
   * False when the built-in courier's thread was down at any moment of this second (an outage); always
   * true with an outside courier.
   */
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
