/**
 * What the dashboard (and anything else that watches a run) may read and call. The lab owns all state;
 * a view reads snapshots and the per-second series, and changes the run only through these controls.
 */
import type { LabOptions } from './config/parse-options.js';
import type { Mode } from './config/option-spec.js';
import type { LogRecord } from './logs/log-record.js';

/** One scenario second. Counts are for that second, except the gauges noted. */
export interface SeriesRow {
  /** Scenario second this row closes (1 for the first second). */
  t: number;
  /** Gauge at the sample: executions in progress, all functions together. */
  concurrency: number;
  concurrencyNotify: number;
  concurrencyDelivery: number;
  invocations: number;
  errors: number;
  throttles: number;
  timeouts: number;
  courier2xx: number;
  courier429: number;
  courier5xx: number;
  /** Courier answers of any other status (403, 404, connection errors). */
  courierOther: number;
  /** Retries of every kind started in this second: in code, asynchronous, queue redeliveries. */
  retries: number;
  /** Gauge at the sample: messages visible in the queue. */
  queueDepth: number;
  /** Gauge at the sample: messages received and not yet deleted. */
  queueInFlight: number;
  /** Running totals. */
  accepted: number;
  delivered: number;
  lost: number;
  deadLettered: number;
  inFlight: number;
  /** Orders delivered in this second (not a running total). */
  deliveredNow: number;
  /** Delivery invocations that succeeded in this second. */
  deliverySuccesses: number;
  /** Delivery invocations that failed (errors and timeouts) in this second. */
  deliveryFailures: number;
  /** Arrivals per scenario second the load generator aims at, at the sample. */
  loadRate: number;
  mode: Mode;
  /**
   * False when the built-in courier's thread was down at any moment of this second (an outage); always
   * true with an outside courier. Absent in rows not made by a lab run.
   */
  courierUp?: boolean;
}

export interface PhaseInfo {
  index: number;
  count: number;
  name: string;
  /** Scenario seconds into the whole scenario. */
  elapsedS: number;
  totalS: number;
}

export interface LabSnapshot {
  /** Scenario seconds since the run started. */
  t: number;
  state: 'starting' | 'running' | 'draining' | 'stopped';
  mode: Mode;
  scenario: string;
  phase: PhaseInfo | undefined;
  speed: number;
  seed: number;
  loadRate: number;
  loadFactor: number;
  loadPaused: boolean;
  concurrencyLimit: number;
  queueConcurrency: number;
  throttleRate: number;
  concurrency: { total: number; notify: number; delivery: number; peak: number };
  orders: {
    accepted: number;
    delivered: number;
    lost: number;
    deadLettered: number;
    inFlight: number;
    rejected: number;
  };
  queue: { visible: number; inFlight: number; dlq: number; oldestAgeS: number };
  courier: { requests: number; byStatus: Record<string, number>; up: boolean };
  retries: { http: number; async: number; redeliveries: number };
  cost: { requests: number; gbSeconds: number; usd: number };
  logFile: string;
  reportFile: string;
}

export type LogListener = (record: LogRecord) => void;

export interface LabSession {
  readonly options: LabOptions;
  snapshot(): LabSnapshot;
  /** Every closed scenario second so far, oldest first (the same array grows; do not mutate). */
  series(): readonly SeriesRow[];
  subscribeLogs(listener: LogListener): () => void;
  setMode(mode: Mode): void;
  /** Multiplies the scenario's arrival rate (1 = as written). */
  setLoadFactor(factor: number): void;
  setLoadPaused(paused: boolean): void;
  setQueueConcurrency(n: number): void;
  setThrottleRate(rate: number): void;
  /** Stops this run and starts the same scenario again from scenario time 0. */
  restart(): Promise<void>;
  /** Writes a report of the run so far; resolves to its path. */
  writeSnapshot(): Promise<string>;
}
