/**
 * Thresholds through the real command (issue 13, item 3): exit 0 when all are met, 99 when any is crossed
 * (k6's code), 99 with `--abort-on-fail` stopping the run early, 2 for a bad expression before anything
 * starts; compare shows a row per threshold and exits 99 when any configuration crosses one. Each case is a
 * real `npm run lab` process on the smoke scenario; the cases run side by side to keep the file short.
 */
import t from 'tap';
import { runCli, type CliOutcome } from './helpers/run-cli.js';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers/capture.js';
import type { RunReport } from '../lab/report/build-report.js';

// Compare runs smoke three times in a row, beside four other processes: more than the default 120 s when
// the machine is shared.
t.setTimeout(300_000);
const dir = tempDir('stormlab-cli-thresholds-');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Speed of every case: smoke's 40 scenario seconds take 8 real ones, slow enough that a busy shared machine
 * (five processes start at once here) still delivers the load on time.
 */
const SPEED = '5';

/** A headless smoke run writing into its own folder. */
function smoke(name: string, args: string[]): Promise<CliOutcome> {
  return runCli([
    '--headless',
    '--scenario',
    'smoke',
    '--speed',
    SPEED,
    '--seed',
    '7',
    '--report',
    join(dir, name, 'r.json'),
    '--log-file',
    join(dir, name, 'l.jsonl'),
    ...args,
  ]);
}

const readReport = (name: string): RunReport =>
  JSON.parse(readFileSync(join(dir, name, 'r.json'), 'utf8')) as RunReport;

t.test('exit codes 0, 99 and 2, the summary lines and the report field', async (t) => {
  const [met, crossed, aborted, bad, compare] = await Promise.all([
    smoke('met', ['--threshold', 'orders.accepted > 0', '--threshold', 'orders.lost <= 1000000']),
    smoke('crossed', ['--threshold', 'orders.accepted > 1000000', '--threshold=queue.dlq == 0']),
    smoke('aborted', ['--threshold', 'orders.accepted < 3', '--abort-on-fail']),
    smoke('bad', ['--threshold', 'orders.lost = 0']),
    runCli([
      'compare',
      '--scenario',
      'smoke',
      '--speed',
      SPEED,
      '--seed',
      '7',
      '--report',
      join(dir, 'compare'),
      '--threshold',
      'orders.accepted > 0',
      '--threshold',
      'orders.lost < 0',
    ]),
  ]);

  t.equal(met.code, 0, `all met: exit 0 (${met.stderr})`);
  const metReport = readReport('met');
  t.same(metReport.thresholds, [
    { expr: 'orders.accepted > 0', value: metReport.orders.accepted, ok: true },
    { expr: 'orders.lost <= 1000000', value: metReport.orders.lost, ok: true },
  ]);
  t.ok(metReport.orders.accepted > 0, 'the run accepted orders');
  t.match(
    met.stdout,
    `thresholds: all 2 met\n  ✓ orders.accepted > 0 (value ${metReport.orders.accepted})\n  ✓ orders.lost <= 1000000 (value ${metReport.orders.lost})\n`,
  );
  t.ok(
    met.stdout.indexOf('thresholds: all 2 met') > met.stdout.indexOf('delivery success'),
    'after the summary table',
  );

  t.equal(crossed.code, 99, `one crossed: exit 99 (${crossed.stderr})`);
  const crossedReport = readReport('crossed');
  t.same(crossedReport.thresholds, [
    { expr: 'orders.accepted > 1000000', value: crossedReport.orders.accepted, ok: false },
    { expr: 'queue.dlq == 0', value: 0, ok: true },
  ]);
  t.equal(crossedReport.endedBy, 'load-finished', 'without --abort-on-fail the run goes to its end');
  t.match(crossed.stdout, 'thresholds: 1 of 2 crossed (exit code 99)\n  ✗ orders.accepted > 1000000');

  t.equal(aborted.code, 99, `aborted on a crossing: exit 99 (${aborted.stderr})`);
  const abortedReport = readReport('aborted');
  t.equal(abortedReport.endedBy, 'threshold');
  t.ok(abortedReport.durationS < 40, `stopped before the scenario's 40 s (at ${abortedReport.durationS})`);
  t.ok(abortedReport.orders.accepted >= 3, 'stopped once the count was past the limit');
  t.same(abortedReport.thresholds, [
    { expr: 'orders.accepted < 3', value: abortedReport.orders.accepted, ok: false },
  ]);
  t.match(
    aborted.stderr,
    /stormlab: at \d\d:\d\d a threshold can no longer be met: ✗ orders.accepted < 3 \(value \d+\); stopping the run \(--abort-on-fail\)/,
  );

  t.equal(bad.code, 2, 'bad expression: exit 2');
  t.equal(bad.stdout, '', 'nothing started');
  const lines = bad.stderr.split('\n').filter((l) => l !== '');
  t.equal(lines.length, 1, 'one line');
  t.match(
    lines[0],
    /^stormlab: option --threshold: got "orders.lost = 0", which compares with a single = \(write ==\); allowed: FIELD OP NUMBER, OP one of == != < <= > >=, FIELD one of orders\.\{accepted,/,
  );
  t.notOk(existsSync(join(dir, 'bad')), 'no report or log folder');

  t.equal(compare.code, 99, `compare with a crossing in every configuration: exit 99 (${compare.stderr})`);
  const figures = JSON.parse(readFileSync(join(dir, 'compare', 'compare.json'), 'utf8')) as {
    modes: Record<string, { accepted: number; lost: number; thresholds: unknown }>;
  };
  t.same(Object.keys(figures.modes), ['none', 'queue', 'throttle']);
  for (const [mode, f] of Object.entries(figures.modes)) {
    t.same(
      f.thresholds,
      [
        { expr: 'orders.accepted > 0', value: f.accepted, ok: true },
        { expr: 'orders.lost < 0', value: f.lost, ok: false },
      ],
      mode,
    );
  }
  t.match(compare.stdout, /threshold orders\.accepted > 0 +✓ \d+ +✓ \d+ +✓ \d+\n/);
  t.match(compare.stdout, /threshold orders\.lost < 0 +✗ \d+ +✗ \d+ +✗ \d+\n/);
});
