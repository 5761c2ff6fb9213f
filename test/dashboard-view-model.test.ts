import t from 'tap';
import type { LabSnapshot, SeriesRow } from '../lab/lab-view.js';
import { labOptionsWith } from '../lab/config/parse-options.js';
import { createRun } from '../lab/run/create-run.js';
import type { VirtualClock } from '../lab/time/clock.js';
import {
  fitSegments,
  fitText,
  fitWords,
  fmtClock,
  fmtCount,
  fmtDuration,
  fmtUsd,
  escapeTags,
} from '../tui/format.js';
import { LOAD_LADDER, stepLadder, stepQueueConcurrency } from '../tui/key-map.js';
import { gaugeLines, sparkline } from '../tui/text-bars.js';
import { SpeedMeter } from '../tui/speed-meter.js';
import {
  bucketEdges,
  concurrencyChart,
  courierChart,
  downsample,
  gauges,
  niceMax,
  ordersTable,
  ratesChart,
  statusSegments,
  windowBounds,
  WHOLE_RUN,
} from '../tui/view-model.js';

/** The snapshot of a seed-article run on the virtual engine, `seconds` scenario seconds in. */
async function snapshotAt(seconds: number): Promise<LabSnapshot> {
  const run = createRun(
    labOptionsWith({ engine: 'virtual', seed: 7, seedGiven: true, logFile: 'none', report: '/dev/null' }),
    { watched: true, virtual: { manual: true } },
  );
  await run.start();
  await (run.clock as VirtualClock).advance(seconds * 1000);
  const snap = run.snapshot();
  await run.stop();
  return snap;
}

function row(t: number, fields: Partial<SeriesRow> = {}): SeriesRow {
  return {
    t,
    concurrency: 0,
    concurrencyNotify: 0,
    concurrencyDelivery: 0,
    invocations: 0,
    errors: 0,
    throttles: 0,
    timeouts: 0,
    courier2xx: 0,
    courier429: 0,
    courier5xx: 0,
    courierOther: 0,
    retries: 0,
    queueDepth: 0,
    queueInFlight: 0,
    accepted: 0,
    delivered: 0,
    lost: 0,
    deadLettered: 0,
    inFlight: 0,
    deliveredNow: 0,
    deliverySuccesses: 0,
    deliveryFailures: 0,
    loadRate: 0,
    mode: 'none',
    ...fields,
  };
}

t.test('niceMax leaves headroom on a short ladder, never below 5', async (t) => {
  t.same(
    [0, 1, 4, 9, 50, 100, 788, 1000, 1001, 4321].map(niceMax),
    [5, 5, 5, 10, 60, 120, 1000, 1200, 1200, 5000],
  );
  for (let v = 0; v < 20000; v += 37) {
    const m = niceMax(v);
    t.ok(m >= v * 1.1 - 1e-9 && m <= Math.max(5, v * 1.1) * (4 / 3) + 1e-9, `niceMax(${v}) = ${m}`);
  }
});

t.test('downsampling keeps at most one point per pixel, by max or by mean', async (t) => {
  t.same(bucketEdges(0, 10, 20), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'fewer rows than points: one row each');
  t.same(bucketEdges(0, 10, 4), [0, 2, 5, 7, 10]);
  t.same(downsample([1, 9, 2, 2, 8, 0], 3, 'max'), [9, 2, 8]);
  t.same(downsample([1, 9, 2, 2, 8, 0], 3, 'mean'), [5, 2, 4]);
  const long = Array.from({ length: 3600 }, (_, i) => i);
  const d = downsample(long, 376, 'max');
  t.equal(d.length, 376);
  t.equal(d[d.length - 1], 3599, 'the newest value survives');
  t.same(downsample([], 10, 'max'), [0], 'an empty series gives one zero');
});

t.test('the time window selects rows from the end', async (t) => {
  t.same(windowBounds(100, WHOLE_RUN), { start: 0, end: 100 });
  t.same(windowBounds(100, { spanS: 60, endOffsetS: 0 }), { start: 40, end: 100 });
  t.same(windowBounds(100, { spanS: 60, endOffsetS: 30 }), { start: 10, end: 70 });
  t.same(windowBounds(30, { spanS: 60, endOffsetS: 0 }), { start: 0, end: 30 });
  t.same(windowBounds(10, { spanS: 60, endOffsetS: 50 }), { start: 0, end: 0 });
});

t.test('concurrency chart: the limit joins the scale once the storm reaches a fifth of it', async (t) => {
  const calm = Array.from({ length: 100 }, (_, i) =>
    row(i + 1, { concurrency: 20, concurrencyDelivery: 19, concurrencyNotify: 1 }),
  );
  const snap = { ...(await snapshotAt(0)), concurrencyLimit: 1000 };
  const c1 = concurrencyChart(calm, snap, WHOLE_RUN, 50);
  t.same(
    c1.series.map((x) => x.title),
    ['total', 'delivery', 'notify'],
  );
  t.equal(c1.maxY, 25, 'scaled to the data');
  t.match(c1.note, /limit 1000 \(off scale\)/);
  t.equal(c1.x.length, 50);
  t.equal(c1.x[c1.x.length - 1], '01:40', 'x labels are scenario time');

  const storm = calm.map((r, i) => ({ ...r, concurrency: i * 8, concurrencyDelivery: i * 8 - 1 }));
  const c2 = concurrencyChart(storm, snap, WHOLE_RUN, 50);
  t.same(
    c2.series.map((x) => x.title),
    ['total', 'delivery', 'notify', 'limit'],
  );
  t.equal(c2.maxY, 1200, 'the limit is on the scale with headroom');
  t.ok(c2.series[3]!.y.every((v) => v === 1000) && c2.series[3]!.reference);

  const q = concurrencyChart(calm, { ...snap, mode: 'queue', queueConcurrency: 10 }, WHOLE_RUN, 50);
  t.equal(q.series[q.series.length - 1]!.title, 'queue cap', 'queue modes draw the queue cap');
  t.ok(q.series[q.series.length - 1]!.y.every((v) => v === 10));
});

t.test('rates and courier charts average per-second counts; "other" only when seen', async (t) => {
  const rows = [
    row(1, { invocations: 10, courier2xx: 8, courier429: 40 }),
    row(2, { invocations: 20, courier2xx: 10, courier429: 60 }),
  ];
  const r = ratesChart(rows, WHOLE_RUN, 1);
  t.same(r.series[0]!.y, [15]);
  t.equal(r.series[0]!.readout, '20', 'the readout is the last second');
  const c = courierChart(rows, WHOLE_RUN, 2);
  t.same(
    c.series.map((s) => s.title),
    ['200', '429', '5xx'],
  );
  t.equal(c.maxY, 80);
  const withOther = courierChart([...rows, row(3, { courierOther: 3 })], WHOLE_RUN, 3);
  t.equal(withOther.series[3]!.title, 'other');
});

t.test('gauges cover exactly the last 60 scenario seconds', async (t) => {
  const old = Array.from({ length: 40 }, (_, i) => row(i + 1, { deliveryFailures: 100, courier429: 100 }));
  const recent = Array.from({ length: 60 }, (_, i) =>
    row(41 + i, { deliverySuccesses: 3, deliveryFailures: 1, courier2xx: 3, courier5xx: 1, retries: 1 }),
  );
  const snap = { ...(await snapshotAt(0)), concurrencyLimit: 1000 };
  snap.concurrency = { total: 850, notify: 0, delivery: 850, peak: 850 };
  const g = gauges([...old, ...recent], snap);
  t.same(
    g.map((x) => [x.short, x.fraction, x.tone]),
    [
      ['delivery ok', 0.75, 'bad'],
      ['courier 200s', 0.75, 'good'],
      ['conc/limit', 0.85, 'bad'],
      ['retries/calls', 0.25, 'good'],
    ],
  );
  const empty = gauges([], snap);
  t.equal(empty[0]!.fraction, undefined, 'no deliveries yet: no fraction');
  const lines = gaugeLines(empty, 30, 4);
  t.match(lines[0], /delivery ok .* -/);
  for (const line of gaugeLines(g, 32, 4))
    t.equal(line.replace(/\{[^}]*\}/g, '').length, 32, 'one-line gauges fill the pane');
  const tall = gaugeLines(g, 60, 12);
  t.equal(tall.length, 12, 'three rows a gauge when there is room');
  t.match(tall[0], /delivery ok, last minute: 180 of 240 invocations/);
});

t.test('orders table: the eight named fields first', async (t) => {
  const snap = await snapshotAt(400);
  t.ok(snap.orders.delivered > 0);
  const rows = ordersTable(snap);
  t.same(
    rows.slice(0, 8).map((r) => r.label),
    ['accepted', 'delivered', 'in flight', 'queued', 'lost', 'dead-lettered', 'oldest queued', 'cost so far'],
  );
  t.equal(rows[0]!.value, String(snap.orders.accepted));
  t.match(rows[1]!.value, new RegExp(`^${snap.orders.delivered} \\d+%$`));
  t.equal(rows[7]!.value, fmtUsd(snap.cost.usd));
  t.equal(rows[4]!.tone, snap.orders.lost > 0 ? 'bad' : 'none');
});

t.test('status bar: whole segments only, the mode always first', async (t) => {
  const snap = await snapshotAt(200);
  const segs = statusSegments(snap);
  const wide = fitSegments(segs, 200).tagged.replace(/\{[^}]*\}/g, '');
  t.match(
    wide,
    /MODE NONE .* t 03:20\/18:00 .* RUNNING .* load \S+\/s x1 .* virtual 10x .* phase 3\/4 Ramp to peak .* seed 7 .* seed-article/,
  );
  for (const width of [40, 60, 78, 100]) {
    const fitted = fitSegments(segs, width);
    t.ok(fitted.length <= width, `fits ${width}`);
    const plain = fitted.tagged.replace(/\{[^}]*\}/g, '');
    t.ok(plain.startsWith(' MODE NONE '), 'mode kept');
    for (const part of plain.split('  ').filter(Boolean)) {
      t.ok(
        segs.some((s) => s.text.trim() === part.trim()),
        `"${part}" is a whole segment`,
      );
    }
  }
  const paused = statusSegments({ ...snap, loadPaused: true }).map((s) => s.text);
  t.ok(paused.includes('LOAD PAUSED'));
});

t.test('the speed reached: measured over the last frames, shown only when behind --speed', async (t) => {
  const meter = new SpeedMeter();
  t.equal(meter.sample(0, 0), undefined, 'one frame: no figure');
  t.equal(meter.sample(500, 100), undefined, 'half a second: no figure yet');
  t.equal(meter.sample(1000, 200), 200, '200 scenario s in 1 real s');
  t.equal(meter.sample(2000, 300), 150, 'then 100 s in the next second: 300 s in 2 s');
  meter.sample(3000, 400);
  meter.sample(4000, 500);
  t.equal(meter.sample(5000, 600), 100, 'only the last 3 real seconds count');
  t.equal(meter.sample(5250, 2), undefined, 'a restart (time going back) starts the measure again');
  t.equal(meter.sample(6250, 202), 200);

  const snap = { ...(await snapshotAt(10)), engine: 'virtual' as const, speed: 1000 };
  const text = (reached?: number): string[] => statusSegments(snap, reached).map((s) => s.text);
  t.ok(text().includes('virtual 1000x'), 'no figure: the speed asked for');
  t.ok(text(950).includes('virtual 1000x'), 'within 10%: on pace');
  t.ok(text(240.4).includes('virtual 1000x, at 240x'), 'behind: the speed reached');
  t.ok(text(2.34).includes('virtual 1000x, at 2.3x'));
  const behind = statusSegments(snap, 240).find((s) => s.text.startsWith('virtual'));
  t.equal(behind?.tag, 'yellow-fg');
  t.ok(
    statusSegments({ ...snap, state: 'stopped' }, 0).some((s) => s.text === 'virtual 1000x'),
    'a stopped run is not behind',
  );
});

t.test('ladders for + - [ ]', async (t) => {
  t.equal(stepLadder(LOAD_LADDER, 1, 1), 1.25);
  t.equal(stepLadder(LOAD_LADDER, 1, -1), 0.75);
  t.equal(stepLadder(LOAD_LADDER, 1.1, -1), 1, 'off the ladder: the rung below');
  t.equal(stepLadder(LOAD_LADDER, 5, 1), 5, 'stays at the top');
  t.equal(stepLadder(LOAD_LADDER, 0.1, -1), 0.1, 'stays at the bottom');
  t.same(
    [10, 19, 20, 21, 95, 100, 500, 1000].map((n) => stepQueueConcurrency(n, 1)),
    [11, 20, 25, 25, 100, 125, 600, 1000],
  );
  t.same(
    [2, 10, 20, 21, 100, 101, 500, 501].map((n) => stepQueueConcurrency(n, -1)),
    [2, 9, 19, 20, 95, 100, 475, 500],
  );
});

t.test('formatting', async (t) => {
  t.same([0, 59, 61, 3599, 3600, 3725].map(fmtClock), [
    '00:00',
    '00:59',
    '01:01',
    '59:59',
    '1:00:00',
    '1:02:05',
  ]);
  t.same([0, 45, 125, 3720].map(fmtDuration), ['0s', '45s', '2m05s', '1h02m']);
  t.same([12, 99999, 123456, 1234567, 123456789].map(fmtCount), ['12', '99999', '123k', '1.2M', '123M']);
  t.same([0.00123, 1.5, 12345].map(fmtUsd), ['$0.0012', '$1.50', '$12345']);
  t.equal(fitText('abcdef', 4), 'abc~');
  t.equal(fitText('ab', 4), 'ab  ');
  t.equal(fitWords('delivery ok last minute', 15), 'delivery ok');
  t.equal(fitWords('unbreakable', 5), '');
  t.equal(escapeTags('{bold}x{/bold}'), '{open}bold{close}x{open}/bold{close}');
  t.equal(sparkline([0, 1, 4, 8, 9], 8), ' \u2581\u2584\u2588\u2588');
});
