/**
 * Running a sweep around an injected per-cell run (issue 11, item 4): parallelism bounded, cells in grid
 * order whatever order they finish in, sweep.json's shape, the phase map and table, progress on a terminal
 * and off it, Ctrl-C keeping the cells done, and the piscina pool across threads.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { parseLabOptions, type LabOptions } from '../lab/config/parse-options.js';
import type { RunReport } from '../lab/report/build-report.js';
import { runSweep } from '../lab/sweep/sweep-runner.js';
import { sweepGrid, runSweepCommand } from '../lab/sweep/sweep-command.js';
import { phaseMap, sweepTable } from '../lab/sweep/phase-map.js';
import { bar, cellLine } from '../lab/sweep/sweep-progress.js';
import { createCellPool } from '../lab/sweep/sweep-pool.js';
import { madeUpReport } from './helpers/sweep-reports.js';
import { captureStream, tempDir } from './helpers/capture.js';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const options = (...args: string[]) =>
  parseLabOptions([
    'sweep',
    '--seed',
    '7',
    '--scenario',
    'smoke',
    '--fault',
    'courier-outage@300+30',
    '--vary',
    'courier-rate=2,4',
    '--vary',
    'fault.1.duration=50,100,150',
    ...args,
  ]);

interface Deferred {
  options: LabOptions;
  resolve: (r: RunReport) => void;
  reject: (e: unknown) => void;
}

/** A runCell whose cells wait until the test settles them. */
function heldCells() {
  const held: Deferred[] = [];
  let waiting: (() => void) | undefined;
  const runCell = (o: LabOptions, signal: AbortSignal) =>
    new Promise<RunReport>((resolve, reject) => {
      held.push({ options: o, resolve, reject });
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      waiting?.();
    });
  /** Resolves once `n` cells have started. */
  const started = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (held.length >= n) resolve();
        else waiting = check;
      };
      check();
    });
  return { held, runCell, started };
}

t.test('two at a time, grid order kept, figures from each report', async (t) => {
  const grid = sweepGrid(options());
  const { held, runCell, started } = heldCells();
  let clock = 0;
  const running = runSweep({ grid, runCell, parallel: 2, scenario: 'smoke', seed: 7, now: () => clock });
  await started(2);
  t.equal(held.length, 2, 'never more than 2 in flight');
  // Finish the second first: the file still lists cells in grid order.
  clock = 40;
  held[1]!.resolve(madeUpReport(held[1]!.options));
  await started(3);
  held[0]!.resolve(madeUpReport(held[0]!.options));
  await started(4);
  for (let i = 2; i < 6; i++) {
    await started(i + 1);
    held[i]!.resolve(madeUpReport(held[i]!.options));
  }
  const sweep = await running;
  t.equal(sweep.complete, true);
  t.same(sweep.axes, [
    { name: 'courier-rate', values: [2, 4] },
    { name: 'fault.1.duration', values: [50, 100, 150] },
  ]);
  t.same(
    sweep.cells.map((c) => [c.index, c.figures.delivered, c.figures.recovered, c.figures.recoveryAtS]),
    [
      [[0, 0], 250, true, 350],
      [[0, 1], 300, false, null],
      [[0, 2], 350, false, null],
      [[1, 0], 450, true, 350],
      [[1, 1], 500, false, null],
      [[1, 2], 550, false, null],
    ],
  );
  const first = sweep.cells[0]!;
  t.same(first.at, { 'courier-rate': 2, 'fault.1.duration': 50 });
  t.equal(first.seed, 7);
  t.equal((first.options['courier'] as { apiKey: string }).apiKey, '[redacted]');
  t.same(first.options['faults'], [{ kind: 'courier-outage', value: '1', startS: 300, durationS: 50 }]);
  t.same(first.figures, {
    accepted: 1000,
    delivered: 250,
    lost: 750,
    deadLettered: 0,
    inFlight: 0,
    deliveredShare: 0.25,
    lostShare: 0.75,
    peakConcurrency: 700,
    share429: 0.5,
    courierCallsPerOrder: 4,
    costUsd: 0.5,
    lastDeliveryS: 590,
    recovered: true,
    recoveryAtS: 350,
  });
  t.equal(sweep.wallS, 0.04);
});

t.test('the phase map and the table, literally', async (t) => {
  const grid = sweepGrid(options());
  const sweep = await runSweep({
    grid,
    runCell: async (o) => madeUpReport(o),
    parallel: 3,
    scenario: 'smoke',
    seed: 7,
  });
  t.equal(
    phaseMap(sweep),
    [
      'courier-rate \\ fault.1.duration     50   100   150',
      '2                                R  25 S  30 S  35',
      '4                                R  45 S  50 S  55',
      'R recovered, S stuck, - no fault; the number is the share of orders delivered (%); ? not run',
    ].join('\n'),
  );
  t.match(sweepTable(sweep).split('\n')[0]!, /^courier-rate {2}fault\.1\.duration {2}delivered {2}lost/);
  t.match(sweepTable(sweep).split('\n')[2]!, /^2 +50 +25\.0% +750 +0 +4\.00 +50\.0% +700 +at 350 s/);
  t.equal(bar(3, 6, 12), '[###############---------------] 3/6 cells, 12 s, about 12 s left');
  t.equal(
    cellLine(sweep.cells[1]!, 2, 6),
    'sweep: cell 2/6 courier-rate=2 fault.1.duration=100: S  30% delivered (0 ms)'.replace(
      /\(0 ms\)/,
      `(${sweep.cells[1]!.wallMs} ms)`,
    ),
  );
});

t.test('Ctrl-C: no new cell starts, the cells in flight are dropped, the ones done are kept', async (t) => {
  const grid = sweepGrid(options());
  const { held, runCell, started } = heldCells();
  const abort = new AbortController();
  const running = runSweep({ grid, runCell, parallel: 2, scenario: 'smoke', seed: 7, signal: abort.signal });
  await started(2);
  held[0]!.resolve(madeUpReport(held[0]!.options));
  await started(3);
  abort.abort(new Error('SIGINT'));
  const sweep = await running;
  t.equal(sweep.complete, false);
  t.same(
    sweep.cells.map((c) => c.index),
    [[0, 0]],
  );
  t.equal(held.length, 3, 'nothing started after the abort');
});

t.test('a cell that fails stops the sweep with its error', async (t) => {
  const grid = sweepGrid(options());
  await t.rejects(
    runSweep({
      grid,
      runCell: async () => {
        throw new Error('engine broke');
      },
      parallel: 2,
      scenario: 'smoke',
      seed: 7,
    }),
    { message: 'engine broke' },
  );
});

t.test('the command: progress lines off a terminal, a bar on one, sweep.json written', async (t) => {
  const dir = tempDir('stormlab-sweep-');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const stdout = captureStream();
  const stderr = captureStream();
  const { file } = await runSweepCommand(
    options('--report', dir),
    { stdout, stderr },
    { runCell: async (o) => madeUpReport(o), parallel: 2 },
  );
  t.equal(file, join(dir, 'sweep.json'));
  const written = JSON.parse(readFileSync(file, 'utf8')) as {
    kind: string;
    version: number;
    cells: unknown[];
    complete: boolean;
  };
  t.same([written.kind, written.version, written.cells.length, written.complete], ['sweep', 1, 6, true]);
  const lines = stderr.text().trim().split('\n');
  t.equal(lines.length, 7, 'a header and one line per cell');
  t.match(lines[1]!, /^sweep: cell 1\/6 courier-rate=2 fault\.1\.duration=50: R {2}25% delivered/);
  t.match(stdout.text(), /R recovered, S stuck/);
  t.match(stdout.text(), /sweep: 6 of 6 cells in [\d.]+ s; written to /);
  const tty = Object.assign(captureStream(), { isTTY: true });
  await runSweepCommand(
    options('--report', join(dir, 'b')),
    { stdout, stderr: tty },
    { runCell: async (o) => madeUpReport(o), parallel: 2 },
  );
  t.match(tty.text(), /\r\[#{30}\] 6\/6 cells, \d+ s, about 0 s left\n$/);
});

t.test('the piscina pool runs cells on worker threads, the same figures as in-process', async (t) => {
  const pool = createCellPool(fileURLToPath(new URL('./fixtures/sweep-cell-worker.ts', import.meta.url)), 2);
  t.teardown(() => pool.close());
  const grid = sweepGrid(options());
  const onPool = await runSweep({
    grid,
    runCell: pool.runCell,
    parallel: pool.threads,
    scenario: 'smoke',
    seed: 7,
  });
  const inProcess = await runSweep({
    grid,
    runCell: async (o) => madeUpReport(o),
    parallel: 1,
    scenario: 'smoke',
    seed: 7,
  });
  t.same(
    onPool.cells.map((c) => c.figures),
    inProcess.cells.map((c) => c.figures),
  );
});
