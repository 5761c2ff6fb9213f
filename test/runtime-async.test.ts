import t from 'tap';
import { AsyncInvoker, type AsyncFinal } from '../lab/runtime/async-invoker.js';
import { fail, ok, runtimeRig } from './helpers/virtual-runtime.js';

t.test('a failing event is attempted three times: at once, 1 min and 2 min after each failure', async (t) => {
  const rig = runtimeRig(async (_fn, _p, _c, signal, clock) => {
    await clock.sleep(100, signal);
    return fail();
  });
  const finals: { at: number; final: AsyncFinal }[] = [];
  const invoker = new AsyncInvoker({
    clock: rig.clock,
    runtime: rig.runtime,
    fn: 'delivery',
    maxRetries: 2,
    maxEventAgeMs: 21_600_000,
    onFinal: (_p, _o, final) => finals.push({ at: rig.clock.now(), final }),
  });
  invoker.invoke({});
  await rig.clock.runAll();
  // Cold start 400 ms before the first handler; the environment is warm for the retries.
  t.same(
    rig.starts.map((s) => [s.at, s.context.coldStart]),
    [
      [400, true],
      [500 + 60_000, false],
      [60_600 + 120_000, false],
    ],
  );
  t.equal(finals.length, 1);
  t.equal(finals[0]!.final.outcome, 'retries-exhausted');
  t.equal(finals[0]!.at, 180_700);
  t.equal(rig.stats.delivery.errors, 3);
  t.equal(rig.stats.delivery.invocations, 3);
  t.equal(invoker.queued, 0);
});

t.test('async-retries 0 gives up after the first failure', async (t) => {
  const rig = runtimeRig(async () => fail(), { coldStartMs: 0 });
  const finals: AsyncFinal[] = [];
  const invoker = new AsyncInvoker({
    clock: rig.clock,
    runtime: rig.runtime,
    fn: 'delivery',
    maxRetries: 0,
    maxEventAgeMs: 21_600_000,
    onFinal: (_p, _o, f) => finals.push(f),
  });
  invoker.invoke({});
  await rig.clock.runAll();
  t.equal(rig.starts.length, 1);
  t.equal(finals[0]?.outcome, 'retries-exhausted');
});

t.test('a throttled event is retried with doubling backoff and discarded at its maximum age', async (t) => {
  // One slot, held by a long invocation, so every attempt of the event is throttled.
  const rig = runtimeRig(
    async (_fn, payload, _c, signal, clock) => {
      if (payload === 'hog') await clock.sleep(10 * 3_600_000, signal).catch(() => undefined);
      return ok();
    },
    { limit: 1, coldStartMs: 0, timeoutMs: 900_000 * 100 },
  );
  void rig.runtime.invoke('notify', 'hog');
  const attempts: number[] = [];
  const finals: { at: number; outcome: string }[] = [];
  const invoker = new AsyncInvoker({
    clock: rig.clock,
    runtime: rig.runtime,
    fn: 'delivery',
    maxRetries: 2,
    maxEventAgeMs: 600_000,
    onFinal: (_p, _o, f) => finals.push({ at: rig.clock.now(), outcome: f.outcome }),
    onRetry: (kind) => kind === 'throttle' && attempts.push(rig.clock.now()),
  });
  invoker.invoke('order');
  await rig.clock.advance(700_000);
  // Throttled at 0, then retried after 1, 2, 4, ... s, capped at 300 s.
  t.same(attempts, [0, 1_000, 3_000, 7_000, 15_000, 31_000, 63_000, 127_000, 255_000, 511_000]);
  t.same(finals, [{ at: 600_000, outcome: 'event-age-exceeded' }]);
  t.equal(rig.stats.delivery.throttles, 10);
  t.equal(rig.stats.delivery.invocations, 0);
});

t.test('a throttled event runs once a slot frees', async (t) => {
  const rig = runtimeRig(
    async (_fn, payload, _c, signal, clock) => {
      if (payload === 'hog') await clock.sleep(2_500, signal);
      return ok();
    },
    { limit: 1, coldStartMs: 0 },
  );
  void rig.runtime.invoke('notify', 'hog');
  const finals: { at: number; outcome: string }[] = [];
  const invoker = new AsyncInvoker({
    clock: rig.clock,
    runtime: rig.runtime,
    fn: 'delivery',
    maxRetries: 2,
    maxEventAgeMs: 21_600_000,
    onFinal: (_p, _o, f) => finals.push({ at: rig.clock.now(), outcome: f.outcome }),
  });
  invoker.invoke('order');
  await rig.clock.runAll();
  // Throttled at 0 and 1 s; the hog ends at 2.5 s; the retry at 3 s runs.
  t.same(finals, [{ at: 3_000, outcome: 'succeeded' }]);
  t.equal(rig.stats.delivery.throttles, 2);
});
