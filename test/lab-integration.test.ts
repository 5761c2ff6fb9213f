import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labOptionsWith } from '../lab/config/parse-options.js';
import { runHeadless } from '../lab/headless.js';
import { threadsRun } from './helpers/threads-run.js';
import { finishRun } from '../lab/finish-run.js';
import type { RunReport } from '../lab/report/build-report.js';
import { captureStream, tempDir } from './helpers/capture.js';

const dir = tempDir();

async function run(mode: 'none' | 'queue' | 'throttle', drainS: number) {
  const stdout = captureStream();
  const stderr = captureStream();
  const options = labOptionsWith({
    scenario: 'smoke',
    mode,
    speed: 40,
    seed: 7,
    drainS,
    headless: true,
    report: join(dir, `${mode}.json`),
    logFile: join(dir, `${mode}.log.jsonl`),
  });
  const result = await runHeadless(options, { stdout, stderr });
  const onDisk = JSON.parse(readFileSync(join(dir, `${mode}.json`), 'utf8')) as RunReport;
  return { ...result, onDisk, stdout: stdout.text(), stderr: stderr.text() };
}

function checkBooks(t: Test, r: RunReport): void {
  const o = r.orders;
  t.equal(o.accepted, o.delivered + o.lost + o.deadLettered + o.inFlight, 'orders identity in the totals');
  t.ok(
    r.series.every((row) => row.accepted === row.delivered + row.lost + row.deadLettered + row.inFlight),
    'orders identity at every second',
  );
  t.equal(r.logs.notifyStart, r.functions.notify.invocations, 'notify START lines = notify invocations');
  t.equal(r.logs.deliveryComplete, o.delivered, 'delivery COMPLETE lines = orders delivered');
  t.equal(r.logs.deliveryFailed, r.functions.delivery.errors, 'delivery FAILED lines = delivery errors');
  t.ok(r.series.length >= Math.floor(r.durationS) - 1, `a row per scenario second (${r.series.length})`);
}

t.test('smoke through real threads and HTTP accounts for every order (mode none)', async (t) => {
  const r = await run('none', 600);
  t.match(r.stdout, /^ingress listening on http:\/\/127\.0\.0\.1:\d+$/m);
  t.match(r.stdout, /report written to/);
  t.ok(r.report.orders.accepted >= 100, `accepted ${r.report.orders.accepted}`);
  t.equal(r.report.orders.inFlight, 0, 'drained');
  t.ok(r.report.orders.delivered > 0);
  t.ok(r.report.courier.requests >= r.report.orders.delivered);
  t.equal(r.onDisk.seed, 7);
  t.equal((r.onDisk.config as { courier: { apiKey: string } }).courier.apiKey, '[redacted]');
  t.notMatch(
    readFileSync(join(dir, 'none.log.jsonl'), 'utf8'),
    /stormlab-dev-key/,
    'the key is never logged',
  );
  checkBooks(t, r.onDisk);
});

t.test('smoke in queue mode: delivery concurrency at most the cap, nothing lost once drained', async (t) => {
  const r = await run('queue', 1800);
  t.equal(r.report.orders.lost, 0);
  t.equal(r.report.orders.inFlight, 0);
  t.ok(
    r.report.functions.delivery.peakConcurrency! <= 10,
    `peak delivery ${r.report.functions.delivery.peakConcurrency}`,
  );
  checkBooks(t, r.onDisk);
});

t.test('smoke in throttle mode: the client-side bucket keeps 429s near zero', async (t) => {
  const r = await run('throttle', 1800);
  const c429 = r.report.courier.byStatus['429'] ?? 0;
  t.ok(c429 <= r.report.courier.requests * 0.02, `429s ${c429} of ${r.report.courier.requests}`);
  t.equal(r.report.orders.lost, 0);
  checkBooks(t, r.onDisk);
});

t.test('switching none, queue, none mid-run keeps the books at every second', async (t) => {
  const { lab } = threadsRun(
    labOptionsWith({
      scenario: 'smoke',
      mode: 'none',
      speed: 40,
      seed: 9,
      drainS: 1800,
      report: join(dir, 'switch.json'),
      logFile: join(dir, 'switch.log.jsonl'),
    }),
  );
  await lab.start();
  // Smoke lasts 40 scenario seconds: a second of real time at speed 40. Switch at about 10 s and 25 s.
  const at = (scenarioS: number, mode: 'none' | 'queue'): void => {
    lab.clock.setTimeout(() => lab.setMode(mode), scenarioS * 1000 - lab.clock.now());
  };
  at(10, 'queue');
  at(25, 'none');
  await lab.runToEnd();
  const report = await finishRun(lab, 'test');
  t.same(
    report.modeChanges.map((c) => c.mode),
    ['none', 'queue', 'none'],
  );
  t.ok(
    lab.pipeline.routed.queue > 0 && lab.pipeline.routed.none > 0,
    `routed ${JSON.stringify(lab.pipeline.routed)}`,
  );
  t.equal(report.orders.inFlight, 0, 'drained, the queue included');
  t.equal(report.queue.remaining, 0);
  checkBooks(t, report);
});
