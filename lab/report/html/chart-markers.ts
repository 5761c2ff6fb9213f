import type { ChartBand, ChartMarker } from './chart-spec.js';
import { breakerOpen, faultsOf, type HtmlRunReport } from './report-input.js';

/** Fault windows as shaded bands, labelled as typed (`courier-outage=1@60+120` reads `courier-outage 1`). */
export function faultBands(report: HtmlRunReport): ChartBand[] {
  return faultsOf(report).map((f) => ({
    fromS: f.startS,
    toS: f.startS + f.durationS,
    label: `${f.kind} ${f.value}`.trim(),
  }));
}

/** The same fault in several reports (a compare) is shaded once. */
export function uniqueBands(bands: ChartBand[]): ChartBand[] {
  const seen = new Set<string>();
  return bands.filter((b) => {
    const key = `${b.fromS}|${b.toS}|${b.label}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Each mode in force, from the moment it started (the first is the mode at start, t = 0). */
export function modeMarkers(report: HtmlRunReport, prefix = '', color?: string): ChartMarker[] {
  return (report.modeChanges ?? []).map((c) => ({
    atS: c.t,
    label: `${prefix}${c.mode}`,
    ...(color ? { color } : {}),
  }));
}

/** Seconds in which a circuit breaker was open, merged into windows. */
export function breakerBands(report: HtmlRunReport): ChartBand[] {
  const bands: ChartBand[] = [];
  for (const row of report.series) {
    if (!breakerOpen(row.breaker)) continue;
    const last = bands.at(-1);
    // Row t covers (t-1, t].
    if (last && last.toS === row.t - 1) last.toS = row.t;
    else bands.push({ fromS: row.t - 1, toS: row.t, label: 'breaker open' });
  }
  return bands;
}
