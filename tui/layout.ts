/**
 * Where each pane goes, in whole terminal cells, for a given terminal size. Pure, so every size from 60x20
 * to very large can be checked for overlaps and overflow without a terminal.
 *
 * - below 60x20: only a "terminal too small" message;
 * - compact (fewer than 34 rows, such as 80x24): the concurrency chart, then the per-second rates and the
 *   courier answers as one-line sparklines; gauges, orders and the log on the right;
 * - full (34 rows and more): three line charts, gauges, orders, and a full-width log at the bottom.
 */
export type PanelId = 'conc' | 'rates' | 'courier' | 'gauges' | 'orders' | 'log';
export const PANEL_IDS: readonly PanelId[] = ['conc', 'rates', 'courier', 'gauges', 'orders', 'log'];

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Layout {
  kind: 'too-small' | 'compact' | 'full';
  cols: number;
  rows: number;
  panels: Partial<Record<PanelId, Rect>>;
  /** How the rates and courier panes draw: line charts, or sparklines where rows are short. */
  style: { rates: 'chart' | 'spark'; courier: 'chart' | 'spark' };
  status: Rect;
  hints: Rect;
}

export const MIN_COLS = 60;
export const MIN_ROWS = 20;
/** From this many rows on, the rates and courier panes get line charts of their own. */
export const FULL_ROWS = 34;
/** A line chart shows a readable plot (6 text rows) from 11 rows including border and x labels. */
export const CHART_MIN_ROWS = 11;

export function computeLayout(cols: number, rows: number): Layout {
  const c = Math.max(1, Math.floor(cols));
  const r = Math.max(1, Math.floor(rows));
  const status: Rect = { left: 0, top: 0, width: c, height: 1 };
  const hints: Rect = { left: 0, top: r - 1, width: c, height: 1 };
  if (c < MIN_COLS || r < MIN_ROWS) {
    return {
      kind: 'too-small',
      cols: c,
      rows: r,
      panels: {},
      style: { rates: 'spark', courier: 'spark' },
      status,
      hints,
    };
  }
  const h = r - 2; // rows between the status bar and the hint bar
  const top = 1;
  return r < FULL_ROWS ? compact(c, r, h, top, status, hints) : full(c, r, h, top, status, hints);
}

function compact(c: number, r: number, h: number, top: number, status: Rect, hints: Rect): Layout {
  const leftW = Math.round(c * 0.58);
  const rightW = c - leftW;
  const ratesH = 6; // four sparklines and a border
  const courierH = 5; // three sparklines and a border
  const concH = h - ratesH - courierH;
  const gaugesH = 6; // four one-line gauges and a border
  const ordersH = h >= 28 ? 10 : 6; // eight rows in one column, or in two
  return {
    kind: 'compact',
    cols: c,
    rows: r,
    style: { rates: 'spark', courier: 'spark' },
    status,
    hints,
    panels: {
      conc: { left: 0, top, width: leftW, height: concH },
      rates: { left: 0, top: top + concH, width: leftW, height: ratesH },
      courier: { left: 0, top: top + concH + ratesH, width: leftW, height: courierH },
      gauges: { left: leftW, top, width: rightW, height: gaugesH },
      orders: { left: leftW, top: top + gaugesH, width: rightW, height: ordersH },
      log: { left: leftW, top: top + gaugesH + ordersH, width: rightW, height: h - gaugesH - ordersH },
    },
  };
}

function full(c: number, r: number, h: number, top: number, status: Rect, hints: Rect): Layout {
  const midH = Math.max(CHART_MIN_ROWS, Math.round(h * 0.28));
  const logH = Math.max(6, Math.round(h * 0.25));
  const topH = h - midH - logH;
  const concW = Math.round(c * 0.6);
  const sideW = c - concW;
  // Tall gauges (three rows each) when the side column has room for them and a useful orders table.
  const gaugesH = topH >= 14 + 10 ? 14 : 6;
  const halfW = Math.floor(c / 2);
  return {
    kind: 'full',
    cols: c,
    rows: r,
    style: { rates: 'chart', courier: 'chart' },
    status,
    hints,
    panels: {
      conc: { left: 0, top, width: concW, height: topH },
      gauges: { left: concW, top, width: sideW, height: gaugesH },
      orders: { left: concW, top: top + gaugesH, width: sideW, height: topH - gaugesH },
      rates: { left: 0, top: top + topH, width: halfW, height: midH },
      courier: { left: halfW, top: top + topH, width: c - halfW, height: midH },
      log: { left: 0, top: top + topH + midH, width: c, height: logH },
    },
  };
}
