import { escapeHtml } from './escape-html.js';
import { htmlPage } from './html-page.js';
import type { HtmlRunReport } from './report-input.js';
import { runCharts } from './run-charts.js';
import { detailsHtml, faultsHtml } from './run-details.js';
import {
  figureCards,
  headlineFigures,
  ledgerHtml,
  recoveryHtml,
  runMeta,
  thresholdsHtml,
} from './run-figures.js';

/** One run: headline figures and the orders ledger on top, the article's four graphs below. */
export function runHtml(report: HtmlRunReport): string {
  const name = `${report.scenario.name}, mode ${report.mode}`;
  const head =
    `<h1>StormLab run: ${escapeHtml(name)}</h1><p class="meta">${runMeta(report)}</p>` +
    figureCards(headlineFigures(report)) +
    ledgerHtml(report) +
    thresholdsHtml(report.thresholds) +
    recoveryHtml(report.recovery) +
    '<h2>Over time</h2><p class="note">Scenario time (mm:ss) across. Shaded: faults. Dashed vertical lines: mode switches. ' +
    'Hover a chart for its values; the charts follow each other.</p>';
  return htmlPage({
    title: `StormLab: ${name} (seed ${report.seed})`,
    head,
    charts: runCharts(report),
    tail: faultsHtml(report) + detailsHtml(report),
  });
}
