import t from 'tap';
import { VirtualClock } from '../lab/time/clock.js';
import { SeededRandom } from '../lab/time/random.js';
import { deliverOrder, type CourierAnswer, type OrderEvent } from '../lab/delivery/deliver-order.js';
import {
  FULL_JITTER,
  FULL_JITTER_CAP_MS,
  NO_RETRY,
  TENACITY,
  waitSchedule,
  type RetryPolicy,
} from '../lab/delivery/retry-policy.js';
import type { TaskContext } from '../lab/runtime/function-types.js';

const context: TaskContext = {
  requestId: 'req-1',
  functionName: 'DeliveryFunction',
  memoryMb: 1024,
  coldStart: false,
  deadlineMs: Infinity,
  correlationId: 'corr-1',
};
const event: OrderEvent = {
  'detail-type': 'order-notify',
  detail: { order_id: 'o-1', items: [1, 2], meta_data: { correlation_id: 'corr-1' } },
};

function rig(policy: RetryPolicy, answers: CourierAnswer[], seed = 3) {
  const clock = new VirtualClock();
  const calls: { at: number; body: unknown; headers: Record<string, string> }[] = [];
  const run = deliverOrder(
    event,
    context,
    {
      clock,
      random: new SeededRandom(seed),
      policy,
      apiKey: 'k',
      post: async (body, headers) => {
        calls.push({ at: clock.now(), body, headers });
        return answers[Math.min(calls.length - 1, answers.length - 1)]!;
      },
    },
    new AbortController().signal,
  );
  return { clock, calls, run };
}

t.test('tenacity: 5 attempts, 3 s + uniform[0, 5) s apart, the last error raised', async (t) => {
  const r = rig(TENACITY, [
    { status: 429 },
    { status: 502 },
    { status: 429 },
    { status: 429 },
    { status: 504 },
  ]);
  await r.clock.runAll();
  const outcome = await r.run;
  const waits = waitSchedule(TENACITY, new SeededRandom(3));
  const expected = [0];
  for (const w of waits) expected.push(expected.at(-1)! + w);
  t.same(
    r.calls.map((c) => c.at),
    expected,
  );
  t.equal(waits.length, 4);
  for (const w of waits) t.ok(w >= 3000 && w < 8000, `wait ${w} in [3, 8) s`);
  t.equal(outcome.ok, false);
  t.match(outcome, { code: 'CourierError', message: /courier answered 504 after 5 attempts/ });
});

t.test('a success ends the retries; meta_data is stripped; key and correlation id are sent', async (t) => {
  const r = rig(TENACITY, [
    { status: 'connection-error', message: 'ECONNREFUSED' },
    { status: 502 },
    { status: 200 },
  ]);
  await r.clock.runAll();
  const outcome = await r.run;
  t.equal(r.calls.length, 3);
  t.match(outcome, { ok: true, value: { attempts: 3 } });
  t.same(r.calls[0]!.body, { order_id: 'o-1', items: [1, 2] });
  t.equal(r.calls[0]!.headers['x-api-key'], 'k');
  t.equal(r.calls[0]!.headers['x-correlation-id'], 'corr-1');
});

t.test('no retry: one attempt', async (t) => {
  const r = rig(NO_RETRY, [{ status: 429 }]);
  await r.clock.runAll();
  t.equal(r.calls.length, 1);
  t.equal((await r.run).ok, false);
});

t.test('full jitter: waits within [0, min(cap, base * 2^(n-1)))', async (t) => {
  for (let seed = 1; seed <= 50; seed++) {
    const waits = waitSchedule(FULL_JITTER, new SeededRandom(seed));
    waits.forEach((w, i) => t.ok(w >= 0 && w < Math.min(FULL_JITTER_CAP_MS, 1000 * 2 ** i)));
  }
  t.equal(FULL_JITTER.maxAttempts, 5);
});

t.test('an abort during a wait ends the handler at once', async (t) => {
  const clock = new VirtualClock();
  const abort = new AbortController();
  const run = deliverOrder(
    event,
    context,
    {
      clock,
      random: new SeededRandom(1),
      policy: TENACITY,
      apiKey: 'k',
      post: async () => ({ status: 429 }),
    },
    abort.signal,
  );
  await clock.advance(1000);
  abort.abort(new Error('Task timed out'));
  const outcome = await run;
  t.match(outcome, { ok: false, code: 'Aborted' });
});
