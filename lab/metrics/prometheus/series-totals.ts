import type { SeriesRow } from '../../lab-view.js';
import type { Cumulative } from '../series-recorder.js';

/** The series' per-second counts that a scrape turns into Prometheus counters. */
export const SERIES_COUNTS = [
  'invocations',
  'errors',
  'throttles',
  'timeouts',
  'deliverySuccesses',
  'deliveryFailures',
] as const satisfies readonly (keyof Cumulative)[];

export type SeriesCount = (typeof SERIES_COUNTS)[number];

/**
 * Running sums of the series' counts, as of its last closed second: the series rows hold each second's
 * increase, so their sum is the run's total when that second closed. Adds only the rows it has not seen,
 * and starts over when it is handed another series (the dashboard's restart).
 */
export class SeriesTotals {
  private rows: readonly SeriesRow[] | undefined;
  private seen = 0;
  private readonly sums = zero();

  read(rows: readonly SeriesRow[]): Readonly<Record<SeriesCount, number>> {
    if (rows !== this.rows || rows.length < this.seen) {
      this.rows = rows;
      this.seen = 0;
      Object.assign(this.sums, zero());
    }
    for (; this.seen < rows.length; this.seen++) {
      const row = rows[this.seen]!;
      for (const key of SERIES_COUNTS) this.sums[key] += row[key];
    }
    return this.sums;
  }
}

function zero(): Record<SeriesCount, number> {
  return Object.fromEntries(SERIES_COUNTS.map((k) => [k, 0])) as Record<SeriesCount, number>;
}
