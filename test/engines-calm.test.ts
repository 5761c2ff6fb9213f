/**
 * Issue 12's policies through both engines: the virtual engine replays them exactly; the threads engine
 * spends one retry budget in shared memory from every function thread, and a live change reaches the
 * threads with the next task.
 */
import t from 'tap';
import { join } from 'node:path';
import { labOptionsWith, type LabOptions } from '../lab/config/parse-options.js';
import { createRun } from '../lab/run/create-run.js';
import { finishRun } from '../lab/finish-run.js';
import type { RunReport } from '../lab/report/build-report.js';
import { threadsRun } from './helpers/threads-run.js';
import { tempDir } from './helpers/capture.js';

const dir = tempDir();

const calmOptions = (over: Parameters<typeof labOptionsWith>[0]): LabOptions =>
  labOptionsWith({
    scenario: 'smoke',
    seed: 4,
    drainS: 600,
    courier: { rate: 1, burst: 1 },
    logFile: undefined,
    ...over,
  });

async function virtualRun(options: LabOptions, name: string): Promise<RunReport> {
  const lab = createRun({
    ...options,
    engine: 'virtual',
    report: join(dir, `${name}.json`),
    logFile: 'none',
  });
  await lab.start();
  await lab.runToEnd();
  return finishRun(lab, 'drain');
}

t.test(
  'virtual: a shared SDK quota and a breaker, replayed exactly, in the series and the report',
  async (t) => {
    const options = calmOptions({
      retryPolicy: 'sdk-standard',
      retryBudgetScope: 'shared',
      breaker: { ...labOptionsWith().breaker, mode: 'consecutive', scope: 'shared', threshold: 3 },
    });
    const a = await virtualRun(options, 'a');
    const b = await virtualRun(options, 'b');
    t.same(a.calm, b.calm, 'the same seed gives the same calm figures');
    t.same(
      a.series.map((r) => [r.budget, r.breaker, r.limit]),
      b.series.map((r) => [r.budget, r.breaker, r.limit]),
    );
    const calm = a.calm!;
    t.equal(calm.retryBudget?.policy, 'sdk-standard');
    t.equal(calm.retryBudget?.tokensAtEnd.budgets, 1, 'one shared budget');
    t.ok(
      a.series.some((r) => r.budget !== undefined && r.budget < 500),
      'the quota was spent at some second',
    );
    t.ok(calm.breaker!.opened > 0 && calm.breaker!.refusedCalls > 0, 'the breaker opened and refused calls');
    t.ok(
      a.series.some((r) => r.breaker === 1),
      'the series shows it open',
    );
    t.equal(
      a.orders.accepted,
      a.orders.delivered + a.orders.lost + a.orders.deadLettered + a.orders.inFlight,
    );
  },
);

t.test('virtual: aimd under the ESM ramp in the series limit column', async (t) => {
  const r = await virtualRun(calmOptions({ mode: 'queue', queueAdaptive: 'aimd' }), 'aimd');
  t.equal(r.series[0]!.limit, 5, 'the ESM starts at 5');
  t.equal(r.calm!.queueLimit, 'aimd');
  t.ok(r.calm!.peakLimit >= 5);
  t.equal(r.orders.lost, 0);
});

t.test(
  'threads: one retry bucket and one breaker in shared memory for every thread; a live change reaches them',
  async (t) => {
    const { lab } = threadsRun(
      calmOptions({
        speed: 40,
        retryPolicy: 'retry-bucket',
        retryBudgetScope: 'shared',
        retryBucketCapacity: 3,
        breaker: { ...labOptionsWith().breaker, mode: 'consecutive', scope: 'shared', threshold: 1 },
        drainS: 120,
        report: join(dir, 'threads.json'),
        logFile: join(dir, 'threads.log.jsonl'),
      }),
    );
    let changedAt: number | undefined;
    lab.on('sample', (row) => {
      // Once the threads have spent the shared bucket (whenever a loaded machine gets there), switch live.
      if (changedAt === undefined && row.budget !== undefined && row.budget < 3) {
        changedAt = row.t;
        lab.setGuards({ retryPolicy: 'none' });
      }
    });
    await lab.start();
    await lab.runToEnd();
    const r = await finishRun(lab, 'drain');
    t.ok(changedAt !== undefined, 'the threads spent the bucket the main thread reads');
    t.ok(
      r.series.every((row) => row.budget === undefined || row.budget <= 3),
      'never above capacity',
    );
    t.same(
      r.calm!.changes.map((c) => [c.what, c.value]),
      [['retryPolicy', 'none']],
    );
    t.equal(r.calm!.retryBudget, null, 'no budget after the change to no retries');
    t.equal(r.calm!.breaker!.scope, 'shared', 'the breaker stays through the change');
    t.ok(
      r.series.some((row) => row.breaker === 1) || r.calm!.breaker!.opened > 0,
      'the breaker the threads share, in shared memory, opened and the main thread saw it',
    );
    const after = r.series.filter((row) => row.t > (changedAt ?? 0) + 30);
    t.ok(
      after.every((row) => row.budget === undefined),
      'no budget column after the change',
    );
  },
);
