/**
 * A sweep's results as text: the phase map (recovered or stuck, and the delivered share, per cell; the
 * first axis down, the second across) and a table with one row per cell.
 */
import { formatTable } from '../report/summary-table.js';
import type { SweepCell, SweepFile } from './sweep-file.js';

/** R recovered, S stuck, - no verdict (no fault in the cell), then the delivered share in percent. */
export function cellMark(cell: SweepCell | undefined): string {
  if (!cell) return '  ?';
  const f = cell.figures;
  const mark = f.recovered === null ? '-' : f.recovered ? 'R' : 'S';
  return `${mark}${Math.round(f.deliveredShare * 100)
    .toString()
    .padStart(4)}`;
}

export function phaseMap(sweep: Pick<SweepFile, 'axes' | 'cells'>): string {
  const [down, across] = sweep.axes;
  if (!down) return '';
  const byIndex = new Map(sweep.cells.map((c) => [c.index.join(','), c]));
  const columns = across ? across.values : [''];
  const label = (v: number | string): string => String(v);
  const corner = across ? `${down.name} \\ ${across.name}` : down.name;
  const rowWidth = Math.max(corner.length, ...down.values.map((v) => label(v).length));
  const colWidth = Math.max(5, ...columns.map((v) => label(v).length));
  const lines: string[] = [];
  lines.push(`${corner.padEnd(rowWidth)}  ` + columns.map((v) => label(v).padStart(colWidth)).join(' '));
  down.values.forEach((v, i) => {
    const marks = columns.map((_, j) =>
      cellMark(byIndex.get(across ? `${i},${j}` : `${i}`)).padStart(colWidth),
    );
    lines.push(`${label(v).padEnd(rowWidth)}  ${marks.join(' ')}`);
  });
  lines.push('R recovered, S stuck, - no fault; the number is the share of orders delivered (%); ? not run');
  return lines.join('\n');
}

export function sweepTable(sweep: Pick<SweepFile, 'axes' | 'cells'>): string {
  const headers = [
    ...sweep.axes.map((a) => a.name),
    'delivered',
    'lost',
    'in flight',
    'calls/order',
    '429 share',
    'peak conc.',
    'recovery',
    'wall ms',
  ];
  const rows = sweep.cells.map((c) => {
    const f = c.figures;
    const recovery = f.recovered === null ? '-' : f.recovered ? `at ${f.recoveryAtS} s` : 'stuck';
    return [
      ...sweep.axes.map((a) => String(c.at[a.name])),
      `${(f.deliveredShare * 100).toFixed(1)}%`,
      String(f.lost),
      String(f.inFlight),
      f.courierCallsPerOrder.toFixed(2),
      `${(f.share429 * 100).toFixed(1)}%`,
      String(f.peakConcurrency),
      recovery,
      String(c.wallMs),
    ];
  });
  return formatTable(headers, rows);
}
