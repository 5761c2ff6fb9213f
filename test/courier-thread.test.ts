import t from 'tap';
import { once } from 'node:events';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { request } from 'undici';
import { labOptionsWith, type CourierOptions } from '../lab/config/parse-options.js';
import { CourierStats } from '../lab/courier/courier-stats.js';
import { CourierThread, type CourierUpEvent } from '../lab/courier/courier-thread.js';
import { ClockOrigin, wallNowMs } from '../lab/time/clock.js';
import runCourierWorker, { type CourierWorkerReply } from '../workers/courier-worker.js';

const KEY = 'thread-key';

function courier(overrides: Partial<CourierOptions> = {}): CourierOptions {
  return {
    ...labOptionsWith().courier,
    apiKey: KEY,
    failureRate: 0,
    latency: { minMs: 0, maxMs: 0 },
    ...overrides,
  };
}

async function hit(url: string, key = KEY): Promise<number> {
  const res = await request(`${url}/slow`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', 'x-correlation-id': 'thread-test' },
    body: '{}',
  });
  await res.body.dump();
  return res.statusCode;
}

const dir = mkdtempSync(join(tmpdir(), 'stormlab-courier-thread-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test(
  'the thread starts, answers, counts in shared memory, restarts after kill() on the same port, stops',
  async (t) => {
    const logFile = join(dir, 'run.jsonl');
    const origin = new ClockOrigin();
    const thread = new CourierThread({
      // One token each 10 scenario s: the four requests below cannot earn one. Speed 1, so a scenario second
      // is a real one and the three admissions of one burst fall in the same second (at speed 10 a second is
      // 100 real ms, and a burst of new connections can straddle its edge: a peak of 2, not 3).
      options: courier({ rate: 0.1, burst: 3 }),
      speed: 1,
      originWallMs: wallNowMs(),
      origin: origin.buffer,
      seed: 9,
      logFile,
    });
    t.teardown(() => thread.stop());
    t.equal(thread.up, false);
    const url = await thread.start();
    t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    t.equal(thread.up, true);

    // Scenario time 0 now, once the thread has loaded its code: the burst falls early in second 0.
    origin.set();
    const first = await Promise.all([hit(url), hit(url), hit(url), hit(url), hit(url, 'bad')]);
    t.same(first.sort(), [200, 200, 200, 403, 429], 'burst 3, then 429; the bad key 403');
    t.same(thread.stats(), {
      requests: 5,
      received: 5,
      byStatus: { '200': 3, '403': 1, '429': 1, '502': 0, '504': 0 },
      admitted: 3,
      peakAdmittedPerSecond: 3,
      work: { useful: { requests: 0, busyMs: 0 }, wasted: { requests: 0, busyMs: 0 } },
    });

    const down = once(thread, 'down');
    const up = once(thread, 'up') as Promise<[CourierUpEvent]>;
    await thread.kill();
    await down;
    t.equal(thread.up, false, 'down after kill()');
    const [event] = await up;
    t.equal(event.url, url, 'back on the same URL');
    t.equal(event.restarts, 1);
    t.equal(thread.up, true);
    t.equal(await hit(url), 200, 'answers again (a restarted courier starts with a full bucket)');
    const after = thread.stats();
    t.equal(after.requests, 6, 'counts survived the restart');
    t.equal(after.byStatus['200'], 4);

    await thread.stop();
    t.equal(thread.up, false);
    await t.rejects(hit(url), 'nothing listens after stop()');
    const lines = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const afterRestart = lines.filter((l) => l.status === 'START');
    t.ok(afterRestart.length >= 1, 'the restarted thread appended its lines to the run log');
    t.ok(
      lines.every((l) => l.service === 'slow-api' && l.correlation_id === 'thread-test'),
      'slow-api lines with the correlation id',
    );
  },
);

t.test('a port in use rejects start() with EADDRINUSE', async (t) => {
  const a = new CourierThread({ options: courier(), speed: 1, originWallMs: wallNowMs(), seed: 1 });
  const url = await a.start();
  t.teardown(() => a.stop());
  const port = Number(new URL(url).port);
  const b = new CourierThread({ options: courier(), speed: 1, originWallMs: wallNowMs(), seed: 1, port });
  await t.rejects(b.start(), { code: 'EADDRINUSE' });
  t.equal(b.up, false);
});

t.test('the worker entry runs in this thread too, over a MessageChannel', async (t) => {
  const stats = new CourierStats();
  const { port1, port2 } = new MessageChannel();
  const done = runCourierWorker(
    {
      courierWorker: true,
      options: courier(),
      speed: 1,
      originWallMs: wallNowMs(),
      startedAtMs: Date.now(),
      seed: 3,
      generation: 1,
      host: '127.0.0.1',
      port: 0,
      stats: stats.buffer,
    },
    port2,
  );
  const [listening] = (await once(port1, 'message')) as [CourierWorkerReply];
  if (listening.type !== 'listening') throw new Error(`expected listening, got ${listening.type}`);
  const replies: CourierWorkerReply[] = [];
  const stopped = new Promise<void>((resolve) =>
    port1.on('message', (reply: CourierWorkerReply) => {
      replies.push(reply);
      if (reply.type === 'stopped') resolve();
    }),
  );
  t.equal(await hit(listening.url), 200);
  t.equal(stats.snapshot().admitted, 1);
  port1.postMessage({ type: 'stop' });
  await stopped;
  t.same(
    replies.map((r) => r.type).filter((type) => type !== 'logs'),
    ['delivered', 'stopped'],
    'the 200 reaches the main side before the thread says it stopped',
  );
  t.same(
    replies[0],
    { type: 'delivered', ids: ['thread-test'] },
    'the correlation id the courier answered 200',
  );
  await done;
  port1.close();
});
