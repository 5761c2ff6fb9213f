/**
 * Draws one frame from the session into the widgets: moves the panes when the layout changes, then sets
 * every visible pane's content. It never renders; the dashboard calls `screen.render()` once per frame.
 * Chart data only changes when a row closes or the window, size or mode changes, so charts whose inputs are
 * the same as last frame are skipped.
 */
import type blessed from 'blessed';
import type { LabSession, LabSnapshot, SeriesRow } from '../lab/lab-view.js';
import { escapeTags, fitSegments, fitWords } from './format.js';
import { HELP_LINES, HINTS } from './key-map.js';
import {
  computeLayout,
  MIN_COLS,
  MIN_ROWS,
  PANEL_IDS,
  type Layout,
  type PanelId,
  type Rect,
} from './layout.js';
import type { LogModel } from './log-model.js';
import { formatLogLine, storyLines, type LogScroll } from './log-pane.js';
import {
  centred,
  chartPoints,
  drawChart,
  drawSpark,
  inner,
  ordersLines,
  paneLabel,
  panelWidget,
  place,
  setBorder,
  setLabel,
  type Widgets,
} from './panels.js';
import { gaugeLines, sparkWidth } from './text-bars.js';
import { SpeedMeter } from './speed-meter.js';
import type { UiState } from './ui-state.js';
import { withFaultMarker } from './fault-view.js';
import {
  concurrencyChart,
  courierChart,
  gauges,
  ordersTable,
  ratesChart,
  statusSegments,
  TONE_COLOUR,
  type ChartModel,
} from './view-model.js';

export class FrameDrawer {
  layout: Layout;
  private readonly chartKeys = new Map<blessed.Widgets.BlessedElement, string>();
  private readonly speed = new SpeedMeter();

  constructor(
    private readonly screen: blessed.Widgets.Screen,
    private readonly widgets: Widgets,
    private readonly logs: LogModel,
    private readonly scroll: LogScroll,
    private readonly nowMs: () => number,
  ) {
    this.layout = computeLayout(screen.width as number, screen.height as number);
  }

  /** Forgets what the charts last drew, so the next frame redraws them (after a mode or cap change). */
  invalidate(): void {
    this.chartKeys.clear();
  }

  private visible(id: PanelId): Rect | undefined {
    return this.layout.panels[id];
  }

  /** Re-reads the screen size and moves every pane to its place in the new layout. */
  relayout(ui: UiState): void {
    this.layout = computeLayout(this.screen.width as number, this.screen.height as number);
    const all = [
      this.widgets.conc,
      this.widgets.ratesChart,
      this.widgets.courierChart,
      this.widgets.ratesSpark,
      this.widgets.courierSpark,
      this.widgets.gauges,
      this.widgets.orders,
      this.widgets.log,
    ];
    for (const el of all) el.hide();
    this.chartKeys.clear();
    for (const id of PANEL_IDS) {
      const r = this.layout.panels[id];
      if (!r) continue;
      const style =
        id === 'rates' ? this.layout.style.rates : id === 'courier' ? this.layout.style.courier : 'chart';
      const el = panelWidget(this.widgets, id, style);
      place(el, r);
      // contrib canvases size their drawing surface on attach only: re-attach after every move.
      if (el === this.widgets.conc || el === this.widgets.ratesChart || el === this.widgets.courierChart)
        el.emit('attach');
    }
    place(this.widgets.status, this.layout.status);
    place(this.widgets.hints, this.layout.hints);
    if (this.layout.kind === 'too-small') {
      this.widgets.status.hide();
      place(this.widgets.tooSmall, centred(this.layout.cols, this.layout.rows, 40, 7));
    } else this.widgets.tooSmall.hide();
    if (!this.layout.panels[ui.focus]) ui.focus = 'log';
    this.placeOverlays(ui);
  }

  placeOverlays(ui: UiState): void {
    this.widgets.help.hide();
    this.widgets.story.hide();
    if (this.layout.kind === 'too-small') return;
    if (ui.overlay === 'help')
      place(this.widgets.help, centred(this.layout.cols, this.layout.rows, 62, HELP_LINES.length + 2));
    // The story covers every pane (between the bars), so no border peeks out beside it.
    if (ui.overlay === 'story')
      place(this.widgets.story, { left: 0, top: 1, width: this.layout.cols, height: this.layout.rows - 2 });
  }

  private drawChartPanel(
    ui: UiState,
    id: 'conc' | 'rates' | 'courier',
    rows: readonly SeriesRow[],
    snap: LabSnapshot,
  ): void {
    const r = this.visible(id);
    if (!r) return;
    const style = id === 'conc' ? 'chart' : this.layout.style[id];
    const el = panelWidget(this.widgets, id, style);
    const focused = ui.focus === id;
    const innerW = inner(r).width;
    const points =
      style === 'chart'
        ? chartPoints(r.width)
        : sparkWidth([{ title: id === 'rates' ? 'invocations' : 'other', readout: '00000' }], innerW);
    const key = [
      rows.length,
      rows[0]?.t,
      ui.window.spanS,
      ui.window.endOffsetS,
      r.width,
      r.height,
      focused,
      snap.mode,
      snap.concurrencyLimit,
      snap.queueConcurrency,
      id === 'conc'
        ? `${snap.concurrency.total}/${snap.concurrency.delivery}/${snap.concurrency.notify}`
        : '',
      snap.faults?.all.length ?? 0,
    ].join('|');
    if (this.chartKeys.get(el) === key && this.chartKeys.has(el)) return;
    this.chartKeys.set(el, key);
    let model: ChartModel;
    if (id === 'conc') model = concurrencyChart(rows, snap, ui.window, points);
    else if (id === 'rates') model = ratesChart(rows, ui.window, points);
    else model = courierChart(rows, ui.window, points);
    model = withFaultMarker(model, rows, ui.window, points, snap.faults?.all ?? []);
    if (style === 'chart') drawChart(el as Widgets['conc'], model, focused);
    else drawSpark(el as Widgets['ratesSpark'], model, focused);
  }

  private drawLog(ui: UiState): void {
    const r = this.visible('log');
    if (!r) return;
    const { width, height } = inner(r);
    const focused = ui.focus === 'log';
    const { rows: entries, selectedRow } = this.scroll.view(this.logs.shown, height);
    this.widgets.log.setContent(
      entries.map((e, i) => formatLogLine(e.record, width, i === selectedRow)).join('\n'),
    );
    const extras = [];
    if (this.logs.filter)
      extras.push({ text: `[filter ${escapeTags(this.logs.filter.raw)}]`, priority: 1, tag: 'yellow-fg' });
    if (!this.scroll.follow) extras.push({ text: '[paused]', priority: 1, tag: 'yellow-fg' });
    if (this.logs.stride > 1) extras.push({ text: `(1 in ${this.logs.stride} shown)`, priority: 3 });
    setLabel(this.widgets.log, paneLabel('Log, lines', extras, r.width, focused));
    setBorder(this.widgets.log, focused);
  }

  private drawBars(ui: UiState, snap: LabSnapshot): void {
    const width = this.layout.cols;
    const reached = this.speed.sample(this.nowMs(), snap.t);
    this.widgets.status.setContent(' ' + fitSegments(statusSegments(snap, reached), width - 2, '  ').tagged);
    if (ui.prompt !== undefined) {
      const head = 'filter log (id or START/COMPLETE/FAILED; Enter applies, Esc cancels): ';
      const short = 'filter: ';
      const lead = head.length + ui.prompt.length + 2 <= width ? head : short;
      const text = (lead + ui.prompt).slice(-(width - 2));
      this.widgets.hints.setContent(`{yellow-fg}${escapeTags(text)}{/yellow-fg}{inverse} {/inverse}`);
      return;
    }
    if (ui.flash && ui.flash.untilMs > this.nowMs()) {
      const colour = TONE_COLOUR[ui.flash.tone];
      const text = fitWords(ui.flash.text, width - 1) || ui.flash.text.slice(0, width - 1);
      this.widgets.hints.setContent(`{${colour}-fg}${escapeTags(text)}{/${colour}-fg}`);
      return;
    }
    ui.flash = undefined;
    this.widgets.hints.setContent(fitSegments(HINTS, width - 1, '  ').tagged);
  }

  private drawOverlays(ui: UiState): void {
    if (ui.overlay === 'help') {
      const { height } = inner(rectOf(this.widgets.help));
      const lines = HELP_LINES.slice(ui.overlayScroll, ui.overlayScroll + height);
      setLabel(this.widgets.help, ' Help: keys (Esc closes) ');
      this.widgets.help.setContent(lines.map(escapeTags).join('\n'));
      this.widgets.help.setFront();
    } else if (ui.overlay === 'story' && ui.story) {
      const r = rectOf(this.widgets.story);
      const { width, height } = inner(r);
      const lines = storyLines(ui.story, width);
      ui.overlayScroll = Math.max(0, Math.min(ui.overlayScroll, lines.length - height));
      setLabel(this.widgets.story, ' Story of one order (Esc closes, arrows scroll) ');
      this.widgets.story.setContent(lines.slice(ui.overlayScroll, ui.overlayScroll + height).join('\n'));
      this.widgets.story.setFront();
    }
  }

  /** Sets every visible pane from the session; no render. */
  draw(session: LabSession, ui: UiState): void {
    this.logs.flush(this.nowMs());
    if (this.layout.kind === 'too-small') {
      this.widgets.tooSmall.setContent(
        `Terminal too small: ${this.layout.cols}x${this.layout.rows}\nThe dashboard needs ${MIN_COLS}x${MIN_ROWS}.\nq quits.`,
      );
      this.widgets.hints.setContent('q quit');
      return;
    }
    const snap = session.snapshot();
    const rows = session.series();
    this.drawChartPanel(ui, 'conc', rows, snap);
    this.drawChartPanel(ui, 'rates', rows, snap);
    this.drawChartPanel(ui, 'courier', rows, snap);
    const g = this.visible('gauges');
    if (g) {
      const { width, height } = inner(g);
      setLabel(this.widgets.gauges, paneLabel('Health, %', [], g.width, false));
      this.widgets.gauges.setContent(gaugeLines(gauges(rows, snap), width, height).join('\n'));
    }
    const o = this.visible('orders');
    if (o) {
      const { width, height } = inner(o);
      setLabel(this.widgets.orders, paneLabel('Orders, count', [], o.width, false));
      this.widgets.orders.setContent(ordersLines(ordersTable(snap), width, height).join('\n'));
    }
    this.drawLog(ui);
    this.drawBars(ui, snap);
    this.drawOverlays(ui);
  }
}

function rectOf(el: blessed.Widgets.BlessedElement): Rect {
  return {
    left: el.left as number,
    top: el.top as number,
    width: el.width as number,
    height: el.height as number,
  };
}
