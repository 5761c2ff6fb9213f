/**
 * Gauges and sparklines drawn as text. blessed-contrib's gauge needs six rows to show anything; a text bar
 * needs one, so the same four gauges fit an 80x24 screen and grow taller on a big one. Pure: each function
 * returns blessed-tagged lines of exactly the given width.
 */
import { fmtPct } from './format.js';
import { TONE_COLOUR, type ChartSeries, type GaugeModel } from './view-model.js';

const FULL = '\u2588'; // full block
const EMPTY = '\u2591'; // light shade
const SPARKS = [' ', '\u2581', '\u2582', '\u2583', '\u2584', '\u2585', '\u2586', '\u2587', '\u2588'];

/** A bar of `width` cells, the first `fraction` of them filled, in the tone's colour. */
export function bar(fraction: number | undefined, width: number, colour: string): string {
  if (width <= 0) return '';
  const filled = fraction === undefined ? 0 : Math.round(Math.min(1, Math.max(0, fraction)) * width);
  const on = FULL.repeat(filled);
  const off = EMPTY.repeat(width - filled);
  return (filled > 0 ? `{${colour}-fg}${on}{/${colour}-fg}` : '') + off;
}

/**
 * The gauges pane. With two rows or more per gauge, each gets a label line (with its counts when they fit)
 * and a bar (two rows thick with four rows each, a blank line after with three); otherwise one line each:
 * short label, bar, percent.
 */
export function gaugeLines(models: readonly GaugeModel[], width: number, height: number): string[] {
  const lines: string[] = [];
  const rowsEach = Math.floor(height / Math.max(1, models.length));
  for (const g of models) {
    const colour = TONE_COLOUR[g.tone];
    const pct = fmtPct(g.fraction).padStart(4);
    const value = `{${colour}-fg}{bold}${pct}{/bold}{/${colour}-fg}`;
    if (rowsEach >= 2) {
      const long = `${g.label}: ${g.detail}`;
      const label = [long, g.label, g.short].find((l) => l.length <= width - 5) ?? '';
      lines.push(`${label.padEnd(width - 5)} ${value}`);
      const b = bar(g.fraction, width, colour);
      lines.push(b);
      if (rowsEach >= 4) lines.push(b);
      if (rowsEach >= 3) lines.push('');
    } else {
      const labelWidth = Math.max(...models.map((m) => m.short.length));
      const barWidth = Math.max(1, width - labelWidth - 6);
      lines.push(`${g.short.padEnd(labelWidth)} ${bar(g.fraction, barWidth, colour)} ${value}`);
    }
  }
  return lines;
}

/** One sparkline cell per value, scaled so that `max` is a full block; zero is blank. */
export function sparkline(values: readonly number[], max: number): string {
  let s = '';
  for (const v of values) {
    if (!(v > 0) || !(max > 0)) s += SPARKS[0];
    else s += SPARKS[Math.max(1, Math.min(8, Math.ceil((v / max) * 8)))];
  }
  return s;
}

/**
 * A compact chart: one line per series, `title sparkline readout`, all series on one scale so the 429s
 * dwarf the 200s as they do in the full chart. `values` must already be downsampled to the spark width.
 */
export function sparkLines(series: readonly ChartSeries[], width: number, maxY: number): string[] {
  const titleWidth = Math.max(...series.map((s) => s.title.length), 3);
  const readWidth = Math.max(...series.map((s) => s.readout.length), 3);
  const sparkWidth = Math.max(1, width - titleWidth - readWidth - 2);
  return series.map((s) => {
    const values = s.y.length > sparkWidth ? s.y.slice(s.y.length - sparkWidth) : s.y;
    const spark = sparkline(values, maxY).padStart(sparkWidth);
    return `{${s.colour}-fg}${s.title.padEnd(titleWidth)}{/${s.colour}-fg} {${s.colour}-fg}${spark}{/${s.colour}-fg} ${s.readout.padStart(readWidth)}`;
  });
}

/** The width a sparkline gets in a pane of `width` columns (so the view model can downsample to it). */
export function sparkWidth(series: readonly Pick<ChartSeries, 'title' | 'readout'>[], width: number): number {
  const titleWidth = Math.max(...series.map((s) => s.title.length), 3);
  const readWidth = Math.max(...series.map((s) => s.readout.length), 3);
  return Math.max(1, width - titleWidth - readWidth - 2);
}
