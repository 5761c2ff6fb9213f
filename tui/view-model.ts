/**
 * The dashboard's pure view model: lab snapshot and per-second series in, chart data, gauges, table rows and
 * bar segments out. No blessed here, so every number on screen is tested without a terminal. Each function
 * is O(rows in the window) per frame; charts are reduced to at most one point per canvas pixel.
 */
import { BEHIND_SHARE } from './speed-meter.js';
import type { LabSnapshot, SeriesRow } from '../lab/lab-view.js';
import type { Mode } from '../lab/config/option-spec.js';
import {
  fmtClock,
  fmtCount,
  fmtDuration,
  fmtFactor,
  fmtPct,
  fmtRate,
  fmtUsd,
  escapeTags,
  type Segment,
} from './format.js';
import { faultSegment } from './fault-view.js';

/** The 8 basic colours only: they look the same under every terminfo fallback. */
export type Colour = 'black' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'white';

export type Tone = 'good' | 'warn' | 'bad' | 'none';
export const TONE_COLOUR: Record<Tone, Colour> = { good: 'green', warn: 'yellow', bad: 'red', none: 'white' };

/** Which part of the run the charts show: `spanS` scenario seconds (undefined: all of it), ending `endOffsetS` before now. */
export interface TimeWindow {
  spanS: number | undefined;
  endOffsetS: number;
}

/** Zoom steps for Up/Down on a chart: whole run, then 15, 5 and 1 scenario minutes. */
export const ZOOM_SPANS: readonly (number | undefined)[] = [undefined, 900, 300, 60];

export const WHOLE_RUN: TimeWindow = { spanS: undefined, endOffsetS: 0 };

/** Row indices [start, end) of the window over `length` rows. */
export function windowBounds(length: number, w: TimeWindow): { start: number; end: number } {
  const end = Math.max(0, Math.min(length, length - w.endOffsetS));
  const start = w.spanS === undefined ? 0 : Math.max(0, end - w.spanS);
  return { start, end };
}

export function windowText(w: TimeWindow): string {
  const span = w.spanS === undefined ? 'whole run' : `last ${fmtDuration(w.spanS)}`;
  return w.endOffsetS > 0 ? `${span}, ${fmtDuration(w.endOffsetS)} ago` : span;
}

/** Bucket edges splitting rows [start, end) into at most `points` buckets of near-equal size. */
export function bucketEdges(start: number, end: number, points: number): number[] {
  const n = end - start;
  const b = Math.max(1, Math.min(n, Math.floor(points)));
  const edges: number[] = [];
  for (let i = 0; i <= b; i++) edges.push(start + Math.floor((i * n) / b));
  return edges;
}

/** One value per bucket of `at(i)`: the bucket's max (for gauges such as concurrency) or mean (for per-second counts). */
export function reduceBuckets(
  edges: readonly number[],
  at: (index: number) => number,
  how: 'max' | 'mean',
): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const from = edges[i]!;
    const to = edges[i + 1]!;
    let acc = 0;
    for (let j = from; j < to; j++) {
      const v = at(j);
      acc = how === 'max' ? (v > acc ? v : acc) : acc + v;
    }
    out.push(how === 'mean' && to > from ? acc / (to - from) : acc);
  }
  return out;
}

/** A y-axis top above `v` with 10% headroom, on a 1-1.2-1.5-2-2.5-3-4-5-6-8 ladder; at least 5. */
export function niceMax(v: number): number {
  const target = Math.max(5, v * 1.1);
  const p = 10 ** Math.floor(Math.log10(target));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    if (m * p >= target) return Math.round(m * p * 1000) / 1000;
  }
  return 10 * p;
}

/** Downsamples one series to at most `points` values (charts and sparklines). */
export function downsample(values: readonly number[], points: number, how: 'max' | 'mean'): number[] {
  return reduceBuckets(bucketEdges(0, values.length, points), (i) => values[i]!, how);
}

export interface ChartSeries {
  title: string;
  colour: Colour;
  y: number[];
  /** Current value for the legend, already formatted. */
  readout: string;
  /** Reference lines (limit, queue cap) are drawn flat and do not count as data. */
  reference?: boolean;
}

export interface ChartModel {
  title: string;
  /** Unit shown next to the title: every panel says what it counts. */
  unit: string;
  x: string[];
  series: ChartSeries[];
  maxY: number;
  /** Said in the colour key when a reference line is off the scale. */
  note?: string;
  window: TimeWindow;
}

interface SeriesSpec {
  title: string;
  colour: Colour;
  pick: (r: SeriesRow) => number;
  how: 'max' | 'mean';
  readout: (last: SeriesRow | undefined) => string;
  /** Shown only when some value in the window is above zero. */
  optional?: boolean;
}

function buildChart(
  rows: readonly SeriesRow[],
  window: TimeWindow,
  points: number,
  title: string,
  unit: string,
  specs: readonly SeriesSpec[],
): { model: ChartModel; dataMax: number } {
  const { start, end } = windowBounds(rows.length, window);
  const edges = bucketEdges(start, end, points);
  const x = end > start ? edges.slice(1).map((e) => fmtClock(rows[e - 1]!.t)) : ['00:00'];
  const last = end > 0 ? rows[end - 1] : undefined;
  let dataMax = 0;
  const series: ChartSeries[] = [];
  for (const spec of specs) {
    const y = end > start ? reduceBuckets(edges, (i) => spec.pick(rows[i]!), spec.how) : [0];
    let m = 0;
    for (const v of y) if (v > m) m = v;
    if (spec.optional && m === 0) continue;
    if (m > dataMax) dataMax = m;
    series.push({ title: spec.title, colour: spec.colour, y, readout: spec.readout(last) });
  }
  return { model: { title, unit, x, series, maxY: niceMax(dataMax), window }, dataMax };
}

/**
 * Concurrency: total, delivery and notify executions, with the account limit and (in queue modes) the
 * queue's MaximumConcurrency as flat reference lines. The limit joins the scale only once the data reaches
 * a fifth of it, so a calm queue-mode run is not squashed flat against the bottom.
 */
export function concurrencyChart(
  rows: readonly SeriesRow[],
  snap: LabSnapshot,
  window: TimeWindow,
  points: number,
): ChartModel {
  const { model, dataMax } = buildChart(rows, window, points, 'Concurrency', 'executions', [
    {
      title: 'total',
      colour: 'yellow',
      pick: (r) => r.concurrency,
      how: 'max',
      readout: () => fmtCount(snap.concurrency.total),
    },
    {
      title: 'delivery',
      colour: 'green',
      pick: (r) => r.concurrencyDelivery,
      how: 'max',
      readout: () => fmtCount(snap.concurrency.delivery),
    },
    {
      title: 'notify',
      colour: 'cyan',
      pick: (r) => r.concurrencyNotify,
      how: 'max',
      readout: () => fmtCount(snap.concurrency.notify),
    },
  ]);
  const n = model.x.length;
  let top = dataMax;
  const limit = snap.concurrencyLimit;
  const limitOnScale = dataMax >= limit / 5;
  if (limitOnScale) {
    top = Math.max(top, limit);
    model.series.push({
      title: 'limit',
      colour: 'red',
      y: new Array<number>(n).fill(limit),
      readout: fmtCount(limit),
      reference: true,
    });
  } else {
    model.note = `limit ${fmtCount(limit)} (off scale)`;
  }
  if (snap.mode !== 'none') {
    const cap = snap.queueConcurrency;
    if (rows.some((r) => r.limit !== undefined)) {
      // The poller's limit moves (the ESM ramp, an adaptive limit): draw its history, not a flat cap.
      const limitLine = buildChart(rows, window, points, '', '', [
        {
          title: 'queue limit',
          colour: 'magenta',
          pick: (r) => r.limit ?? cap,
          how: 'max',
          readout: () => fmtCount(cap),
        },
      ]);
      top = Math.max(top, limitLine.dataMax);
      model.series.push(...limitLine.model.series);
    } else {
      top = Math.max(top, cap);
      model.series.push({
        title: 'queue cap',
        colour: 'magenta',
        y: new Array<number>(n).fill(cap),
        readout: fmtCount(cap),
        reference: true,
      });
    }
  }
  model.maxY = niceMax(top);
  return model;
}

/** Invocations, errors, throttles and retries per scenario second (bucket means when downsampled). */
export function ratesChart(rows: readonly SeriesRow[], window: TimeWindow, points: number): ChartModel {
  return buildChart(rows, window, points, 'Functions', 'per second', [
    {
      title: 'invocations',
      colour: 'cyan',
      pick: (r) => r.invocations,
      how: 'mean',
      readout: (l) => fmtRate(l?.invocations ?? 0),
    },
    {
      title: 'errors',
      colour: 'red',
      pick: (r) => r.errors + r.timeouts,
      how: 'mean',
      readout: (l) => fmtRate((l?.errors ?? 0) + (l?.timeouts ?? 0)),
    },
    {
      title: 'throttles',
      colour: 'magenta',
      pick: (r) => r.throttles,
      how: 'mean',
      readout: (l) => fmtRate(l?.throttles ?? 0),
    },
    {
      title: 'retries',
      colour: 'yellow',
      pick: (r) => r.retries,
      how: 'mean',
      readout: (l) => fmtRate(l?.retries ?? 0),
    },
  ]).model;
}

/** The courier's answers per scenario second by status; `other` (403, connection errors) only when seen. */
export function courierChart(rows: readonly SeriesRow[], window: TimeWindow, points: number): ChartModel {
  return buildChart(rows, window, points, 'Courier answers', 'per second', [
    {
      title: '200',
      colour: 'green',
      pick: (r) => r.courier2xx,
      how: 'mean',
      readout: (l) => fmtRate(l?.courier2xx ?? 0),
    },
    {
      title: '429',
      colour: 'yellow',
      pick: (r) => r.courier429,
      how: 'mean',
      readout: (l) => fmtRate(l?.courier429 ?? 0),
    },
    {
      title: '5xx',
      colour: 'red',
      pick: (r) => r.courier5xx,
      how: 'mean',
      readout: (l) => fmtRate(l?.courier5xx ?? 0),
    },
    {
      title: 'other',
      colour: 'white',
      pick: (r) => r.courierOther,
      how: 'mean',
      readout: (l) => fmtRate(l?.courierOther ?? 0),
      optional: true,
    },
  ]).model;
}

/** Sums of the last `seconds` rows (the gauges' "last scenario minute"). */
function recent(rows: readonly SeriesRow[], seconds: number): (pick: (r: SeriesRow) => number) => number {
  const from = Math.max(0, rows.length - seconds);
  return (pick) => {
    let s = 0;
    for (let i = from; i < rows.length; i++) s += pick(rows[i]!);
    return s;
  };
}

export interface GaugeModel {
  label: string;
  /** For one-line gauges in narrow panes. */
  short: string;
  /** 0..1, or undefined when there is nothing to measure yet. */
  fraction: number | undefined;
  /** The counts behind the fraction, for wide layouts. */
  detail: string;
  tone: Tone;
}

function tone(fraction: number | undefined, good: number, warn: number, highIsGood: boolean): Tone {
  if (fraction === undefined) return 'none';
  if (highIsGood) return fraction >= good ? 'good' : fraction >= warn ? 'warn' : 'bad';
  return fraction <= good ? 'good' : fraction <= warn ? 'warn' : 'bad';
}

const ratio = (a: number, b: number): number | undefined =>
  b > 0 ? Math.min(1, Math.max(0, a / b)) : undefined;

/** The four gauges; "last minute" means the last 60 scenario seconds of the series. */
export function gauges(rows: readonly SeriesRow[], snap: LabSnapshot): GaugeModel[] {
  const sum = recent(rows, 60);
  const ok = sum((r) => r.deliverySuccesses);
  const failed = sum((r) => r.deliveryFailures);
  const c200 = sum((r) => r.courier2xx);
  const calls = c200 + sum((r) => r.courier429 + r.courier5xx + r.courierOther);
  const retries = sum((r) => r.retries);
  const delivery = ratio(ok, ok + failed);
  const courier = ratio(c200, calls);
  const conc = ratio(snap.concurrency.total, snap.concurrencyLimit);
  const retry = ratio(retries, calls);
  return [
    {
      label: 'delivery ok, last minute',
      short: 'delivery ok',
      fraction: delivery,
      detail: `${fmtCount(ok)} of ${fmtCount(ok + failed)} invocations`,
      tone: tone(delivery, 0.95, 0.8, true),
    },
    // The courier fails a fifth of admitted calls by design, so 75% is as good as it gets.
    {
      label: 'courier 200s, last minute',
      short: 'courier 200s',
      fraction: courier,
      detail: `${fmtCount(c200)} of ${fmtCount(calls)} calls`,
      tone: tone(courier, 0.75, 0.5, true),
    },
    {
      label: 'concurrency of limit, now',
      short: 'conc/limit',
      fraction: conc,
      detail: `${fmtCount(snap.concurrency.total)} of ${fmtCount(snap.concurrencyLimit)}`,
      tone: tone(conc, 0.5, 0.8, false),
    },
    {
      label: 'retries per courier call, last minute',
      short: 'retries/calls',
      fraction: retry,
      detail: `${fmtCount(retries)} of ${fmtCount(calls)} calls`,
      tone: tone(retry, 0.3, 0.5, false),
    },
  ];
}

export interface TableRow {
  label: string;
  value: string;
  tone: Tone;
}

/** The orders table: the eight fields the issue names, then extras for tall panes (first rows matter most). */
export function ordersTable(snap: LabSnapshot): TableRow[] {
  const o = snap.orders;
  const share = o.accepted > 0 ? ` ${fmtPct(o.delivered / o.accepted)}` : '';
  const perOrder = o.accepted > 0 ? (snap.courier.requests / o.accepted).toFixed(1) : '-';
  const retries = snap.retries.http + snap.retries.async + snap.retries.redeliveries;
  return [
    { label: 'accepted', value: fmtCount(o.accepted), tone: 'none' },
    { label: 'delivered', value: `${fmtCount(o.delivered)}${share}`, tone: 'good' },
    { label: 'in flight', value: fmtCount(o.inFlight), tone: 'none' },
    { label: 'queued', value: fmtCount(snap.queue.visible), tone: 'none' },
    { label: 'lost', value: fmtCount(o.lost), tone: o.lost > 0 ? 'bad' : 'none' },
    { label: 'dead-lettered', value: fmtCount(o.deadLettered), tone: o.deadLettered > 0 ? 'warn' : 'none' },
    {
      label: 'oldest queued',
      value: fmtDuration(snap.queue.oldestAgeS),
      tone: snap.queue.oldestAgeS > 300 ? 'warn' : 'none',
    },
    { label: 'cost so far', value: fmtUsd(snap.cost.usd), tone: 'none' },
    { label: 'courier calls/order', value: perOrder, tone: Number(perOrder) > 2 ? 'warn' : 'none' },
    { label: 'retries (all kinds)', value: fmtCount(retries), tone: 'none' },
    { label: 'peak concurrency', value: fmtCount(snap.concurrency.peak), tone: 'none' },
    { label: 'rejected at ingress', value: fmtCount(o.rejected), tone: o.rejected > 0 ? 'warn' : 'none' },
    { label: 'courier requests', value: fmtCount(snap.courier.requests), tone: 'none' },
    { label: 'GB-seconds', value: snap.cost.gbSeconds.toFixed(1), tone: 'none' },
  ];
}

export const MODE_COLOUR: Record<Mode, Colour> = { none: 'red', queue: 'green', throttle: 'cyan' };

function stateText(snap: LabSnapshot): { text: string; colour: Colour } {
  if (snap.state === 'stopped') return { text: 'FINISHED', colour: 'white' };
  if (snap.state === 'starting') return { text: 'STARTING', colour: 'yellow' };
  if (snap.loadPaused) return { text: 'LOAD PAUSED', colour: 'yellow' };
  if (snap.state === 'draining') return { text: 'DRAINING', colour: 'cyan' };
  return { text: 'RUNNING', colour: 'green' };
}

/**
 * `virtual 200x`, or, when the run is measurably behind its --speed (`reached` scenario seconds per real
 * second, from the frames), `virtual 1000x, at 240x` in yellow.
 */
function speedSegment(snap: LabSnapshot, reached: number | undefined): Segment {
  const running = snap.state === 'running' || snap.state === 'draining';
  if (!running || reached === undefined || reached >= snap.speed * BEHIND_SHARE)
    return { text: `${snap.engine} ${snap.speed}x`, priority: 3 };
  const at = reached >= 10 ? Math.round(reached) : Math.round(reached * 10) / 10;
  return { text: `${snap.engine} ${snap.speed}x, at ${at}x`, priority: 3, tag: 'yellow-fg' };
}

/** The status bar, most important first; the bar drops whole segments from the end of this ranking. */
export function statusSegments(snap: LabSnapshot, reached?: number): Segment[] {
  const st = stateText(snap);
  const p = snap.phase;
  const time = p ? `t ${fmtClock(snap.t)}/${fmtClock(p.totalS)}` : `t ${fmtClock(snap.t)}`;
  // No phase: the scenario is `external` (outside clients drive the load) or its phases are over.
  const phase = p
    ? `phase ${p.index + 1}/${p.count}${p.name ? ` ${p.name}` : ''}`
    : snap.scenario === 'external'
      ? 'external load'
      : 'load done';
  const fault = faultSegment(snap);
  return [
    { text: ` MODE ${snap.mode.toUpperCase()} `, priority: 0, tag: `black-fg}{${MODE_COLOUR[snap.mode]}-bg` },
    ...(fault ? [fault] : []),
    { text: time, priority: 1 },
    { text: st.text, priority: 1, tag: `${st.colour}-fg` },
    { text: `load ${fmtRate(snap.loadRate)}/s ${fmtFactor(snap.loadFactor)}`, priority: 2 },
    // The engine with its speed: `virtual 200x` paces a one-thread run, `threads 10x` scales real threads.
    speedSegment(snap, reached),
    { text: escapeTags(phase), priority: 4 },
    ...calmSegments(snap),
    { text: `seed ${snap.seed}`, priority: 5 },
    { text: escapeTags(snap.scenario), priority: 6 },
  ];
}

/** Issue 12: the policies in force, when they differ from the seed's (fixed cap, tenacity, no breaker). */
function calmSegments(snap: LabSnapshot): Segment[] {
  const c = snap.calm;
  if (!c) return [];
  const out: Segment[] = [];
  if (c.queueLimit !== 'fixed') out.push({ text: `limit ${c.queueLimit} ${c.limit}`, priority: 3 });
  const g = c.guards;
  if (g.retryPolicy !== 'tenacity') {
    const budget = ['sdk-standard', 'grpc-throttle', 'retry-bucket'].includes(g.retryPolicy);
    out.push({ text: `retries ${g.retryPolicy}${budget ? `/${g.retryBudgetScope}` : ''}`, priority: 3 });
  }
  if (g.breaker.mode !== 'off')
    out.push({ text: `breaker ${g.breaker.mode}/${g.breaker.scope}`, priority: 3 });
  return out;
}
