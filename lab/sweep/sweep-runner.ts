/**
 * Runs a sweep's cells, at most `parallel` at once, through an injected `runCell` (a virtual run on a pool
 * thread in the lab, anything in a test). An abort stops it: no new cell starts, the cells in flight are
 * told through the signal, and the cells done are kept (`complete: false`).
 */
import type { LabOptions } from '../config/parse-options.js';
import type { RunReport } from '../report/build-report.js';
import { cellFigures, type SweepCell, type SweepFile } from './sweep-file.js';
import type { Grid } from './sweep-grid.js';

export type RunCell = (options: LabOptions, signal: AbortSignal) => Promise<RunReport>;

export interface SweepRunOptions {
  grid: Grid;
  runCell: RunCell;
  /** Cells in flight at once (the pool's threads). */
  parallel: number;
  scenario: string;
  seed: number;
  signal?: AbortSignal;
  /** After each cell, with the count done so far. */
  onCell?: (cell: SweepCell, done: number, total: number) => void;
  /** Wall ms now; injected so a test's wall figures are exact. @default performance.now */
  now?: () => number;
}

/** Options as a cell's record holds them: the API key redacted, nothing sweep-only. */
export function cellOptions(options: LabOptions): Record<string, unknown> {
  const { courier, vary: _vary, ...rest } = options;
  return {
    ...rest,
    courier: { ...courier, apiKey: '[redacted]' },
    faults: options.faults.map((f) => ({
      kind: f.kind,
      value: f.value,
      startS: f.startS,
      durationS: f.durationS,
    })),
  };
}

export async function runSweep(o: SweepRunOptions): Promise<SweepFile> {
  const now = o.now ?? (() => performance.now());
  const started = now();
  const startedAt = new Date().toISOString();
  const cells = o.grid.cells;
  const done: SweepCell[] = [];
  const inner = new AbortController();
  const onAbort = (): void => inner.abort(o.signal?.reason);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) inner.abort(o.signal.reason);
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (!inner.signal.aborted && next < cells.length) {
      const cell = cells[next++]!;
      const t0 = now();
      let report: RunReport;
      try {
        report = await o.runCell(cell.options, inner.signal);
      } catch (err) {
        // A cell cut by the abort is not a result; any other failure stops the sweep and is raised.
        if (!inner.signal.aborted) {
          failure = err;
          inner.abort(err);
        }
        return;
      }
      if (inner.signal.aborted && o.signal?.aborted) return;
      const record: SweepCell = {
        index: cell.index,
        at: cell.at,
        seed: cell.options.seed,
        options: cellOptions(cell.options),
        figures: cellFigures(report),
        wallMs: Math.round(now() - t0),
      };
      // Issue 13 adds `thresholds` to the report; a cell carries them when the run had any.
      const thresholds = (report as { thresholds?: SweepCell['thresholds'] }).thresholds;
      if (thresholds) record.thresholds = thresholds;
      done.push(record);
      o.onCell?.(record, done.length, cells.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.parallel, cells.length)) }, worker));
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  if (failure !== undefined) throw failure;
  // Grid order, whatever order the cells finished in.
  const order = new Map(cells.map((c, i) => [c.index.join(','), i]));
  done.sort((a, b) => order.get(a.index.join(','))! - order.get(b.index.join(','))!);
  return {
    version: 1,
    kind: 'sweep',
    scenario: o.scenario,
    seed: o.seed,
    startedAt,
    axes: o.grid.axes.map((a) => ({ name: a.name, values: a.values })),
    cells: done,
    complete: done.length === cells.length,
    wallS: Math.round(now() - started) / 1000,
  };
}
