/**
 * The blessed widgets and how each one is drawn from its model. Every widget is created once and appended
 * to the screen (contrib canvases must not get `parent:`, or their canvas context is never created); a
 * layout change moves them and re-attaches the canvases. Drawing only sets content: the dashboard renders
 * the screen once per frame.
 */
import blessed from 'blessed';
import contrib from 'blessed-contrib';
import { fitSegments, fitText, type Segment } from './format.js';
import type { PanelId, Rect } from './layout.js';
import { sparkLines } from './text-bars.js';
import { TONE_COLOUR, windowText, type ChartModel, type TableRow } from './view-model.js';

type Box = blessed.Widgets.BoxElement;
/** A contrib line chart with a one-row colour key on its last inner row (below the x labels). */
export type Chart = contrib.Widgets.LineElement & { legendBox: Box };

export interface Widgets {
  conc: Chart;
  ratesChart: Chart;
  courierChart: Chart;
  ratesSpark: Box;
  courierSpark: Box;
  gauges: Box;
  orders: Box;
  log: Box;
  status: Box;
  hints: Box;
  help: Box;
  story: Box;
  tooSmall: Box;
}

const BORDER = 'cyan';
const FOCUS_BORDER = 'yellow';

function lineChart(screen: blessed.Widgets.Screen): Chart {
  const line = contrib.line({
    left: 0,
    top: 0,
    width: 20,
    height: 11,
    tags: true,
    border: { type: 'line' },
    style: { line: 'yellow', text: 'white', baseline: 'white', border: { fg: BORDER } },
    showLegend: false,
    wholeNumbersOnly: true,
    abbreviate: true,
    minY: 0,
    maxY: 5,
    hidden: true,
  } as contrib.Widgets.LineOptions);
  screen.append(line);
  // In place of contrib's legend, which is drawn over the top right of the plot, where peaks and the limit line are.
  const legendBox = blessed.box({
    parent: line,
    left: 0,
    top: 0,
    width: 1,
    height: 1,
    tags: true,
    wrap: false,
  });
  return Object.assign(line, { legendBox });
}

function box(screen: blessed.Widgets.Screen, options: blessed.Widgets.BoxOptions = {}): Box {
  const el = blessed.box({
    left: 0,
    top: 0,
    width: 10,
    height: 3,
    tags: true,
    wrap: false,
    border: { type: 'line' },
    style: { border: { fg: BORDER } },
    hidden: true,
    ...options,
  });
  screen.append(el);
  return el;
}

export function createWidgets(screen: blessed.Widgets.Screen): Widgets {
  const bar = { border: undefined, height: 1, style: {} };
  return {
    conc: lineChart(screen),
    ratesChart: lineChart(screen),
    courierChart: lineChart(screen),
    ratesSpark: box(screen),
    courierSpark: box(screen),
    gauges: box(screen),
    orders: box(screen),
    log: box(screen),
    status: box(screen, { ...bar, style: { fg: 'white', bg: 'blue' } }),
    hints: box(screen, bar),
    help: box(screen, { style: { border: { fg: 'yellow' } } }),
    story: box(screen, { style: { border: { fg: 'yellow' } } }),
    tooSmall: box(screen, { style: { border: { fg: 'red' } }, align: 'center', valign: 'middle' }),
  };
}

/**
 * Moves a widget without blessed's 'resize' event: a labelled element answers that event by rendering the
 * whole screen on the next tick, which would add renders beyond the one per frame.
 */
export function place(el: blessed.Widgets.BlessedElement, r: Rect): void {
  const p = el.position as { left?: unknown; top?: unknown; width?: unknown; height?: unknown };
  if (p.left !== r.left || p.top !== r.top || p.width !== r.width || p.height !== r.height) {
    (el as unknown as { clearPos(): void }).clearPos(); // blank the old place on the next render
    Object.assign(p, r);
  }
  if (el.hidden) el.show();
}

/** Sets a label only when its text changed, without the re-render-on-resize listener blessed adds with it. */
export function setLabel(el: blessed.Widgets.BlessedElement, text: string): void {
  const e = el as unknown as { _labelText?: string; _labelResize?: () => void };
  if (e._labelText === text) return;
  e._labelText = text;
  el.setLabel(text);
  if (e._labelResize) {
    // Our labels sit on the top border at a fixed offset; repositioning them only costs a render.
    el.removeListener('resize', e._labelResize);
    e._labelResize = undefined;
  }
}

/** Inner size of a bordered box. */
export function inner(r: Pick<Rect, 'width' | 'height'>): { width: number; height: number } {
  return { width: Math.max(0, r.width - 2), height: Math.max(0, r.height - 2) };
}

/** The pane's title line: name and unit first, then the coloured key with current values, while they fit. */
export function paneLabel(
  title: string,
  extras: readonly Segment[],
  width: number,
  focused: boolean,
): string {
  const head: Segment = {
    text: `${focused ? '> ' : ''}${title}`,
    priority: 0,
    tag: focused ? 'bold' : undefined,
  };
  // The label starts 2 cells in, is padded by a space each side and must leave the corner: width - 6.
  const fitted = fitSegments([head, ...extras], Math.max(1, width - 6), ' ');
  return ` ${fitted.tagged} `;
}

function chartLabel(model: ChartModel, width: number, focused: boolean): string {
  const extras: Segment[] = [];
  if (model.window.spanS !== undefined || model.window.endOffsetS > 0) {
    extras.push({ text: `[${windowText(model.window)}]`, priority: 1, tag: 'yellow-fg' });
  }
  return paneLabel(`${model.title}, ${model.unit}`, extras, width, focused);
}

/** The colour key with current values: `total 812  delivery 790 ...`, as many as fit. */
export function legendText(model: ChartModel, width: number): string {
  // The first series (the total) and the reference lines first: they say what the chart is measured against.
  const items: Segment[] = model.series.map((s, i) => ({
    text: `${s.title} ${s.readout}`,
    priority: i === 0 ? 0 : s.reference ? 1 : i + 2,
    tag: `${s.colour}-fg`,
  }));
  if (model.note) items.push({ text: model.note, priority: 2, tag: 'red-fg' });
  return fitSegments(items, width, '  ').tagged;
}

/** Points a chart of this width can show: one per braille pixel column of the plot. */
export function chartPoints(widthCells: number): number {
  // contrib's canvas is 2*width-12 pixels wide, of which about 12 go to the y labels and padding.
  return Math.max(2, widthCells * 2 - 24);
}

export function drawChart(el: Chart, model: ChartModel, focused: boolean): void {
  const width = el.width as number;
  const height = el.height as number;
  const opts = el.options as contrib.Widgets.LineOptions & { numYLabels: number };
  opts.maxY = model.maxY; // always ours: contrib's own autoscale is O(points^2)
  // About one y label per two text rows of plot (the canvas is 4 pixels per row, 11 go to the x axis).
  opts.numYLabels = Math.max(2, Math.min(5, Math.floor((height * 4 - 8 - 11) / 8)));
  setLabel(el, chartLabel(model, width, focused));
  el.setData(model.series.map((s) => ({ title: s.title, x: model.x, y: s.y, style: { line: s.colour } })));
  const legend = el.legendBox;
  place(legend, { left: 1, top: Math.max(0, height - 3), width: Math.max(1, width - 3), height: 1 });
  legend.setContent(legendText(model, width - 3));
  setBorder(el, focused);
}

export function drawSpark(el: Box, model: ChartModel, focused: boolean): void {
  const r = { width: el.width as number, height: el.height as number };
  const { width, height } = inner(r);
  setLabel(el, paneLabel(`${model.title}, ${model.unit}`, windowSegments(model), width + 2, focused));
  el.setContent(sparkLines(model.series, width, model.maxY).slice(0, height).join('\n'));
  setBorder(el, focused);
}

function windowSegments(model: ChartModel): Segment[] {
  return model.window.spanS !== undefined || model.window.endOffsetS > 0
    ? [{ text: `[${windowText(model.window)}]`, priority: 1, tag: 'yellow-fg' }]
    : [];
}

export function setBorder(el: blessed.Widgets.BlessedElement, focused: boolean): void {
  const style = el.style as { border?: { fg?: string } };
  if (style.border) style.border.fg = focused ? FOCUS_BORDER : BORDER;
}

/** The orders table in one column, or two when the pane is short and wide enough. */
export function ordersLines(rows: readonly TableRow[], width: number, height: number): string[] {
  const columns = rows.length > height && width >= 30 ? 2 : 1;
  const cellW = columns === 2 ? Math.floor((width - 1) / 2) : width;
  const capacity = height * columns;
  const shown = rows.slice(0, Math.max(0, capacity));
  const cells = shown.map((r) => {
    const label = r.label.length + 1 + r.value.length <= cellW ? r.label : shortLabel(r.label);
    // The value's first word is the number; what follows (a share) goes when the cell is too narrow.
    const value = label.length + 1 + r.value.length <= cellW ? r.value : r.value.split(' ')[0]!;
    const colour = TONE_COLOUR[r.tone];
    const v = r.tone === 'none' ? value : `{${colour}-fg}${value}{/${colour}-fg}`;
    return `${fitText(label, Math.max(0, cellW - value.length - 1))} ${v}`;
  });
  const lines: string[] = [];
  for (let i = 0; i < height && i < cells.length; i++) {
    lines.push(
      columns === 2 && cells[i + height] !== undefined ? `${cells[i]} ${cells[i + height]}` : cells[i]!,
    );
  }
  return lines;
}

const SHORT_LABELS: Record<string, string> = {
  'dead-lettered': 'DLQ',
  'oldest queued': 'oldest',
  'cost so far': 'cost',
  delivered: 'deliv.',
  'retries (all kinds)': 'retries',
  'rejected at ingress': 'rejected',
  'courier requests': 'requests',
  'peak concurrency': 'peak conc',
  'courier calls/order': 'calls/order',
};

function shortLabel(label: string): string {
  return SHORT_LABELS[label] ?? label;
}

/** Centred overlay rectangle of at most `w` x `h` inside a `cols` x `rows` screen. */
export function centred(cols: number, rows: number, w: number, h: number): Rect {
  const width = Math.min(w, cols - 2);
  const height = Math.min(h, rows - 2);
  return { left: Math.floor((cols - width) / 2), top: Math.floor((rows - height) / 2), width, height };
}

export const panelWidget = (
  w: Widgets,
  id: PanelId,
  style: 'chart' | 'spark',
): blessed.Widgets.BlessedElement => {
  switch (id) {
    case 'conc':
      return w.conc;
    case 'rates':
      return style === 'chart' ? w.ratesChart : w.ratesSpark;
    case 'courier':
      return style === 'chart' ? w.courierChart : w.courierSpark;
    case 'gauges':
      return w.gauges;
    case 'orders':
      return w.orders;
    case 'log':
      return w.log;
  }
};
