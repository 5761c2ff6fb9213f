/** Per-second series rows folded into bins (per minute, as the article's graphs are). */

/** A series row as the charts read it: `t` closes scenario second t (1-based), counts are of that second. */
export type Row = { t: number } & Record<string, unknown>;

/** Bin width in scenario seconds: a minute, as the article plots, unless the run is too short to show one. */
export function binSeconds(durationS: number): number {
  return durationS >= 600 ? 60 : 10;
}

export function binLabel(binS: number): string {
  return binS === 60 ? 'per minute' : `per ${binS} s`;
}

/** The bin starts (scenario seconds) that cover `durationS`: 0, binS, 2*binS, ... */
export function binStarts(durationS: number, binS: number): number[] {
  const n = Math.max(1, Math.ceil(durationS / binS));
  return Array.from({ length: n }, (_, i) => i * binS);
}

function num(row: Row, key: string): number {
  const v = row[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** Row for second t covers (t-1, t]: it falls in the bin that holds t-1. */
function binOf(t: number, binS: number): number {
  return Math.floor((t - 1) / binS);
}

/** The sum of `key` over each bin. */
export function binSums(rows: readonly Row[], key: string, binS: number, bins: number): number[] {
  const sums = new Array<number>(bins).fill(0);
  for (const row of rows) {
    const b = binOf(row.t, binS);
    if (b >= 0 && b < bins) sums[b]! += num(row, key);
  }
  return sums;
}

/** ok / (ok + failed) per bin; null where nothing finished in the bin. */
export function binShares(
  rows: readonly Row[],
  okKey: string,
  failedKey: string,
  binS: number,
  bins: number,
): (number | null)[] {
  const ok = binSums(rows, okKey, binS, bins);
  const failed = binSums(rows, failedKey, binS, bins);
  return ok.map((o, i) => {
    const all = o + failed[i]!;
    return all === 0 ? null : o / all;
  });
}

/** One value per second 1..lastS from the rows (null where a row or the key is missing). */
export function perSecond(rows: readonly Row[], key: string, lastS: number): (number | null)[] {
  const out = new Array<number | null>(lastS).fill(null);
  for (const row of rows) {
    const v = row[key];
    if (row.t >= 1 && row.t <= lastS && typeof v === 'number' && Number.isFinite(v)) out[row.t - 1] = v;
  }
  return out;
}

/**
 * The mean per second of `key` over each bin: a rate that stays readable over an hour, where one point a second
 * would be a solid block. The last bin is divided by the seconds it really covers.
 */
export function binMeans(
  rows: readonly Row[],
  key: string,
  binS: number,
  bins: number,
  lastS: number,
): number[] {
  return binSums(rows, key, binS, bins).map((sum, i) => sum / Math.max(1, Math.min(binS, lastS - i * binS)));
}
