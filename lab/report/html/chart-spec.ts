/** What the page's script draws: plain data, so the charts are built and tested in Node, drawn in the page. */

export interface ChartSeries {
  label: string;
  /** CSS colour of the line. */
  color: string;
  /** One value per x; null leaves a gap. */
  values: (number | null)[];
  /** Dashed line (limits, thresholds). */
  dash?: boolean;
  /** Hold each value until the next x (binned counts, limits). */
  stepped?: boolean;
  width?: number;
}

/** A shaded window on the time axis (a fault). */
export interface ChartBand {
  fromS: number;
  toS: number;
  label: string;
}

/** A vertical marker (a mode switch). */
export interface ChartMarker {
  atS: number;
  label: string;
  color?: string;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** Unit of the y axis, shown next to the title. */
  unit: string;
  /** Scenario seconds. */
  x: number[];
  series: ChartSeries[];
  bands: ChartBand[];
  markers: ChartMarker[];
  /** Fixed y range; the chart scales to its data when absent. */
  yMin?: number;
  yMax?: number;
  /** Shared x range, so that charts stacked on one page line up. */
  xMax: number;
  /** 'percent' draws 0..1 values as 0..100 %. */
  format?: 'count' | 'percent';
}

/** Okabe-Ito colours, distinguishable with the common colour-vision deficiencies. */
export const PALETTE = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#F0E442',
] as const;

export const COLORS = {
  success: '#009E73',
  failure: '#D55E00',
  concurrency: '#0072B2',
  limit: '#C62828',
  adaptiveLimit: '#E69F00',
  ok200: '#009E73',
  throttled429: '#E69F00',
  error5xx: '#C62828',
  mode: '#6A3D9A',
} as const;

export function paletteColor(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}
