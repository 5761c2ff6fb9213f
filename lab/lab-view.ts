/**
 * What the dashboard (and anything else that watches a run) may read and call. The lab owns all state;
 * a view reads snapshots and the per-second series, and changes the run only through these controls.
 */
import type { LabOptions } from './config/parse-options.js';
import type { Mode } from './config/option-spec.js';
import type { LogRecord } from './logs/log-record.js';
import type { Cumulative, Gauges } from './metrics/series-recorder.js';
import type { EngineKind } from './run/engine.js';

/**
 * One scenario second: the counts of that second (`Cumulative`'s fields) and the gauges at its sample.
 * `courierUp` is absent in rows not made by a lab run.
 */
export type SeriesRow = {
  /** Scenario second this row closes (1 for the first second). */
  t: number;
} & Cumulative &
  Omit<Gauges, 'courierUp'> & { courierUp?: boolean };

/** Where the orders stand: accepted = delivered + lost + deadLettered + inFlight; rejected never entered. */
export interface OrderCounts {
  accepted: number;
  delivered: number;
  lost: number;
  deadLettered: number;
  inFlight: number;
  rejected: number;
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
  engine: EngineKind;
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
  orders: OrderCounts;
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
