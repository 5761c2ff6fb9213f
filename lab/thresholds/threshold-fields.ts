/**
 * The report fields a threshold may name: a dotted path into the run report, or a derived share. Each knows
 * how to read itself from a finished report and, when its value can only grow during a run, from the live
 * read model, so `--abort-on-fail` can stop a run whose threshold can no longer be met.
 */
import type { LabSnapshot, SeriesRow } from '../lab-view.js';
import { round } from '../metrics/function-stats.js';

/** What a live check may read: the dashboard's read model. */
export interface LiveView {
  snapshot: LabSnapshot;
  series: readonly SeriesRow[];
}

export interface ThresholdField {
  /** Dotted path, as typed in an expression. */
  name: string;
  /** The value in a finished report (any object shaped like a RunReport); null when it has none. */
  read(report: object): number | null;
  /**
   * The value so far in a live run, only for fields that can only grow while a run goes on (counts, peaks,
   * cost). A lower bound is enough: a grow-only value already past a limit stays past it.
   */
  live?: (view: LiveView) => number | null;
}

/** A number at `path` in `value`, or null (absent, or not a finite number). */
export function numberAt(value: unknown, path: readonly string[]): number | null {
  let at: unknown = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, key)) return null;
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === 'number' && Number.isFinite(at) ? at : null;
}

function hasObjectAt(value: unknown, path: readonly string[]): boolean {
  let at: unknown = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, key)) return false;
    at = (at as Record<string, unknown>)[key];
  }
  return at !== null && typeof at === 'object';
}

const by = (r: object, status: string): number => numberAt(r, ['courier', 'byStatus', status]) ?? 0;

/** `part / whole`, 0 when the whole is 0 (no requests: no share of them was throttled). */
function share(part: number | null, whole: number | null): number | null {
  if (part === null || whole === null) return null;
  return whole === 0 ? 0 : part / whole;
}

function plain(name: string, live?: ThresholdField['live']): ThresholdField {
  const path = name.split('.');
  return { name, read: (r) => numberAt(r, path), ...(live ? { live } : {}) };
}

const sum = (rows: readonly SeriesRow[], key: 'deliveryFailures'): number =>
  rows.reduce((n, row) => n + row[key], 0);

const ORDER_STATES = ['accepted', 'delivered', 'lost', 'deadLettered', 'rejected'] as const;
const FUNCTION_FIGURES = [
  'invocations',
  'errors',
  'throttles',
  'timeouts',
  'coldStarts',
  'peakConcurrency',
  'gbSeconds',
] as const;
/** Statuses the built-in courier answers with, and the classes counted when calling an outside one. */
export const COURIER_STATUSES = ['200', '403', '429', '502', '504', '2xx', '5xx', 'other'] as const;

/**
 * Derived fields (not stored in the report, computed from it):
 * - `courier.share429`, `courier.share5xx`: courier answers 429 (5xx) / courier requests;
 * - `orders.lostShare`, `orders.deadLetteredShare`: lost (dead-lettered) orders / accepted orders;
 * - `functions.delivery.errorShare`: delivery errors / delivery invocations.
 */
function derived(): ThresholdField[] {
  const fivexx = (r: object): number => by(r, '502') + by(r, '504') + by(r, '5xx');
  const requests = (r: object): number | null => numberAt(r, ['courier', 'requests']);
  const accepted = (r: object): number | null => numberAt(r, ['orders', 'accepted']);
  return [
    { name: 'courier.share429', read: (r) => share(by(r, '429'), requests(r)) },
    { name: 'courier.share5xx', read: (r) => share(fivexx(r), requests(r)) },
    { name: 'orders.lostShare', read: (r) => share(numberAt(r, ['orders', 'lost']), accepted(r)) },
    {
      name: 'orders.deadLetteredShare',
      read: (r) => share(numberAt(r, ['orders', 'deadLettered']), accepted(r)),
    },
    {
      name: 'functions.delivery.errorShare',
      read: (r) =>
        share(
          numberAt(r, ['functions', 'delivery', 'errors']),
          numberAt(r, ['functions', 'delivery', 'invocations']),
        ),
    },
  ];
}

function fields(): ThresholdField[] {
  const list: ThresholdField[] = [];
  for (const state of ORDER_STATES) list.push(plain(`orders.${state}`, (v) => v.snapshot.orders[state]));
  list.push(plain('orders.inFlight'), plain('orders.duplicates'));
  list.push(plain('deliverySuccessRate'));
  list.push(plain('peakConcurrency', (v) => v.snapshot.concurrency.peak));
  for (const fn of ['notify', 'delivery'] as const) {
    for (const figure of FUNCTION_FIGURES) {
      const live =
        fn === 'delivery' && figure === 'errors'
          ? (v: LiveView): number => sum(v.series, 'deliveryFailures')
          : undefined;
      list.push(plain(`functions.${fn}.${figure}`, live));
    }
  }
  list.push(plain('courier.requests', (v) => v.snapshot.courier.requests));
  for (const status of COURIER_STATUSES) {
    // Absent from the report means none were answered: 0, not "no value".
    list.push({
      name: `courier.byStatus.${status}`,
      read: (r) => (hasObjectAt(r, ['courier', 'byStatus']) ? by(r, status) : null),
      live: (v) => v.snapshot.courier.byStatus[status] ?? 0,
    });
  }
  list.push(
    plain('courier.peakAdmittedPerSecond'),
    plain('courier.outages'),
    plain('courier.connectionErrors'),
    // null (no value) with an outside courier, which counts nothing for the lab.
    plain('courier.deliveredIds'),
  );
  for (const kind of ['http', 'async', 'redeliveries'] as const)
    list.push(plain(`retries.${kind}`, (v) => v.snapshot.retries[kind]));
  list.push(plain('retries.asyncThrottled'));
  list.push(plain('courierCallsPerOrder'));
  // A long run has thousands of rows: a fold, not a spread into Math.max's arguments.
  list.push(plain('queue.peakDepth', (v) => v.series.reduce((m, row) => Math.max(m, row.queueDepth), 0)));
  list.push(plain('queue.oldestAgeS'), plain('queue.dlq'), plain('queue.remaining'));
  list.push(plain('cost.requests', (v) => v.snapshot.cost.requests));
  list.push(plain('cost.gbSeconds', (v) => round(v.snapshot.cost.gbSeconds, 3)));
  list.push(plain('cost.usd', (v) => round(v.snapshot.cost.usd, 6)));
  list.push(
    plain('lastDeliveryS'),
    plain('durationS', (v) => v.snapshot.t),
  );
  list.push(plain('logs.notifyStart'), plain('logs.deliveryComplete'), plain('logs.deliveryFailed'));
  list.push(plain('host.eventLoopDelayP99Ms'), plain('host.cpuPctOfOneCore'));
  return [...list, ...derived()];
}

export const THRESHOLD_FIELDS: readonly ThresholdField[] = fields();
export const FIELD_BY_NAME: ReadonlyMap<string, ThresholdField> = new Map(
  THRESHOLD_FIELDS.map((f) => [f.name, f]),
);

/**
 * The allowed fields in one short line, sharing prefixes: `orders.{accepted,delivered,...}, peakConcurrency`.
 */
export function allowedFieldsText(): string {
  const groups = new Map<string, string[]>();
  for (const { name } of THRESHOLD_FIELDS) {
    const dot = name.lastIndexOf('.');
    const prefix = dot === -1 ? '' : name.slice(0, dot);
    const list = groups.get(prefix) ?? [];
    list.push(dot === -1 ? name : name.slice(dot + 1));
    groups.set(prefix, list);
  }
  return [...groups]
    .flatMap(([prefix, names]) =>
      prefix === ''
        ? names
        : [names.length === 1 ? `${prefix}.${names[0]}` : `${prefix}.{${names.join(',')}}`],
    )
    .join(', ');
}
