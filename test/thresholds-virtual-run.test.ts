/**
 * Thresholds on the virtual engine (issue 13, item 3), in process: the verdicts a run reports, and
 * `--abort-on-fail` ending the same seeded run early. The virtual engine replays a seed exactly, so the
 * stopped run must be a prefix of the whole one: same rows, second by second, up to where it stopped.
 */
import t from 'tap';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { labOptionsWith, type LabOptions } from '../lab/config/parse-options.js';
import { runHeadless } from '../lab/headless.js';
import { parseThreshold } from '../lab/thresholds/parse-threshold.js';
import { captureStream, tempDir } from './helpers/capture.js';

const dir = tempDir('stormlab-thresholds-virtual-');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

async function run(name: string, over: Partial<LabOptions>) {
  const stdout = captureStream();
  const stderr = captureStream();
  const options = labOptionsWith({
    engine: 'virtual',
    scenario: 'smoke',
    mode: 'none',
    seed: 5,
    headless: true,
    report: join(dir, name, 'r.json'),
    logFile: join(dir, name, 'l.jsonl'),
    thresholds: ['peakConcurrency < 8', 'orders.lost == 0'].map((e) => parseThreshold(e)),
    ...over,
  });
  const result = await runHeadless(options, { stdout, stderr });
  return { ...result, stdout: stdout.text(), stderr: stderr.text() };
}

t.test('the whole run reports its verdicts; with --abort-on-fail it stops at the crossing', async (t) => {
  const whole = await run('whole', {});
  const peak = whole.report.peakConcurrency;
  t.ok(peak >= 8, `the storm reaches a concurrency of 8 (peak ${peak})`);
  t.equal(whole.ended, 'finished');
  t.same(whole.report.thresholds, [
    { expr: 'peakConcurrency < 8', value: peak, ok: false },
    { expr: 'orders.lost == 0', value: whole.report.orders.lost, ok: whole.report.orders.lost === 0 },
  ]);
  t.match(whole.stdout, `  ✗ peakConcurrency < 8 (value ${peak})\n`);

  const stopped = await run('stopped', { abortOnFail: true });
  t.equal(stopped.ended, 'threshold');
  t.equal(stopped.report.endedBy, 'threshold');
  t.ok(stopped.report.durationS < whole.report.durationS, 'ended before the load did');
  t.ok(stopped.report.peakConcurrency >= 8, 'only once the peak was past the limit');
  t.equal(stopped.report.thresholds![0]!.ok, false);
  t.match(
    stopped.stderr,
    /a threshold can no longer be met: ✗ peakConcurrency < 8 \(value \d+\); stopping the run/,
  );
  // Every closed second but the last (cut short by the stop) is the whole run's same second.
  const closed = stopped.report.series.slice(0, -1);
  t.ok(closed.length > 0);
  t.same(closed, whole.report.series.slice(0, closed.length), 'the stopped run is a prefix of the whole one');
  // It stopped within a second of the first second whose concurrency reached the limit in the whole run.
  const firstAt = whole.report.series.find((row) => row.concurrency >= 8)?.t;
  if (firstAt !== undefined)
    t.ok(stopped.report.durationS <= firstAt + 1, `stopped by second ${firstAt + 1}`);
});
