/**
 * `npm run lab -- sweep --vary ...`: the grid checked before anything starts, one virtual run per cell in
 * parallel, a progress bar (or lines), then a table, the phase map and DIR/sweep.json (`--report` names DIR).
 */
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { modulePath } from '../project-file.js';
import { createCellPool } from './sweep-pool.js';
import type { Writable } from 'node:stream';
import type { LabOptions } from '../config/parse-options.js';
import { resolveScenario } from '../load/presets.js';
import { faultsOfRun } from '../faults/run-faults.js';
import { writeReportFile } from '../report/build-report.js';
import { buildGrid, type Grid } from './sweep-grid.js';
import { runSweep, type RunCell } from './sweep-runner.js';
import { sweepProgress } from './sweep-progress.js';
import { phaseMap, sweepTable } from './phase-map.js';
import type { SweepFile } from './sweep-file.js';

export interface SweepIo {
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
}

export interface SweepDeps {
  runCell: RunCell;
  /** Cells in flight at once. */
  parallel: number;
}

/** The grid of a sweep command's options (throws ConfigError on a bad axis, before anything runs). */
export function sweepGrid(options: LabOptions): Grid {
  const scenario = resolveScenario(options.scenario);
  return buildGrid(options, options.vary, faultsOfRun(scenario, options));
}

export async function runSweepCommand(
  options: LabOptions,
  io: SweepIo,
  deps: SweepDeps,
  signal?: AbortSignal,
  grid: Grid = sweepGrid(options),
): Promise<{ sweep: SweepFile; file: string }> {
  const folder =
    options.report ??
    join('runs', `sweep-${new Date().toISOString().replace(/[:.]/g, '-')}-seed${options.seed}`);
  io.stderr.write(
    `stormlab: sweep of ${options.scenario}, ${grid.cells.length} cells (${grid.axes
      .map((a) => `${a.name}: ${a.values.length}`)
      .join(
        ' x ',
      )}), ${deps.parallel} at once, seed ${options.seed}${options.seedGiven ? '' : ' (random)'}\n`,
  );
  const progress = sweepProgress(io.stderr);
  const sweep = await runSweep({
    grid,
    runCell: deps.runCell,
    parallel: deps.parallel,
    scenario: options.scenario,
    seed: options.seed,
    signal,
    onCell: (cell, done, total) => progress.cell(cell, done, total),
  });
  progress.end();
  const file = join(folder, 'sweep.json');
  writeReportFile(file, sweep);
  io.stdout.write(`\n${sweepTable(sweep)}\n\n${phaseMap(sweep)}\n`);
  io.stdout.write(
    `\nsweep: ${sweep.cells.length} of ${grid.cells.length} cells in ${sweep.wallS} s${
      sweep.complete ? '' : ' (stopped: the cells done are kept)'
    }; written to ${file}\n`,
  );
  return { sweep, file };
}

/** The sweep's pool worker, with the running module's own extension (.ts under tsx, .js from a build). */
export const SWEEP_WORKER = modulePath('workers/sweep-worker');

/** `npm run lab -- sweep`: the grid (checked first), a piscina pool across the cores, then the outputs. */
export async function runSweepCli(
  options: LabOptions,
  io: SweepIo,
  signal?: AbortSignal,
  grid: Grid = sweepGrid(options),
): Promise<SweepFile> {
  const pool = createCellPool(SWEEP_WORKER, Math.min(availableParallelism(), grid.cells.length));
  try {
    const { sweep } = await runSweepCommand(
      options,
      io,
      { runCell: pool.runCell, parallel: pool.threads },
      signal,
      grid,
    );
    return sweep;
  } finally {
    await pool.close();
  }
}
