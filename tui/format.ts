/**
 * Number, time and text formatting for the dashboard. Pure; every width is in terminal columns and every
 * string is plain ASCII or single-width BMP characters (blessed runs with fullUnicode off).
 */

/** Scenario seconds as `mm:ss`, or `h:mm:ss` from one hour on. */
export function fmtClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** A short duration: `0s`, `45s`, `2m05s`, `1h02m`. */
export function fmtDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A count in at most 6 columns: `12345`, `123k`, `1.2M`. */
export function fmtCount(n: number): string {
  const v = Math.round(n);
  const a = Math.abs(v);
  if (a < 100_000) return String(v);
  if (a < 1_000_000) return `${Math.round(v / 1000)}k`;
  if (a < 100_000_000) return `${(v / 1_000_000).toFixed(1)}M`;
  return `${Math.round(v / 1_000_000)}M`;
}

/** A per-second rate: one decimal below 10, whole above. */
export function fmtRate(n: number): string {
  if (!Number.isFinite(n)) return '-';
  return n < 10 ? n.toFixed(1) : String(Math.round(n));
}

/** A fraction 0..1 as a whole percent; `-` when there is nothing to divide. */
export function fmtPct(fraction: number | undefined): string {
  if (fraction === undefined || !Number.isFinite(fraction)) return '-';
  return `${Math.round(fraction * 100)}%`;
}

/** US dollars: four decimals below a dollar (Lambda costs are small), cents above. */
export function fmtUsd(usd: number): string {
  if (usd < 1) return `$${usd.toFixed(4)}`;
  if (usd < 10_000) return `$${usd.toFixed(2)}`;
  return `$${Math.round(usd)}`;
}

/** A load factor as `x1`, `x1.25`, `x0.5`. */
export function fmtFactor(f: number): string {
  return `x${Number(f.toFixed(2))}`;
}

/** Pads or cuts `text` to exactly `width` columns; a cut ends in `~` so the reader sees it was cut. */
export function fitText(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text.padEnd(width);
  if (width === 1) return '~';
  return text.slice(0, width - 1) + '~';
}

/** Cuts `text` to at most `width` columns at a word boundary (never mid-word); may return ''. */
export function fitWords(text: string, width: number): string {
  if (text.length <= width) return text;
  const cut = text.slice(0, width + 1);
  const space = cut.lastIndexOf(' ');
  return space <= 0 ? '' : cut.slice(0, space).trimEnd();
}

/** One piece of a bar: plain text plus an optional blessed colour tag around it. */
export interface Segment {
  text: string;
  /** Lower numbers survive longer when the bar is too narrow. */
  priority: number;
  /** Blessed tag content, such as `yellow-fg` or `black-fg}{yellow-bg`; undefined for plain text. */
  tag?: string;
}

/**
 * Joins segments with `sep`, keeping the most important ones (lowest priority number first, then earlier
 * ones) that fit `width` together, in their original order. Whole segments go, so no word is ever cut.
 * Returns blessed-tagged text (segment text must already be escaped) and its plain length.
 */
export function fitSegments(
  segments: readonly Segment[],
  width: number,
  sep = '  ',
): { tagged: string; length: number } {
  const ranked = segments.map((s, i) => ({ s, i })).sort((a, b) => a.s.priority - b.s.priority || a.i - b.i);
  const keep = new Set<number>();
  let used = 0;
  for (const { s, i } of ranked) {
    const cost = s.text.length + (keep.size > 0 ? sep.length : 0);
    if (used + cost > width) continue;
    keep.add(i);
    used += cost;
  }
  const kept = segments.filter((_, i) => keep.has(i));
  const tagged = kept.map((s) => (s.tag ? `{${s.tag}}${s.text}{/}` : s.text)).join(sep);
  return { tagged, length: used };
}

/** Escapes blessed's tag braces in text that comes from outside (log messages, ids, paths). */
export function escapeTags(text: string): string {
  return text.replace(/[{}]/g, (ch) => (ch === '{' ? '{open}' : '{close}'));
}
