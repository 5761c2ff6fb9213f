/**
 * The delivery function with a retry budget and a circuit breaker in front of its courier calls, on a
 * virtual clock with scripted courier answers: the budget decides whether a retry happens, an open breaker
 * fails the call at once with no courier request, and both are counted.
 */
import t from 'tap';
import { VirtualClock } from '../lab/time/clock.js';
import { SeededRandom } from '../lab/time/random.js';
import {
  deliverOrder,
  type CourierAnswer,
  type DeliveryDeps,
  type OrderEvent,
} from '../lab/delivery/deliver-order.js';
import { retryPolicy } from '../lab/delivery/retry-policy.js';
import { WorkerCounters } from '../lab/runtime/worker-counters.js';
import { LocalMilliStore } from '../lab/delivery/retry-budget/milli-store.js';
import { SdkStandardBudget } from '../lab/delivery/retry-budget/sdk-standard-budget.js';
import { RetryBucketBudget } from '../lab/delivery/retry-budget/retry-bucket-budget.js';
import { tokensOf } from '../lab/delivery/retry-budget/retry-budget.js';
import { CircuitBreaker } from '../lab/delivery/circuit-breaker/circuit-breaker.js';
import { ConsecutiveBreaker } from '../lab/delivery/circuit-breaker/consecutive-breaker.js';
import type { HandlerOutcome, TaskContext } from '../lab/runtime/function-types.js';

const context: TaskContext = {
  requestId: 'req-1',
  functionName: 'DeliveryFunction',
  memoryMb: 1024,
  coldStart: false,
  deadlineMs: Infinity,
  correlationId: 'corr-1',
};
const event: OrderEvent = { 'detail-type': 'order-notify', detail: { order_id: 'o-1' } };

function rig(answers: CourierAnswer[], extra: Partial<DeliveryDeps>, clock = new VirtualClock()) {
  const calls: number[] = [];
  const counters = new WorkerCounters();
  let i = 0;
  const deps: DeliveryDeps = {
    clock,
    random: new SeededRandom(3),
    policy: retryPolicy('tenacity'),
    apiKey: 'k',
    counters,
    post: async () => {
      calls.push(clock.now());
      return answers[Math.min(i++, answers.length - 1)]!;
    },
    ...extra,
  };
  const run = async (): Promise<HandlerOutcome> => {
    const p = deliverOrder(event, context, deps, new AbortController().signal);
    await clock.runAll();
    return p;
  };
  return { clock, calls, counters, run };
}

t.test('sdk-standard: a retry refunds on success; refused when the quota cannot pay', async (t) => {
  const budget = new SdkStandardBudget(new LocalMilliStore(500_000));
  const r = rig([{ status: 502 }, { status: 200 }], { budget, policy: retryPolicy('sdk-standard') });
  const out = await r.run();
  t.same(out.ok && out.value, { status: 200, attempts: 2, courier429: 0 });
  t.equal(tokensOf(budget), 500, 'paid 10 for the retry, got the 10 back');
  const poor = new SdkStandardBudget(new LocalMilliStore(7_000));
  const r2 = rig([{ status: 502 }, { status: 200 }], { budget: poor, policy: retryPolicy('sdk-standard') });
  const out2 = await r2.run();
  t.equal(r2.calls.length, 1, 'no retry: 7 tokens do not pay for a transient retry (10)');
  t.same(out2.ok ? null : [out2.code, out2.message], [
    'CourierError',
    'courier answered 502 on attempt 1; retry budget exhausted',
  ]);
  t.equal(r2.counters.get('budgetRefused'), 1);
  const r3 = rig([{ status: 429 }, { status: 429 }, { status: 429 }], {
    budget: poor,
    policy: retryPolicy('sdk-standard'),
  });
  await r3.run();
  t.equal(r3.calls.length, 2, 'a throttling retry costs 5: one retry, then 2 tokens pay for nothing');
  t.equal(tokensOf(poor), 2);
});

t.test('retry-bucket across invocations: the bucket stops a storm of retries', async (t) => {
  const budget = new RetryBucketBudget(new LocalMilliStore(2_000), 2);
  const clock = new VirtualClock();
  const calls: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = rig([{ status: 429 }], { budget, policy: retryPolicy('retry-bucket') }, clock);
    await r.run();
    calls.push(r.calls.length);
  }
  t.same(calls, [3, 1, 1], 'two tokens: the first order retries twice, the next ones not at all');
});

t.test('consecutive breaker: opens after 3 failures; open calls make no request; counted', async (t) => {
  const clock = new VirtualClock();
  const breaker = new CircuitBreaker({ clock, strategy: new ConsecutiveBreaker(3), halfOpenAfterMs: 60_000 });
  const r = rig([{ status: 502 }], { breaker }, clock);
  const out = await r.run();
  t.equal(r.calls.length, 3, 'attempts 4 and 5 found the circuit open');
  t.equal(r.counters.get('courierCalls'), 3);
  t.equal(r.counters.get('breakerRefused'), 2);
  t.equal(r.counters.get('httpRetries'), 4, 'the refused attempts are still retries in code');
  t.same(out.ok ? null : out.message, 'circuit breaker open: no call made after 5 attempts');
  t.equal(breaker.state, 'open');
});

t.test(
  'half-open: the trial call goes out after the delay, and its success closes the circuit',
  async (t) => {
    const clock = new VirtualClock();
    const breaker = new CircuitBreaker({
      clock,
      strategy: new ConsecutiveBreaker(1),
      halfOpenAfterMs: 5_000,
    });
    // Tenacity waits 3 to 8 s: with a 5 s delay some attempts are refused and a later one is the trial.
    const r = rig([{ status: 502 }, { status: 200 }], { breaker }, clock);
    const out = await r.run();
    t.ok(out.ok, 'delivered by the trial');
    t.equal(r.calls.length, 2);
    t.equal(breaker.state, 'closed');
    t.equal(breaker.counts.opened, 1);
  },
);

t.test('a success still reports the 429s met on the way', async (t) => {
  const r = rig([{ status: 429 }, { status: 429 }, { status: 200 }], {});
  const out = await r.run();
  t.same(out.ok && out.value, { status: 200, attempts: 3, courier429: 2 });
});
