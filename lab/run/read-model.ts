/**
 * The run's figures as the sampler, the dashboard and the report read them: one place that sums the
 * pipeline's, the handlers' and the courier's counters, so a snapshot and a series row can never disagree.
 */
import type { LabSnapshot } from '../lab-view.js';
import { calmGauges, calmSnapshot } from '../metrics/calm-gauges.js';
import type { Cumulative, Gauges } from '../metrics/series-recorder.js';
import { costUsd } from '../runtime/billing.js';
import type { LabRun } from './lab-run.js';
import type { CourierCounts } from './engine.js';

type CourierClasses = Pick<Cumulative, 'courier2xx' | 'courier429' | 'courier5xx' | 'courierOther'>;

/**
 * Courier answers by class. The built-in courier keys by status code; callers of an outside courier count
 * "2xx", "429", "5xx", "other" and "connectionError". Connections that never reached the built-in courier
 * are not in its counts, so they come in as `unreached`.
 */
export function courierClasses(byStatus: Record<string, number>, unreached: number): CourierClasses {
  const out: CourierClasses = { courier2xx: 0, courier429: 0, courier5xx: 0, courierOther: unreached };
  for (const [status, n] of Object.entries(byStatus)) {
    const code = Number(status);
    if (status === '2xx' || (code >= 200 && code < 300)) out.courier2xx += n;
    else if (status === '429' || code === 429) out.courier429 += n;
    else if (status === '5xx' || code >= 500) out.courier5xx += n;
    else out.courierOther += n;
  }
  return out;
}

/** Retries of every kind so far: in code (the handlers'), asynchronous invoke, queue redeliveries. */
export function retryCounts(run: LabRun): { http: number; async: number; redeliveries: number } {
  const p = run.pipeline;
  return {
    http: run.counters.get('httpRetries'),
    async: p.retries.async,
    redeliveries: p.queue.totals.redeliveries,
  };
}

function courierClassesOf(run: LabRun, counts: CourierCounts): CourierClasses {
  // An outside courier's callers count their connection errors in byStatus already.
  const unreached = !run.engine.courierBuiltIn ? 0 : run.counters.get('connectionErrors');
  return courierClasses(counts.byStatus, unreached);
}

/** Totals and gauges for the series row of the second being closed; `counts`: the courier's, read once. */
export function buildSample(
  run: LabRun,
  counts: CourierCounts,
  noOutageSinceLast: boolean,
): { totals: Cumulative; gauges: Gauges } {
  const p = run.pipeline;
  const now = run.clock.now();
  const retries = retryCounts(run);
  const totals: Cumulative = {
    invocations: p.stats.notify.invocations + p.stats.delivery.invocations,
    errors: p.stats.notify.errors + p.stats.delivery.errors,
    throttles: p.stats.notify.throttles + p.stats.delivery.throttles,
    timeouts: p.stats.notify.timeouts + p.stats.delivery.timeouts,
    ...courierClassesOf(run, counts),
    retries: retries.http + retries.async + retries.redeliveries,
    deliveredNow: p.orders.delivered,
    deliverySuccesses: p.stats.delivery.successes,
    deliveryFailures: p.stats.delivery.errors,
  };
  const gauges: Gauges = {
    concurrency: p.concurrency.inUse,
    concurrencyNotify: p.concurrency.of('notify'),
    concurrencyDelivery: p.concurrency.of('delivery'),
    queueDepth: p.queue.visibleCount(now),
    queueInFlight: p.queue.inFlightCount(now),
    accepted: p.orders.accepted,
    delivered: p.orders.delivered,
    lost: p.orders.lost,
    deadLettered: p.orders.deadLettered,
    inFlight: p.orders.inFlight,
    loadRate: run.load?.snapshot().rate ?? 0,
    mode: p.mode,
    // Down at any moment since the last sample: an outage shorter than a second still shows.
    courierUp: run.engine.courierUp && noOutageSinceLast,
    ...calmGauges(p),
  };
  return { totals, gauges };
}

export function buildSnapshot(run: LabRun): LabSnapshot {
  const p = run.pipeline;
  const now = run.clock.now();
  const load = run.load?.snapshot();
  const courier = run.engine.courierCounts();
  const requests = p.stats.notify.invocations + p.stats.delivery.invocations;
  const gbS = p.stats.notify.gbSeconds + p.stats.delivery.gbSeconds;
  return {
    t: run.durationS,
    state: run.lifecycle,
    mode: p.mode,
    engine: run.kind,
    scenario: run.scenario.name,
    phase: load?.phase,
    speed: run.options.speed,
    seed: run.options.seed,
    loadRate: load?.rate ?? 0,
    loadFactor: load?.factor ?? 1,
    loadPaused: load?.paused ?? false,
    concurrencyLimit: p.concurrency.limit,
    queueConcurrency: p.queueConcurrency,
    throttleRate: run.throttle.rate,
    concurrency: {
      total: p.concurrency.inUse,
      notify: p.concurrency.of('notify'),
      delivery: p.concurrency.of('delivery'),
      peak: p.concurrency.peak,
    },
    orders: {
      accepted: p.orders.accepted,
      delivered: p.orders.delivered,
      lost: p.orders.lost,
      deadLettered: p.orders.deadLettered,
      inFlight: p.orders.inFlight,
      rejected: p.orders.rejected,
    },
    queue: {
      visible: p.queue.visibleCount(now),
      inFlight: p.queue.inFlightCount(now),
      dlq: p.queue.dlqCount,
      oldestAgeS: p.queue.oldestAgeS(now),
    },
    courier: { requests: courier.requests, byStatus: courier.byStatus, up: courier.up },
    retries: retryCounts(run),
    cost: { requests, gbSeconds: gbS, usd: costUsd(requests, gbS) },
    logFile: run.files.log ?? 'none',
    reportFile: run.files.report,
    calm: calmSnapshot(p),
  };
}
