import { paletteColor } from './chart-spec.js';
import { compareCharts } from './compare-charts.js';
import { escapeHtml } from './escape-html.js';
import { clock, fixed, int, pct, share429, usd } from './format-figures.js';
import { htmlPage } from './html-page.js';
import type { HtmlRunReport, ReportsByConfig } from './report-input.js';

type Row = [label: string, value: (r: HtmlRunReport) => string];

const ROWS: Row[] = [
  ['orders delivered', (r) => pct(r.deliverySuccessRate)],
  ['accepted', (r) => int(r.orders.accepted)],
  ['delivered', (r) => int(r.orders.delivered)],
  ['lost', (r) => int(r.orders.lost)],
  ['dead-lettered', (r) => int(r.orders.deadLettered)],
  ['still in flight', (r) => int(r.orders.inFlight)],
  ['rejected at ingress', (r) => int(r.orders.rejected)],
  ['peak concurrency', (r) => int(r.peakConcurrency)],
  ['courier requests', (r) => int(r.courier.requests)],
  ['courier 429 share', (r) => pct(share429(r.courier))],
  ['courier calls per order', (r) => fixed(r.courierCallsPerOrder, 2)],
  [
    'retries (code / async / queue)',
    (r) => `${int(r.retries.http)} / ${int(r.retries.async)} / ${int(r.retries.redeliveries)}`,
  ],
  ['cost', (r) => usd(r.cost.usd)],
  ['last delivery at', (r) => (r.lastDeliveryS === null ? '–' : clock(r.lastDeliveryS))],
  ['scenario time', (r) => clock(r.durationS)],
];

/** Rows that only some reports carry (second-round fields) appear when any report has them. */
const OPTIONAL_ROWS: [
  label: string,
  has: (r: HtmlRunReport) => boolean,
  value: (r: HtmlRunReport) => string,
][] = [
  ['duplicates', (r) => typeof r.orders.duplicates === 'number', (r) => int(r.orders.duplicates)],
  ['courier wasted work', (r) => typeof r.courier.wastedWork === 'number', (r) => int(r.courier.wastedWork)],
  [
    'thresholds passed',
    (r) => Array.isArray(r.thresholds) && r.thresholds.length > 0,
    (r) => {
      const all = r.thresholds ?? [];
      const ok = all.filter((t) => t.ok).length;
      return `${ok === all.length ? '✓' : '✗'} ${ok} of ${all.length}`;
    },
  ],
];

export function compareTable(reports: ReportsByConfig): string {
  const names = Object.keys(reports);
  const list = names.map((n) => reports[n]!);
  const head = names
    .map(
      (n, i) => `<th><span class="swatch" style="background:${paletteColor(i)}"></span>${escapeHtml(n)}</th>`,
    )
    .join('');
  const rows: [string, string[]][] = ROWS.map(([label, value]) => [label, list.map(value)]);
  for (const [label, has, value] of OPTIONAL_ROWS) {
    if (list.some(has)) rows.push([label, list.map((r) => (has(r) ? value(r) : '–'))]);
  }
  const body = rows
    .map(
      ([label, cells]) =>
        `<tr><td>${escapeHtml(label)}</td>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table><thead><tr><th></th>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Several configurations of one seeded scenario: one table of figures, then one chart per figure. */
export function compareHtml(reports: ReportsByConfig): string {
  const names = Object.keys(reports);
  const first = reports[names[0]!];
  const scenario = first?.scenario.name ?? '';
  const meta = first
    ? [
        ['scenario', scenario],
        ['engine', first.engine],
        ['speed', first.speed],
        ['seed', first.seed],
        ['configurations', names.join(', ')],
      ]
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${escapeHtml(k)} <b>${escapeHtml(v)}</b>`)
        .join(' · ')
    : '';
  const head =
    `<h1>StormLab compare: ${escapeHtml(scenario)}</h1><p class="meta">${meta}</p>` +
    compareTable(reports) +
    '<h2>Over time</h2><p class="note">One line per configuration, same axes; scenario time (mm:ss) across. ' +
    'Shaded: faults. Hover a chart for its values.</p>';
  return htmlPage({
    title: `StormLab compare: ${scenario}${first ? ` (seed ${first.seed})` : ''}`,
    head,
    charts: compareCharts(reports),
  });
}
