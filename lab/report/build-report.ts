import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Lab } from '../lab.js';
import type { LogCounts } from '../logs/count-log-lines.js';
import type { OrderCounts, SeriesRow } from '../lab-view.js';
import { round } from '../metrics/function-stats.js';
import { costUsd } from '../runtime/billing.js';
import type { HostFigures } from '../metrics/host-monitor.js';
import type { ThresholdResult } from '../thresholds/evaluate-thresholds.js';

export const REPORT_VERSION = 1;

/** The run report (DESIGN section 4). Field names are a contract; more fields are welcome. */
export interface RunReport {
  version: number;
  startedAt: string;
  scenario: { name: string; phases: unknown[] };
  mode: string;
  modeChanges: { t: number; mode: string }[];
  speed: number;
  seed: number;
  config: Record<string, unknown>;
  durationS: number;
  orders: OrderCounts;
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
  };
  retries: { http: number; async: number; redeliveries: number; asyncThrottled: number };
  courierCallsPerOrder: number;
  queue: { peakDepth: number; oldestAgeS: number; dlq: number; remaining: number };
  cost: { requests: number; gbSeconds: number; usd: number };
  logs: {
    file: string;
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
  /** `--threshold` verdicts on this report (issue 13); [] when none was set. */
  thresholds?: ThresholdResult[];
  series: SeriesRow[];
}

/** Options as run, with the API key redacted: a report never carries a secret. */
export function redactedConfig(lab: Lab): Record<string, unknown> {
  const { courier, ...rest } = lab.options;
  return { ...rest, courier: { ...courier, apiKey: '[redacted]' } };
}

export function buildReport(lab: Lab, logCounts: LogCounts | undefined, endedBy: string): RunReport {
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
    },
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
      file: lab.files.log,
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
