import t from 'tap';
import { int } from '../lab/report/html/format-figures.js';
import { breakerBands, faultBands, modeMarkers } from '../lab/report/html/chart-markers.js';
import { escapeHtml, jsonForScript } from '../lab/report/html/escape-html.js';
import { heatColor } from '../lab/report/html/heat-color.js';
import type { HtmlRunReport } from '../lab/report/html/report-input.js';
import { runCharts } from '../lab/report/html/run-charts.js';
import { ledgerHtml } from '../lab/report/html/run-figures.js';
import {
  binMeans,
  binSeconds,
  binShares,
  binStarts,
  binSums,
  perSecond,
} from '../lab/report/html/series-bins.js';
import { cellTitle, sweepTable } from '../lab/report/html/sweep-page.js';
import { htmlPathFor } from '../lab/report/html/write-html.js';
import type { SweepCell, SweepFile } from '../lab/sweep/sweep-file.js';

t.test('text from reports is escaped for HTML and for a JSON script element', async (t) => {
  t.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  const json = jsonForScript({ name: '</script><!-- \u2028' });
  t.notMatch(json, /<|>|\u2028/);
  t.same(JSON.parse(json), { name: '</script><!-- \u2028' }, 'still the same JSON');
});

t.test('the HTML sits next to its JSON', async (t) => {
  t.equal(htmlPathFor('runs/a/none.json'), 'runs/a/none.html');
  t.equal(htmlPathFor('out'), 'out.html');
});

t.test('per-second rows fold into bins: row t covers (t-1, t]', async (t) => {
  const rows = [
    { t: 1, deliverySuccesses: 2, deliveryFailures: 0, invocations: 5 },
    { t: 10, deliverySuccesses: 1, deliveryFailures: 1, invocations: 3 },
    { t: 11, deliverySuccesses: 0, deliveryFailures: 3, invocations: 1 },
    { t: 25, deliverySuccesses: 0, deliveryFailures: 0, invocations: 0 },
  ];
  t.equal(binSeconds(599), 10);
  t.equal(binSeconds(600), 60);
  t.same(binStarts(25, 10), [0, 10, 20]);
  t.same(binSums(rows, 'invocations', 10, 3), [8, 1, 0]);
  t.same(binShares(rows, 'deliverySuccesses', 'deliveryFailures', 10, 3), [0.75, 0, null]);
  t.same(perSecond(rows, 'invocations', 3), [5, null, null]);
  t.same(binMeans(rows, 'invocations', 10, 3, 25), [0.8, 0.1, 0], 'the last bin covers 5 s');
});

/** Only the fields the charts read. */
function report(over: Partial<HtmlRunReport>): HtmlRunReport {
  return {
    durationS: 20,
    peakConcurrency: 300,
    config: { concurrencyLimit: 1000 },
    modeChanges: [{ t: 0, mode: 'none' }],
    series: [],
    ...over,
  } as HtmlRunReport;
}

t.test(
  'faults shade windows, mode switches after the start are markers, breaker seconds merge',
  async (t) => {
    const r = report({
      faults: [{ kind: 'courier-outage', value: '1', startS: 5, durationS: 10 }],
      modeChanges: [
        { t: 0, mode: 'none' },
        { t: 12.5, mode: 'queue' },
      ],
      series: [
        { t: 3, breaker: 'open' },
        { t: 4, breaker: 'half-open' },
        { t: 5, breaker: 'closed' },
        { t: 7, breaker: 1 },
      ] as unknown as HtmlRunReport['series'],
    });
    t.same(faultBands(r), [{ fromS: 5, toS: 15, label: 'courier-outage 1' }]);
    t.same(modeMarkers(r), [
      { atS: 0, label: 'none' },
      { atS: 12.5, label: 'queue' },
    ]);
    t.same(breakerBands(r), [
      { fromS: 2, toS: 4, label: 'breaker open' },
      { fromS: 6, toS: 7, label: 'breaker open' },
    ]);
    const charts = runCharts(r);
    t.same(
      charts.map((c) => c.id),
      ['delivery-success', 'concurrency', 'invocations', 'courier'],
    );
    t.same(charts[0]!.markers, [{ atS: 12.5, label: '→ queue' }]);
    t.same(charts[3]!.bands.length, 3, 'the courier chart also shades open breakers');
  },
);

t.test('the concurrency chart draws the account limit unless it would flatten the curve', async (t) => {
  const rows = [
    { t: 1, concurrency: 250, limit: 40 },
    { t: 2, concurrency: 300, limit: 50 },
  ] as unknown as HtmlRunReport['series'];
  const high = runCharts(report({ durationS: 2, series: rows }))[1]!;
  t.same(
    high.series.map((s) => [s.label, s.values]),
    [
      ['concurrency', [250, 300]],
      ['adaptive limit', [40, 50]],
      ['account limit 1000', [1000, 1000]],
    ],
  );
  const low = runCharts(report({ durationS: 2, peakConcurrency: 199, series: rows }))[1]!;
  t.same(
    low.series.map((s) => s.label),
    ['concurrency', 'adaptive limit'],
  );
  t.match(low.unit, 'the account limit (1000) is far above');
});

t.test('the ledger checks its own sum and says when it does not balance', async (t) => {
  const orders = { accepted: 10, delivered: 6, lost: 2, deadLettered: 1, inFlight: 1, rejected: 3 };
  const ok = report({ orders, courier: { requests: 0, byStatus: {} } as HtmlRunReport['courier'] });
  t.match(ledgerHtml(ok), '✓ balanced');
  t.match(ledgerHtml(ok), 'rejected at ingress <b>3</b>');
  const off = report({
    orders: { ...orders, delivered: 4, duplicates: 2 },
    courier: { requests: 0, byStatus: {}, deliveredIds: 7 } as unknown as HtmlRunReport['courier'],
    checks: { duplicates: 2, deliveredWithoutCourier200: 1, ingressAccepted: 10, ok: false },
  });
  t.match(ledgerHtml(off), '✗ off by 2');
  t.match(ledgerHtml(off), 'duplicates <b>2</b>');
  t.match(ledgerHtml(off), 'answered 200 <b>7</b>');
  t.match(ledgerHtml(off), 'delivered without a courier 200 <b>1</b>');
  t.match(ledgerHtml(off), '✗ independent counts disagree');
  t.notMatch(ledgerHtml(ok), 'independent counts', 'a report without checks says nothing of them');
});

t.test('heat colours run from light red through amber to light green', async (t) => {
  t.equal(heatColor(0), 'rgb(244, 163, 163)');
  t.equal(heatColor(0.5), 'rgb(253, 227, 160)');
  t.equal(heatColor(1), 'rgb(168, 221, 181)');
  t.equal(heatColor(0.75), 'rgb(211, 224, 171)');
  t.equal(heatColor(Number.NaN), 'rgb(244, 163, 163)');
});

function cell(
  index: number[],
  at: Record<string, number>,
  share: number,
  recovered: boolean | null,
): SweepCell {
  return {
    index,
    at,
    seed: 1,
    options: {},
    figures: {
      accepted: 100,
      delivered: share * 100,
      lost: 100 - share * 100,
      deadLettered: 0,
      inFlight: 0,
      deliveredShare: share,
      lostShare: 1 - share,
      peakConcurrency: 42,
      share429: 0.25,
      courierCallsPerOrder: 3.5,
      costUsd: 0.01,
      lastDeliveryS: 600,
      recovered,
      recoveryAtS: recovered ? 720 : null,
    },
    thresholds: [{ expr: 'orders.lost == 0', value: 100 - share * 100, ok: share === 1 }],
    wallMs: 12,
  };
}

t.test(
  'the phase map: first axis across, second down from its largest value, verdicts in words',
  async (t) => {
    const sweep = {
      axes: [
        { name: 'load', values: [1, 2] },
        { name: 'outage', values: [30, 60] },
      ],
      cells: [
        cell([0, 0], { load: 1, outage: 30 }, 1, true),
        cell([1, 0], { load: 2, outage: 30 }, 0.5, false),
        cell([0, 1], { load: 1, outage: 60 }, 0.9, null),
      ],
    } as unknown as SweepFile;
    const html = sweepTable(sweep);
    const rows = html.split('<tr>').slice(2);
    t.match(rows[0]!, /^<th>60<\/th>.*90\.0%.*not run/s, 'the top row is outage 60, its second cell missing');
    t.match(rows[1]!, /^<th>30<\/th>.*100\.0%.*✓ recovered at 12:00.*50\.0%.*✗ stuck/s);
    t.match(rows[1]!, '✗ 1 threshold crossed');
    t.match(html, 'outage ↓ / load →');
    t.equal(
      cellTitle(sweep.cells[1]!),
      [
        'load = 2',
        'outage = 30',
        'delivered 50.0% (50 of 100)',
        'lost 50 (50.0%), dead-lettered 0, in flight 0',
        'peak concurrency 42',
        'courier 429 share 25.0%, calls per order 3.50',
        'cost $0.0100, last delivery 10:00',
        '✗ stuck',
        '✗ orders.lost == 0 (50)',
        'seed 1, 12 ms',
      ].join('\n'),
    );
  },
);

t.test('integers read with thousands separators, as en-US writes them', async (t) => {
  t.equal(int(0), '0');
  t.equal(int(999), '999');
  t.equal(int(1000), '1,000');
  t.equal(int(1234567.4), '1,234,567');
  t.equal(int(-1234567), '-1,234,567');
  t.equal(int(10_740), '10,740');
  t.equal(int(Number.NaN), '–');
  t.equal(int('12'), '–');
});
