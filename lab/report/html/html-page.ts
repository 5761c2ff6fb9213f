import { readFileSync } from 'node:fs';
import { projectFile } from '../../project-file.js';
import type { ChartSpec } from './chart-spec.js';
import { escapeHtml, jsonForScript } from './escape-html.js';
import { REPORT_CSS } from './report-css.js';
import { uplotAssets } from './uplot-assets.js';

export interface PageParts {
  title: string;
  /** Trusted HTML (built from escaped parts) above the charts. */
  head: string;
  charts: ChartSpec[];
  /** Trusted HTML after the charts. */
  tail?: string;
}

let drawScript: string | undefined;

function chartScript(): string {
  drawScript ??= readFileSync(projectFile('lab/report/html/client/draw-charts.js'), 'utf8');
  return drawScript;
}

/** The figure each chart is drawn into; the page's script finds it by index. */
export function chartFigure(spec: ChartSpec, index: number): string {
  return (
    `<figure class="chart" id="chart-${escapeHtml(spec.id)}">` +
    `<figcaption><h3>${escapeHtml(spec.title)}</h3><span class="unit">${escapeHtml(spec.unit)}</span></figcaption>` +
    `<div class="plot" data-chart="${index}"></div></figure>`
  );
}

/**
 * One self-contained document: styles, uPlot and the drawing script inline, data as JSON. The content
 * security policy lets the page load nothing at all, so a report that tried to fetch would fail loudly.
 */
export function htmlPage(parts: PageParts): string {
  const uplot = uplotAssets();
  const scripts =
    parts.charts.length === 0
      ? ''
      : `<script type="application/json" id="stormlab-charts">${jsonForScript(parts.charts)}</script>\n` +
        `<script>/*! uPlot 1.6.32, (c) 2022 Leon Sorokin, MIT License */\n${uplot.js}</script>\n<script>${chartScript()}</script>\n`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="StormLab">
<title>${escapeHtml(parts.title)}</title>
<style>${uplot.css}</style>
<style>${REPORT_CSS}</style>
</head>
<body>
${parts.head}
${parts.charts.map(chartFigure).join('\n')}
${parts.tail ?? ''}
${scripts}</body>
</html>
`;
}
