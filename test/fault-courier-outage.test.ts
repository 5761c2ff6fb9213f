/**
 * The courier's thread dies mid-run (issue 7, item 2): while it is gone its port refuses connections, so
 * delivery calls fail as connection errors and are retried like any failure; the thread is restarted, on
 * the same URL or, when that port stays taken, on another one that deliveries follow; the report counts
 * the outages, the series marks the seconds they covered (`courierUp`), the log tells them.
 */
import t from 'tap';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { labOptionsWith } from '../lab/config/parse-options.js';
import { threadsRun } from './helpers/threads-run.js';
import type { ThreadsEngine } from '../lab/engines/threads/threads-engine.js';
import { finishRun } from '../lab/finish-run.js';
import { tempDir } from './helpers/capture.js';
import { probe } from './helpers/probes.js';

const dir = tempDir('stormlab-fault-courier-');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

async function waitFor(condition: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`gave up after ${limitMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Kills the courier and, if `squat`, holds its port meanwhile so the restart has to move. */
async function outage(
  engine: ThreadsEngine,
  squat: boolean,
): Promise<{ before: string; after: string; refused: string }> {
  const courier = engine.courier!;
  const before = courier.url!;
  await courier.kill();
  const refused = await probe(before);
  // Taking the old port beats the restart to it: the new thread needs a few hundred ms to load its code.
  const squatter = squat ? createServer((socket) => socket.destroy()) : undefined;
  if (squatter)
    await new Promise<void>((resolve) => squatter.listen(Number(new URL(before).port), '127.0.0.1', resolve));
  try {
    await waitFor(() => courier.up, 'the courier to be restarted');
  } finally {
    squatter?.close();
  }
  return { before, after: courier.url!, refused };
}

t.test('the courier dies twice mid-run; deliveries retry through each outage and follow it', async (t) => {
  // A steady load that outlasts both restarts (the test stops it), light enough (20 orders a real second at
  // speed 20) to leave the CPU to the restarts, which load their code afresh in a new thread each time.
  const scenario = join(dir, 'steady.yml');
  writeFileSync(scenario, 'config:\n  phases:\n    - duration: 3600\n      arrivalRate: 1\n');
  const options = labOptionsWith({
    scenario,
    // Queue mode drains fast (a failed message is back after 30 s) and must lose nothing through the outages.
    mode: 'queue',
    visibilityTimeoutS: 30,
    speed: 20,
    seed: 5,
    drainS: 900,
    headless: true,
    report: join(dir, 'outage.json'),
    logFile: join(dir, 'outage.log.jsonl'),
  });
  const { lab, engine } = threadsRun(options);
  t.teardown(() => lab.stop()); // a failed assertion must not leave the run going
  await lab.start();
  const ended = lab.runToEnd();
  const orders = lab.pipeline.orders;
  await waitFor(() => orders.delivered >= 10, 'ten deliveries');

  const refusedBefore = lab.counters.get('connectionErrors');
  const deliveredAtKill = orders.delivered;
  const first = await outage(engine, false);
  t.equal(first.refused, 'ECONNREFUSED', 'while the thread is gone its port refuses connections');
  t.equal(first.after, first.before, 'restarted on the same URL');
  t.equal(await probe(first.after), 'open', 'its port accepts connections again');
  await waitFor(() => orders.delivered >= deliveredAtKill + 5, 'deliveries after the restart');
  t.ok(
    lab.counters.get('connectionErrors') > refusedBefore,
    'delivery calls failed as connection errors meanwhile',
  );

  const second = await outage(engine, true);
  t.not(
    second.after,
    second.before,
    `a restart that cannot get its port back moves (${second.before} -> ${second.after})`,
  );
  const deliveredAtMove = orders.delivered;
  await waitFor(() => orders.delivered >= deliveredAtMove + 5, 'deliveries to the moved courier');

  lab.load!.stop();
  t.equal(await ended, 'finished', 'the run drained to its end');
  const report = await finishRun(lab, 'drain');
  t.equal(report.courier.outages, 2, 'the report counts both outages');
  const down = report.series.filter((row) => row.courierUp === false).map((row) => row.t);
  const stretches = down.filter((second, i) => i === 0 || down[i - 1] !== second - 1).length;
  t.equal(
    stretches,
    2,
    `the series marks two outages (seconds ${down[0]}-${down.at(-1)}, ${down.length} in all)`,
  );
  t.equal(report.series[0]?.courierUp, true, 'the courier up at the start');
  t.equal(report.series.at(-1)?.courierUp, true, 'and at the end');
  const around = report.series.filter((row) => down.includes(row.t) || down.includes(row.t - 1));
  t.ok(
    around.reduce((n, row) => n + row.courierOther, 0) >= 1,
    'connection errors show in courierOther then',
  );
  const log = readFileSync(lab.files.log!, 'utf8');
  t.equal(log.match(/"courier thread died; restarting it"/g)?.length, 2, 'the log tells of each outage');
  t.equal(log.match(/"courier thread restarted"/g)?.length, 2, 'and of each restart');
  t.ok(report.retries.http >= 1, 'the delivery function retried in code');
  const o = report.orders;
  t.equal(o.inFlight, 0, 'every order settled once drained');
  t.equal(o.lost, 0, 'the queue lost nothing through the outages');
  t.equal(o.accepted, o.delivered + o.lost + o.deadLettered + o.inFlight, 'orders identity in the totals');
  t.same(
    report.series.filter(
      (row) => row.accepted !== row.delivered + row.lost + row.deadLettered + row.inFlight,
    ),
    [],
    'orders identity at every series row',
  );
  t.equal(await probe(second.after), 'ECONNREFUSED', 'nothing listens on the courier port after the run');
  t.equal(await probe(engine.ingress!.url), 'ECONNREFUSED', 'nor on the ingress port');
});
