import type { LabSnapshot, SeriesRow } from '../../lab/lab-view.js';

/** A literal read model snapshot for tests of what reads one; `over` replaces whole fields. */
export function snapshotWith(over: Partial<LabSnapshot> = {}): LabSnapshot {
  return {
    t: 10,
    state: 'running',
    mode: 'none',
    engine: 'threads',
    scenario: 'smoke',
    phase: undefined,
    speed: 10,
    seed: 1,
    loadRate: 2,
    loadFactor: 1,
    loadPaused: false,
    concurrencyLimit: 1000,
    queueConcurrency: 10,
    throttleRate: 9,
    concurrency: { total: 5, notify: 1, delivery: 4, peak: 12 },
    orders: { accepted: 20, delivered: 10, lost: 2, deadLettered: 0, inFlight: 8, rejected: 0 },
    queue: { visible: 0, inFlight: 0, dlq: 0, oldestAgeS: 0 },
    courier: { requests: 40, byStatus: { '200': 10, '429': 25, '502': 5 }, up: true },
    retries: { http: 20, async: 1, redeliveries: 0 },
    cost: { requests: 30, gbSeconds: 12.3456, usd: 0.0001706421 },
    logFile: 'x.log',
    reportFile: 'x.json',
    ...over,
  };
}

/** A literal series row: zero counts and gauges unless `over` says otherwise. */
export function rowWith(t: number, over: Partial<SeriesRow> = {}): SeriesRow {
  return {
    t,
    invocations: 0,
    errors: 0,
    throttles: 0,
    timeouts: 0,
    courier2xx: 0,
    courier429: 0,
    courier5xx: 0,
    courierOther: 0,
    retries: 0,
    deliveredNow: 0,
    deliverySuccesses: 0,
    deliveryFailures: 0,
    concurrency: 0,
    concurrencyNotify: 0,
    concurrencyDelivery: 0,
    queueDepth: 0,
    queueInFlight: 0,
    accepted: 0,
    delivered: 0,
    lost: 0,
    deadLettered: 0,
    inFlight: 0,
    loadRate: 0,
    mode: 'none',
    ...over,
  };
}
