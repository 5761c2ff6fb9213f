import { paletteColor, type ChartMarker, type ChartSeries, type ChartSpec } from './chart-spec.js';
import { faultBands, modeMarkers, uniqueBands } from './chart-markers.js';
import type { ReportsByConfig } from './report-input.js';
import {
  binnedX,
  lastSecond,
  limitNote,
  limitSeries,
  MEAN_OF_MINUTE,
  showLimit,
  stepValues,
} from './run-charts.js';
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

interface Figure {
  id: string;
  title: string;
  unit: string;
  /** 'rate': per second in short runs, each minute's mean per second in long ones. */
  binned: boolean | 'rate';
  values: (rows: Row[], binS: number, bins: number, lastS: number, binned: boolean) => (number | null)[];
  format?: 'percent';
}

/** One chart per figure, one line per configuration, every chart on the same time axis. */
const FIGURES: Figure[] = [
  {
    id: 'delivery-success',
    title: 'Delivery success',
    unit: 'share of delivery invocations that succeeded',
    binned: true,
    values: (rows, binS, bins) => binShares(rows, 'deliverySuccesses', 'deliveryFailures', binS, bins),
    format: 'percent',
  },
  {
    id: 'concurrency',
    title: 'Account concurrency',
    unit: 'executions in progress, each second',
    binned: false,
    values: (rows, _b, _n, lastS) => perSecond(rows, 'concurrency', lastS),
  },
  {
    id: 'invocations',
    title: 'Invocations',
    unit: 'all functions',
    binned: true,
    values: (rows, binS, bins) => binSums(rows, 'invocations', binS, bins),
  },
  {
    id: 'errors',
    title: 'Function errors',
    unit: 'all functions, timeouts included',
    binned: true,
    values: (rows, binS, bins) => binSums(rows, 'errors', binS, bins),
  },
  {
    id: 'courier-429',
    title: 'Courier 429 answers per second',
    unit: 'throttled by the usage plan',
    binned: 'rate',
    values: (rows, binS, bins, lastS, binned) =>
      binned ? binMeans(rows, 'courier429', binS, bins, lastS) : perSecond(rows, 'courier429', lastS),
  },
  {
    id: 'courier-200',
    title: 'Courier 200 answers per second',
    unit: 'orders handed to the courier',
    binned: 'rate',
    values: (rows, binS, bins, lastS, binned) =>
      binned ? binMeans(rows, 'courier2xx', binS, bins, lastS) : perSecond(rows, 'courier2xx', lastS),
  },
  {
    id: 'delivered',
    title: 'Orders delivered so far',
    unit: 'running total',
    binned: false,
    values: (rows, _b, _n, lastS) => perSecond(rows, 'delivered', lastS),
  },
];

/** Pads with nulls so that every configuration has a value (or a gap) at every x. */
function padTo<T>(values: T[], length: number): (T | null)[] {
  return values.length >= length
    ? values.slice(0, length)
    : [...values, ...new Array(length - values.length).fill(null)];
}

export function compareCharts(reports: ReportsByConfig): ChartSpec[] {
  const names = Object.keys(reports);
  const lastS = Math.max(1, ...names.map((n) => lastSecond(reports[n]!)));
  const binS = binSeconds(lastS);
  const bins = binStarts(lastS, binS).length;
  const xBins = binnedX(lastS, binS);
  const xMax = xBins.at(-1)!;
  const xSeconds = Array.from({ length: lastS }, (_, i) => i + 1);
  const bands = uniqueBands(names.flatMap((n) => faultBands(reports[n]!)));
  // A configuration's mode switches after its start are marked in its colour; compare runs rarely have any.
  const markers: ChartMarker[] = names.flatMap((n, i) =>
    modeMarkers(reports[n]!, `${n}: `, paletteColor(i)).filter((m) => m.atS > 0),
  );
  return FIGURES.map((f) => {
    const binned = f.binned === 'rate' ? binS === 60 : f.binned;
    const series: ChartSeries[] = names.map((name, i) => {
      const report = reports[name]!;
      const rows = report.series as unknown as Row[];
      // Past its own end a configuration has no data: a gap, not zeros.
      const ownBins = binStarts(lastSecond(report), binS).length;
      const raw = f
        .values(rows, binS, bins, lastS, binned)
        .map((v, j) => (binned && j >= ownBins ? null : v));
      return {
        label: name,
        color: paletteColor(i),
        values: binned ? stepValues(padTo(raw, bins)) : padTo(raw, lastS),
        stepped: binned,
        width: 2,
      };
    });
    let unit = f.unit;
    if (f.id === 'concurrency') {
      const limit = Number(reports[names[0]!]?.config['concurrencyLimit']);
      const shown = showLimit(limit, Math.max(0, ...names.map((n) => reports[n]!.peakConcurrency)));
      if (shown) series.push(limitSeries(limit, lastS));
      unit += limitNote(limit, shown);
    }
    return {
      id: f.id,
      title:
        f.binned === 'rate'
          ? `${f.title}${binned ? `, ${MEAN_OF_MINUTE}` : ''}`
          : f.binned
            ? `${f.title} ${binLabel(binS)}`
            : f.title,
      unit,
      x: binned ? xBins : xSeconds,
      series,
      bands,
      markers,
      yMin: 0,
      ...(f.format === 'percent' ? { yMax: 1, format: 'percent' as const } : {}),
      xMax,
    };
  });
}
