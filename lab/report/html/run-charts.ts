import { COLORS, type ChartSeries, type ChartSpec } from './chart-spec.js';
import { breakerBands, faultBands, modeMarkers } from './chart-markers.js';
import type { HtmlRunReport } from './report-input.js';
import {
  binLabel,
  binMeans,
  binSeconds,
  binShares,
  binStarts,
  binSums,
  perSecond,
  type Row,
} from './series-bins.js';

export const MEAN_OF_MINUTE = 'mean of each minute';

/** The last scenario second the charts cover: the run's duration or its last row, whichever is later. */
export function lastSecond(report: HtmlRunReport): number {
  return Math.max(1, Math.ceil(report.durationS), report.series.at(-1)?.t ?? 0);
}

/** Binned x: each bin's start, plus the end of the last bin so that its step shows. */
export function binnedX(lastS: number, binS: number): number[] {
  const starts = binStarts(lastS, binS);
  return [...starts, starts.length * binS];
}

/** Binned values with the last one repeated for the closing x point. */
export function stepValues<T>(values: T[]): T[] {
  return values.length === 0 ? values : [...values, values.at(-1)!];
}

/**
 * The account limit is drawn when its line would not flatten the curve (from a fifth of the limit up);
 * otherwise the chart's caption names it.
 */
export function showLimit(limit: number, peak: number): boolean {
  return Number.isFinite(limit) && limit > 0 && peak >= limit / 5;
}

export function limitSeries(limit: number, lastS: number): ChartSeries {
  return {
    label: `account limit ${limit}`,
    color: COLORS.limit,
    values: new Array<number>(lastS).fill(limit),
    dash: true,
  };
}

export function limitNote(limit: number, shown: boolean): string {
  return shown || !Number.isFinite(limit) || limit <= 0 ? '' : `; the account limit (${limit}) is far above`;
}

function hasKey(rows: readonly Row[], key: string): boolean {
  return rows.some((r) => typeof r[key] === 'number');
}

/** The four graphs of the article for one run, in the order the article shows them. */
export function runCharts(report: HtmlRunReport): ChartSpec[] {
  const rows = report.series as unknown as Row[];
  const lastS = lastSecond(report);
  const binS = binSeconds(lastS);
  const bins = binStarts(lastS, binS).length;
  const xBins = binnedX(lastS, binS);
  const xMax = xBins.at(-1)!;
  const xSeconds = Array.from({ length: lastS }, (_, i) => i + 1);
  const bands = faultBands(report);
  // The mode at start is in the page's header; the markers show switches.
  const markers = modeMarkers(report, '→ ').filter((m) => m.atS > 0);
  const per = binLabel(binS);
  // Past ten minutes a per-second line of answers is a solid block: the chart shows each minute's mean rate.
  const meanOf = binS === 60;
  const rate = (key: string): (number | null)[] =>
    meanOf ? stepValues(binMeans(rows, key, binS, bins, lastS)) : perSecond(rows, key, lastS);

  const limit = Number(report.config['concurrencyLimit']);
  const concurrency: ChartSeries[] = [
    { label: 'concurrency', color: COLORS.concurrency, values: perSecond(rows, 'concurrency', lastS) },
  ];
  if (hasKey(rows, 'limit')) {
    concurrency.push({
      label: 'adaptive limit',
      color: COLORS.adaptiveLimit,
      values: perSecond(rows, 'limit', lastS),
      stepped: true,
    });
  }
  const limitShown = showLimit(limit, report.peakConcurrency);
  if (limitShown) concurrency.push(limitSeries(limit, lastS));

  const invocations = binSums(rows, 'invocations', binS, bins);
  const errors = binSums(rows, 'errors', binS, bins);
  const throttles = binSums(rows, 'throttles', binS, bins);
  const invocationSeries: ChartSeries[] = [
    { label: 'invocations', color: COLORS.concurrency, values: stepValues(invocations), stepped: true },
    { label: 'errors', color: COLORS.failure, values: stepValues(errors), stepped: true },
  ];
  if (throttles.some((v) => v > 0)) {
    invocationSeries.push({
      label: 'throttles',
      color: COLORS.adaptiveLimit,
      values: stepValues(throttles),
      stepped: true,
    });
  }

  return [
    {
      id: 'delivery-success',
      title: `Delivery success ${per}`,
      unit: 'share of delivery invocations that succeeded',
      x: xBins,
      series: [
        {
          label: 'success',
          color: COLORS.success,
          values: stepValues(binShares(rows, 'deliverySuccesses', 'deliveryFailures', binS, bins)),
          stepped: true,
          width: 2.5,
        },
      ],
      bands,
      markers,
      yMin: 0,
      yMax: 1,
      xMax,
      format: 'percent',
    },
    {
      id: 'concurrency',
      title: 'Account concurrency',
      unit: `executions in progress, each second${limitNote(limit, limitShown)}`,
      x: xSeconds,
      series: concurrency,
      bands,
      markers,
      yMin: 0,
      xMax,
    },
    {
      id: 'invocations',
      title: `Invocations and errors ${per}`,
      unit: 'all functions',
      x: xBins,
      series: invocationSeries,
      bands,
      markers,
      yMin: 0,
      xMax,
    },
    {
      id: 'courier',
      title: `Courier answers per second${meanOf ? `, ${MEAN_OF_MINUTE}` : ''}`,
      unit: 'by status',
      x: meanOf ? xBins : xSeconds,
      series: [
        { label: '200', color: COLORS.ok200, values: rate('courier2xx'), stepped: meanOf },
        { label: '429', color: COLORS.throttled429, values: rate('courier429'), stepped: meanOf },
        { label: '5xx', color: COLORS.error5xx, values: rate('courier5xx'), stepped: meanOf },
      ],
      bands: [...bands, ...breakerBands(report)],
      markers,
      yMin: 0,
      xMax,
    },
  ];
}
