/**
 * The virtual engine: the same options and seed give the same run byte for byte; a whole 18-minute storm runs
 * in a fraction of real time; events tell callers when a second closes and when the run ends.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labOptionsWith, type LabOptions } from '../lab/config/parse-options.js';
import { createRun } from '../lab/run/create-run.js';
import { finishRun } from '../lab/finish-run.js';
import type { RunReport } from '../lab/report/build-report.js';
import type { SeriesRow } from '../lab/lab-view.js';

const dir = mkdtempSync(join(tmpdir(), 'stormlab-virtual-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

async function run(
  options: LabOptions,
  name: string,
): Promise<{ report: RunReport; log: string; rows: SeriesRow[] }> {
  const lab = createRun({
    ...options,
    engine: 'virtual',
    report: join(dir, name, 'r.json'),
    logFile: join(dir, name, 'l.jsonl'),
  });
  const rows: SeriesRow[] = [];
  lab.on('sample', (row) => rows.push(row));
  await lab.start();
  await lab.runToEnd();
  const report = await finishRun(lab, 'drain');
  return { report, log: readFileSync(lab.files.log!, 'utf8'), rows };
}

/** A report without what the wall clock and the file system decide. */
function comparable(report: RunReport): string {
  const { startedAt: _s, host: _h, logs, config, ...rest } = report;
  return JSON.stringify({
    ...rest,
    logs: { ...logs, file: '' },
    config: { ...config, report: '', logFile: '' },
  });
}

t.test('the same options and seed give the same report and the same log lines', async (t) => {
  const options = labOptionsWith({ scenario: 'smoke', mode: 'none', seed: 21, drainS: 300 });
  const a = await run(options, 'a');
  const b = await run(options, 'b');
  t.equal(comparable(a.report), comparable(b.report), 'reports identical apart from start time, host, paths');
  const untimed = (log: string): string => log.replace(/"timestamp":"[^"]*"/g, '');
  t.ok(a.log.length > 0);
  t.equal(untimed(a.log), untimed(b.log), 'log files identical apart from wall-clock timestamps');
  const c = await run({ ...options, seed: 22 }, 'c');
  t.not(comparable(c.report), comparable(a.report), 'another seed gives another run');
});

t.test(
  'sample events close one row per scenario second, in order, the same rows the report holds',
  async (t) => {
    const { report, rows } = await run(
      labOptionsWith({ scenario: 'smoke', mode: 'queue', seed: 3 }),
      'events',
    );
    t.same(
      rows.map((r) => r.t),
      report.series.map((r) => r.t),
    );
    t.same(rows.map((r) => r.t).slice(0, 5), [1, 2, 3, 4, 5]);
    t.equal(report.durationS, 40, 'smoke lasts 40 scenario seconds');
  },
);

t.test('with --log-file none there is no file, and the report says so', async (t) => {
  const lab = createRun(
    labOptionsWith({
      scenario: 'smoke',
      engine: 'virtual',
      seed: 2,
      logFile: 'none',
      report: join(dir, 'n.json'),
    }),
  );
  await lab.start();
  await lab.runToEnd();
  const report = await finishRun(lab, 'load-finished');
  t.equal(lab.files.log, undefined);
  t.equal(report.logs.file, null);
  t.equal(report.orders.accepted, 120);
});

t.test('orders still on their way in when the load ends belong to the run', async (t) => {
  // An order every 2 s for 10 s, and 3-second cold starts (an environment is reclaimed after 1 s idle): at
  // the load's end the last order is still in its notify, and a run ending at once (no drain) must wait for
  // the ingress to answer it (before it did not: 4 of 5 accepted).
  const scenario = join(dir, 'sparse.json');
  writeFileSync(scenario, JSON.stringify({ config: { phases: [{ duration: 10, arrivalRate: 0.5 }] } }));
  const options = labOptionsWith({
    scenario,
    mode: 'none',
    seed: 2,
    drainS: 0,
    coldStartMs: 3000,
    envIdleS: 1,
    courier: { failureRate: 0, rate: 1000, burst: 1000, latency: { minMs: 0, maxMs: 0 } },
  });
  const { report, log } = await run(options, 'last-arrivals');
  const notifyStarts = log.split('\n').filter((l) => l.includes('"notify-handler START"')).length;
  t.equal(report.orders.accepted, 5, 'an order every 2 s for 10 s');
  t.equal(report.checks.ingressAccepted, 5, 'the ingress answered every one');
  t.equal(notifyStarts, 5, 'one notify START line each');
});
