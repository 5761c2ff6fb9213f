import { paletteColor } from './chart-spec.js';
import { compareCharts } from './compare-charts.js';
import { escapeHtml } from './escape-html.js';
import { clock, fixed, int, pct, share429, usd } from './format-figures.js';
import { htmlPage } from './html-page.js';
import type { HtmlRunReport, ReportsByConfig } from './report-input.js';

type Column = [label: string, value: (r: HtmlRunReport) => string];

/** One row per configuration (a compare may hold a dozen), one column per figure. */
const COLUMNS: Column[] = [
  ['delivered', (r) => pct(r.deliverySuccessRate)],
  ['accepted', (r) => int(r.orders.accepted)],
  ['lost', (r) => int(r.orders.lost)],
  ['dead-lettered', (r) => int(r.orders.deadLettered)],
  ['in flight', (r) => int(r.orders.inFlight)],
  ['rejected', (r) => int(r.orders.rejected)],
  ['peak concurrency', (r) => int(r.peakConcurrency)],
  ['429 share', (r) => pct(share429(r.courier))],
  ['calls per order', (r) => fixed(r.courierCallsPerOrder, 2)],
  // In code, asynchronous and queue redeliveries together; each run's own page splits them.
  ['retries', (r) => int(r.retries.http + r.retries.async + r.retries.redeliveries)],
  ['cost', (r) => usd(r.cost.usd)],
  ['last delivery', (r) => (r.lastDeliveryS === null ? '–' : clock(r.lastDeliveryS))],
];

/** Columns that only some reports carry (second-round fields) appear when any report has them. */
const OPTIONAL_COLUMNS: [
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
  const columns: Column[] = [...COLUMNS];
  for (const [label, has, value] of OPTIONAL_COLUMNS) {
    if (list.some(has)) columns.push([label, (r) => (has(r) ? value(r) : '–')]);
  }
  const head = columns.map(([label]) => `<th>${escapeHtml(label)}</th>`).join('');
  const body = names
    .map((name, i) => {
      const cells = columns.map(([, value]) => `<td>${escapeHtml(value(reports[name]!))}</td>`).join('');
      const swatch = `<span class="swatch" style="background:${paletteColor(i)}"></span>`;
      return `<tr><td>${swatch}${escapeHtml(name)}</td>${cells}</tr>`;
    })
    .join('');
  return `<div class="scroll"><table class="figures"><thead><tr><th>configuration</th>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
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
        ['speed', first.engine === 'virtual' ? undefined : first.speed],
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
