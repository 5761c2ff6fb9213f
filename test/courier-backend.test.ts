/**
 * The courier's backend capacity (issue 11, item 2), exact on a small scripted case on a virtual clock:
 * queueing behind the capacity, 504s at the integration timeout measured from arrival, work still done
 * for callers already answered or gone (wasted work), and the same model behind the real HTTP server.
 */
import t from 'tap';
import { Pool } from 'undici';
import { labOptionsWith } from '../lab/config/parse-options.js';
import { CourierBackend, serveAdmitted } from '../lab/courier/courier-backend.js';
import { startCourierServer } from '../lab/courier/courier-server.js';
import { VirtualClock } from '../lab/time/clock.js';
import { SeededRandom, type Random } from '../lab/time/random.js';

t.test('capacity 2, timeout 5 s: queueing, 504s and wasted work, to the millisecond', async (t) => {
  const clock = new VirtualClock();
  const backend = new CourierBackend({ clock, capacity: 2, timeoutMs: 5000 });
  const answers: string[] = [];
  const submit = (name: string, latencyMs: number) =>
    backend.submit(latencyMs, (status) => answers.push(`${clock.now()} ${name} ${status}`));
  submit('A', 4000); // served 0..4000
  submit('B', 6000); // served 0..6000, answered 504 at 5000
  await clock.advanceTo(1000);
  submit('C', 3000); // waits; served 4000..7000, answered 504 at 6000 (arrived at 1000)
  await clock.advanceTo(2000);
  submit('D', 500); // waits; served 6000..6500: 200, 4.5 s after it arrived
  await clock.advanceTo(3000);
  const e = submit('E', 1000); // waits; its caller hangs up at 3500; served 6500..7500 all the same
  submit('F', 200); // waits; served 7000..7200: 200
  t.same(backend.figures(), {
    useful: { requests: 0, busyMs: 0 },
    wasted: { requests: 0, busyMs: 0 },
    queued: 4,
    inService: 2,
    peakQueued: 4,
  });
  await clock.advanceTo(3500);
  e.hangUp();
  await clock.runAll();
  t.same(answers, ['4000 A 200', '5000 B 504', '6000 C 504', '6500 D 200', '7200 F 200']);
  t.same(backend.figures(), {
    useful: { requests: 3, busyMs: 4700 },
    wasted: { requests: 3, busyMs: 10000 },
    queued: 0,
    inService: 0,
    peakQueued: 4,
  });
  t.equal(clock.pending(), 0, 'no timer left behind');
});

t.test('serveAdmitted: a failure never reaches the backend; a success gets the success body', async (t) => {
  const clock = new VirtualClock();
  const backend = new CourierBackend({ clock, capacity: 1, timeoutMs: 29_000 });
  const options = labOptionsWith().courier;
  const draws = [true, false];
  const random = {
    chance: () => draws.shift()!,
    uniform: () => 1234,
  } as unknown as Random;
  const replies: string[] = [];
  const reply = (d: { status: number; body: string }) => replies.push(`${clock.now()} ${d.status} ${d.body}`);
  t.equal(serveAdmitted(backend, 'r-1', random, options, reply), undefined, 'a 502 has no ticket');
  t.ok(serveAdmitted(backend, 'r-2', random, options, reply));
  await clock.runAll();
  t.same(replies, [
    '0 502 {"message":"Internal server error"}',
    '1234 200 {"message":"delivery scheduled","request_id":"r-2"}',
  ]);
});

t.test('capacity is checked', async (t) => {
  t.throws(() => new CourierBackend({ clock: new VirtualClock(), capacity: 0, timeoutMs: 1 }), {
    message: 'capacity must be an integer from 1 and up, got 0',
  });
});

t.test(
  'behind the HTTP server: one slot, the second caller waits and is answered 504; the work is counted',
  async (t) => {
    const clock = new VirtualClock();
    const options = {
      ...labOptionsWith().courier,
      failureRate: 0,
      latency: { minMs: 3000, maxMs: 3000 },
      timeoutS: 5,
      capacity: 1,
    };
    const server = await startCourierServer({ options, clock, random: new SeededRandom(1), port: 0 });
    const pool = new Pool(server.url, { connections: 4 });
    t.teardown(async () => {
      await pool.close();
      await server.close();
    });
    const post = () =>
      pool
        .request({
          path: '/slow',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': options.apiKey },
          body: '{}',
        })
        .then(async (r) => {
          await r.body.text();
          return r.statusCode;
        });
    const first = post();
    const second = post();
    while (server.service.backend!.figures().queued < 1) await new Promise((r) => setImmediate(r));
    for (let s = 1; s <= 6; s++) await clock.advance(1000);
    t.same(await Promise.all([first, second]), [200, 504]);
    const work = () => server.stats.snapshot().work;
    t.same(work().useful, { requests: 1, busyMs: 3000 });
    await clock.advance(1000); // the second request's work ends at 6 s, after its 504 at 5 s
    t.same(work().wasted, { requests: 1, busyMs: 3000 });
  },
);

t.test('an outage refuses connections; the courier comes back when it ends', async (t) => {
  const clock = new VirtualClock();
  const options = { ...labOptionsWith().courier, failureRate: 0, latency: { minMs: 0, maxMs: 0 } };
  const server = await startCourierServer({ options, clock, random: new SeededRandom(1), port: 0 });
  const pool = new Pool(server.url, { connections: 1 });
  t.teardown(async () => {
    await pool.close();
    await server.close();
  });
  const post = () =>
    pool
      .request({
        path: '/slow',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': options.apiKey },
        body: '{}',
      })
      .then(
        async (r) => {
          await r.body.text();
          return String(r.statusCode);
        },
        (err: Error & { code?: string }) => `error ${err.code ?? err.message}`,
      );
  t.equal(await post(), '200');
  server.service.controls.setCourierUp(false);
  t.match(await post(), /^error /, 'refused while down');
  t.equal(server.stats.snapshot().received, 1, 'a refused connection never reaches the gateway');
  server.service.controls.setCourierUp(true);
  t.equal(await post(), '200');
});
