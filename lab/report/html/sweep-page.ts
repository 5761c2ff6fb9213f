import type { SweepCell, SweepFile } from '../../sweep/sweep-file.js';
import { escapeHtml } from './escape-html.js';
import { clock, fixed, int, pct, usd } from './format-figures.js';
import { heatColor, heatGradient } from './heat-color.js';
import { htmlPage } from './html-page.js';

function verdict(cell: SweepCell): string {
  const f = cell.figures;
  if (f.recovered === true) {
    return `✓ recovered${f.recoveryAtS === null ? '' : ` at ${clock(f.recoveryAtS)}`}`;
  }
  if (f.recovered === false) return '✗ stuck';
  return '';
}

function thresholdText(cell: SweepCell): string {
  const all = cell.thresholds ?? [];
  if (all.length === 0) return '';
  const crossed = all.filter((t) => !t.ok).length;
  return crossed === 0 ? '✓ thresholds' : `✗ ${crossed} threshold${crossed === 1 ? '' : 's'} crossed`;
}

/** Every figure of a cell, one a line, for the hover text. */
export function cellTitle(cell: SweepCell): string {
  const f = cell.figures;
  const lines = [
    ...Object.entries(cell.at).map(([k, v]) => `${k} = ${v}`),
    `delivered ${pct(f.deliveredShare)} (${int(f.delivered)} of ${int(f.accepted)})`,
    `lost ${int(f.lost)} (${pct(f.lostShare)}), dead-lettered ${int(f.deadLettered)}, in flight ${int(f.inFlight)}`,
    `peak concurrency ${int(f.peakConcurrency)}`,
    `courier 429 share ${pct(f.share429)}, calls per order ${fixed(f.courierCallsPerOrder, 2)}`,
    `cost ${usd(f.costUsd)}, last delivery ${f.lastDeliveryS === null ? '–' : clock(f.lastDeliveryS)}`,
    verdict(cell) || 'no fault, no recovery verdict',
    ...(cell.thresholds ?? []).map((t) => `${t.ok ? '✓' : '✗'} ${t.expr} (${t.value ?? '–'})`),
    `seed ${cell.seed}, ${int(cell.wallMs)} ms`,
  ];
  return lines.join('\n');
}

function cellHtml(cell: SweepCell | undefined): string {
  if (!cell) return '<td class="missing">not run</td>';
  const f = cell.figures;
  const marks = [verdict(cell), thresholdText(cell)].filter(Boolean);
  return (
    `<td class="cell" style="background:${heatColor(f.deliveredShare)}" title="${escapeHtml(cellTitle(cell))}">` +
    `<div class="big">${escapeHtml(pct(f.deliveredShare))}</div>` +
    `<div>lost ${escapeHtml(int(f.lost))} · peak ${escapeHtml(int(f.peakConcurrency))}</div>` +
    `<div>429 ${escapeHtml(pct(f.share429))} · ${escapeHtml(fixed(f.courierCallsPerOrder, 2))} calls/order</div>` +
    (marks.length ? `<div class="verdict">${escapeHtml(marks.join(' · '))}</div>` : '') +
    '</td>'
  );
}

/**
 * The phase map: the first axis across, the second (if any) down with its largest value on top, as a phase
 * map is read. Each cell is coloured by delivered share and says its figures in words.
 */
export function sweepTable(sweep: SweepFile): string {
  const [xAxis, yAxis] = sweep.axes;
  if (!xAxis) return '<p>This sweep has no axes.</p>';
  const byIndex = new Map(sweep.cells.map((c) => [c.index.join(','), c]));
  const yValues = yAxis ? yAxis.values.map((v, i) => [v, i] as const).reverse() : [[undefined, -1] as const];
  const head =
    `<tr><th>${yAxis ? `${escapeHtml(yAxis.name)} ↓ / ` : ''}${escapeHtml(xAxis.name)} →</th>` +
    xAxis.values.map((v) => `<th>${escapeHtml(v)}</th>`).join('') +
    '</tr>';
  const rows = yValues.map(([yValue, yi]) => {
    const cells = xAxis.values.map((_, xi) => cellHtml(byIndex.get(yAxis ? `${xi},${yi}` : `${xi}`)));
    return `<tr><th>${yAxis ? escapeHtml(yValue) : ''}</th>${cells.join('')}</tr>`;
  });
  return `<table class="heat"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

export function sweepHtml(sweep: SweepFile): string {
  const axes = sweep.axes.map((a) => `${a.name} (${a.values.length})`).join(' × ');
  const meta = [
    ['scenario', sweep.scenario],
    ['axes', axes],
    ['cells', `${sweep.cells.length}${sweep.complete ? '' : ' (stopped before the end)'}`],
    ['seed', sweep.seed],
    ['started', sweep.startedAt],
    ['wall time', `${fixed(sweep.wallS, 1)} s`],
  ]
    .map(([k, v]) => `${escapeHtml(k)} <b>${escapeHtml(v)}</b>`)
    .join(' · ');
  const head =
    `<h1>StormLab sweep: ${escapeHtml(sweep.scenario)}</h1><p class="meta">${meta}</p>` +
    '<h2>Phase map</h2>' +
    sweepTable(sweep) +
    `<div class="scale">delivered share <span>0%</span><span class="bar" style="background:${heatGradient()}"></span>` +
    '<span>100%</span></div>' +
    '<p class="note">Hover a cell for all its figures. ✓ recovered / ✗ stuck: the recovery verdict of runs with a fault.</p>';
  return htmlPage({ title: `StormLab sweep: ${sweep.scenario} (seed ${sweep.seed})`, head, charts: [] });
}
