import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LabRun } from '../run/lab-run.js';
import type { LogCounts } from '../logs/count-log-lines.js';
import type { OrderCounts, SeriesRow } from '../lab-view.js';
import { round } from '../metrics/function-stats.js';
import { costUsd } from '../runtime/billing.js';
import type { HostFigures } from '../metrics/host-monitor.js';

export const REPORT_VERSION = 2;

/** What a report is built from: a run of either engine, read through its neutral parts. */
export type RunView = Pick<
  LabRun,
  | 'options'
  | 'scenario'
  | 'startedAt'
  | 'files'
  | 'pipeline'
  | 'counters'
  | 'durationS'
  | 'kind'
  | 'queuePeaks'
  | 'host'
  | 'engine'
  | 'courierCounts'
  | 'series'
>;

/**
 * Counts that could disagree with the order book if a rule were broken: each comes from another place.
 * `duplicates`: settlements of an order already settled (must be 0). `deliveredWithoutCourier200`: orders
 * the lab calls delivered for which the courier itself never answered 200 (must be 0; null for an outside
 * courier). `ingressAccepted`: 200s the ingress answered, which must equal `orders.accepted`.
 */
export interface OrderChecks {
  duplicates: number;
  deliveredWithoutCourier200: number | null;
  ingressAccepted: number;
  ok: boolean;
}

/** The run report (DESIGN section 4). Field names are a contract; more fields are welcome. */
export interface RunReport {
  version: number;
  startedAt: string;
  scenario: { name: string; phases: unknown[] };
  mode: string;
  engine: string;
  modeChanges: { t: number; mode: string }[];
  speed: number;
  seed: number;
  config: Record<string, unknown>;
  durationS: number;
  orders: OrderCounts & { duplicates: number };
  checks: OrderChecks;
  deliverySuccessRate: number;
  functions: Record<'notify' | 'delivery', Record<string, number>>;
  peakConcurrency: number;
  courier: {
    requests: number;
    byStatus: Record<string, number>;
    peakAdmittedPerSecond: number;
    outages: number;
    /** Calls that never reached the courier (its thread down, or an outside API unreachable). */
    connectionErrors: number;
    /** Distinct correlation ids the courier answered 200, counted by the courier (null: outside courier). */
    deliveredIds: number | null;
  };
  retries: { http: number; async: number; redeliveries: number; asyncThrottled: number };
  courierCallsPerOrder: number;
  queue: { peakDepth: number; oldestAgeS: number; dlq: number; remaining: number };
  cost: { requests: number; gbSeconds: number; usd: number };
  logs: {
    /** null with `--log-file none`: no file, and the counts below are 0. */
    file: string | null;
    notifyStart: number;
    deliveryComplete: number;
    deliveryFailed: number;
    lines: number;
  };
  /** Scenario seconds at which the last order was delivered (null if none was). */
  lastDeliveryS: number | null;
  /** The machine's load during the run; a p99 event-loop delay above 50 ms bends the scenario's timing. */
  host: HostFigures;
  /** What ended the run: the load finishing, a drain, a signal, or an error. */
  endedBy: string;
  series: SeriesRow[];
}

/** Options as run, with the API key redacted: a report never carries a secret. */
export function redactedConfig(lab: Pick<RunView, 'options'>): Record<string, unknown> {
  const { courier, ...rest } = lab.options;
  return { ...rest, courier: { ...courier, apiKey: '[redacted]' } };
}

export function orderChecks(run: RunView): OrderChecks {
  const book = run.pipeline.orders;
  const courierIds = run.engine.deliveredIds();
  let missing: number | null = null;
  if (courierIds) {
    missing = 0;
    for (const id of book.deliveredIds) if (!courierIds.has(id)) missing++;
  }
  const ingressAccepted = run.engine.ingressAccepted;
  return {
    duplicates: book.duplicates,
    deliveredWithoutCourier200: missing,
    ingressAccepted,
    ok: book.duplicates === 0 && (missing ?? 0) === 0 && ingressAccepted === book.accepted,
  };
}

export function buildReport(lab: RunView, logCounts: LogCounts | undefined, endedBy: string): RunReport {
  const p = lab.pipeline;
  const courier = lab.courierCounts();
  const notify = p.stats.notify;
  const delivery = p.stats.delivery;
  const requests = notify.invocations + delivery.invocations;
  const gbS = notify.gbSeconds + delivery.gbSeconds;
  const accepted = p.orders.accepted;
  const lastDelivery = p.orders.lastDeliveryMs;
  return {
    version: REPORT_VERSION,
    startedAt: lab.startedAt.toISOString(),
    scenario: { name: lab.scenario.name, phases: [...lab.scenario.phases] },
    mode: lab.options.mode,
    engine: lab.kind,
    modeChanges: p.modeChanges.map((c) => ({ t: round(c.t, 3), mode: c.mode })),
    speed: lab.options.speed,
    seed: lab.options.seed,
    config: redactedConfig(lab),
    durationS: round(lab.durationS, 3),
    orders: {
      accepted,
      delivered: p.orders.delivered,
      lost: p.orders.lost,
      deadLettered: p.orders.deadLettered,
      inFlight: p.orders.inFlight,
      rejected: p.orders.rejected,
      duplicates: p.orders.duplicates,
    },
    checks: orderChecks(lab),
    deliverySuccessRate: accepted === 0 ? 0 : round(p.orders.delivered / accepted, 4),
    functions: {
      notify: notify.toJSON(p.concurrency.peakByFn.notify),
      delivery: delivery.toJSON(p.concurrency.peakByFn.delivery),
    },
    peakConcurrency: p.concurrency.peak,
    courier: {
      requests: courier.requests,
      byStatus: courier.byStatus,
      peakAdmittedPerSecond: courier.peakAdmittedPerSecond,
      outages: courier.outages,
      connectionErrors: lab.counters.get('connectionErrors'),
      deliveredIds: lab.engine.deliveredIds()?.size ?? null,
    },
    retries: {
      http: lab.counters.get('httpRetries'),
      async: p.retries.async,
      redeliveries: p.queue.totals.redeliveries,
      asyncThrottled: p.retries.asyncThrottled,
    },
    courierCallsPerOrder: accepted === 0 ? 0 : round(courier.requests / accepted, 3),
    queue: {
      peakDepth: lab.queuePeaks.depth,
      oldestAgeS: round(lab.queuePeaks.oldestAgeS, 1),
      dlq: p.queue.dlqCount,
      remaining: p.queue.size,
    },
    cost: { requests, gbSeconds: round(gbS, 3), usd: round(costUsd(requests, gbS), 6) },
    logs: {
      file: lab.files.log ?? null,
      notifyStart: logCounts?.notifyStart ?? 0,
      deliveryComplete: logCounts?.deliveryComplete ?? 0,
      deliveryFailed: logCounts?.deliveryFailed ?? 0,
      lines: logCounts?.lines ?? 0,
    },
    lastDeliveryS: lastDelivery === undefined ? null : round(lastDelivery / 1000, 3),
    host: lab.host.figures(),
    endedBy,
    series: [...lab.series()],
  };
}

/** Writes the report whole or not at all (a crash mid-write leaves the previous one). */
export function writeReportFile(path: string, report: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(report, null, 1) + '\n');
  renameSync(tmp, path);
}
