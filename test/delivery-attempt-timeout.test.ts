/**
 * `--attempt-timeout-ms` (issue 11, item 2): a courier call that outlasts the client timeout is aborted,
 * counts as a failed attempt and is retried per the policy; the function's own abort still wins.
 */
import t from 'tap';
import { VirtualClock } from '../lab/time/clock.js';
import { SeededRandom } from '../lab/time/random.js';
import { deliverOrder, type CourierAnswer, type OrderEvent } from '../lab/delivery/deliver-order.js';
import { TENACITY, waitSchedule } from '../lab/delivery/retry-policy.js';
import { WorkerCounters } from '../lab/runtime/worker-counters.js';
import type { TaskContext } from '../lab/runtime/function-types.js';

const context: TaskContext = {
  requestId: 'req-1',
  functionName: 'DeliveryFunction',
  memoryMb: 1024,
  coldStart: false,
  deadlineMs: Infinity,
  correlationId: 'corr-1',
};
const event: OrderEvent = { 'detail-type': 'order-notify', detail: { order_id: 'o-1' } };

/** A courier that answers 200 after `latencies[i]` ms for call i, and notes when a call is aborted. */
function slowCourier(clock: VirtualClock, latencies: number[]) {
  const log: string[] = [];
  let n = 0;
  const post = (_b: unknown, _h: Record<string, string>, signal: AbortSignal): Promise<CourierAnswer> => {
    const i = n++;
    log.push(`${clock.now()} call ${i + 1}`);
    return clock.sleep(latencies[i]!, signal).then(
      () => ({ status: 200 }),
      (err: unknown) => {
        log.push(`${clock.now()} call ${i + 1} aborted`);
        throw err;
      },
    );
  };
  return { post, log };
}

t.test('two calls cut at 3 s, the third answers in time', async (t) => {
  const clock = new VirtualClock();
  const courier = slowCourier(clock, [10_000, 5_000, 1_000]);
  const counters = new WorkerCounters();
  const run = deliverOrder(
    event,
    context,
    {
      clock,
      random: new SeededRandom(5),
      policy: TENACITY,
      apiKey: 'k',
      post: courier.post,
      counters,
      attemptTimeoutMs: 3000,
    },
    new AbortController().signal,
  );
  await clock.runAll();
  const outcome = await run;
  const [w1, w2] = waitSchedule(TENACITY, new SeededRandom(5));
  const second = 3000 + w1!;
  const third = second + 3000 + w2!;
  t.same(courier.log, [
    '0 call 1',
    '3000 call 1 aborted',
    `${second} call 2`,
    `${second + 3000} call 2 aborted`,
    `${third} call 3`,
  ]);
  t.same(outcome.ok && outcome.value, { status: 200, attempts: 3, courier429: 0 });
  t.equal(counters.get('attemptTimeouts'), 2);
  t.equal(counters.get('courierCalls'), 3);
  t.equal(counters.get('httpRetries'), 2);
  t.match(outcome.logs[0]!.message, /^courier call timed out after 3000 ms on attempt 1; retrying in/);
  t.equal(clock.pending(), 0, 'no timer left');
});

t.test('without the option a slow call is waited out', async (t) => {
  const clock = new VirtualClock();
  const courier = slowCourier(clock, [10_000]);
  const run = deliverOrder(
    event,
    context,
    { clock, random: new SeededRandom(5), policy: TENACITY, apiKey: 'k', post: courier.post },
    new AbortController().signal,
  );
  await clock.runAll();
  t.same((await run).ok, true);
  t.same(courier.log, ['0 call 1']);
});

t.test("the function's own abort ends the call as before, not as a timed-out attempt", async (t) => {
  const clock = new VirtualClock();
  const courier = slowCourier(clock, [10_000]);
  const abort = new AbortController();
  const run = deliverOrder(
    event,
    context,
    {
      clock,
      random: new SeededRandom(5),
      policy: TENACITY,
      apiKey: 'k',
      post: courier.post,
      attemptTimeoutMs: 5000,
    },
    abort.signal,
  );
  await clock.advanceTo(2000);
  abort.abort(new Error('Task timed out'));
  const outcome = await run;
  t.same(outcome.ok ? 'ok' : outcome.code, 'Aborted');
  t.same(courier.log, ['0 call 1', '2000 call 1 aborted']);
  await clock.runAll();
  t.equal(clock.pending(), 0);
});
