/**
 * A sweep on the real per-cell run (issue 11, item 6): 4 cells on the piscina pool give the same figures as
 * the same 4 runs made one by one from options parsed independently, as a person would type them.
 */
import t from 'tap';
import { parseLabOptions } from '../lab/config/parse-options.js';
import { sweepGrid, SWEEP_WORKER } from '../lab/sweep/sweep-command.js';
import { runSweep } from '../lab/sweep/sweep-runner.js';
import { createCellPool } from '../lab/sweep/sweep-pool.js';
import { runCell } from '../lab/sweep/run-cell.js';
import { cellFigures } from '../lab/sweep/sweep-file.js';

const BASE = [
  '--scenario',
  'smoke',
  '--seed',
  '3',
  '--courier-capacity',
  '4',
  '--attempt-timeout-ms',
  '3000',
];

t.test('4 cells on the pool equal the same 4 runs one by one', async (t) => {
  const options = parseLabOptions([
    'sweep',
    ...BASE,
    '--fault',
    'courier-latency=3000-6000@10+5',
    '--vary',
    'courier-rate=5,10',
    '--vary',
    'fault.1.duration=5,15',
  ]);
  const pool = createCellPool(SWEEP_WORKER, 2);
  t.teardown(() => pool.close());
  const sweep = await runSweep({
    grid: sweepGrid(options),
    runCell: pool.runCell,
    parallel: pool.threads,
    scenario: 'smoke',
    seed: 3,
  });
  t.equal(sweep.cells.length, 4);
  for (const cell of sweep.cells) {
    const rate = String(cell.at['courier-rate']);
    const duration = String(cell.at['fault.1.duration']);
    const alone = parseLabOptions([
      ...BASE,
      '--courier-rate',
      rate,
      '--fault',
      `courier-latency=3000-6000@10+${duration}`,
    ]);
    t.same(
      cell.figures,
      cellFigures(await runCell(alone)),
      `courier-rate=${rate} fault.1.duration=${duration}`,
    );
  }
  t.ok(
    sweep.cells.every((c) => c.figures.accepted === 120 && c.figures.recovered !== null),
    'every cell ran the whole smoke scenario and has a verdict',
  );
});
