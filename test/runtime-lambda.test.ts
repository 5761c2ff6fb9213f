import t from 'tap';
import { TIMEOUT_CODE } from '../lab/runtime/function-runtime.js';
import { gbSeconds } from '../lab/runtime/billing.js';
import { SeededRandom } from '../lab/time/random.js';
import { fail, invokeToEnd, ok, runtimeRig } from './helpers/virtual-runtime.js';

t.test('the timeout aborts the handler and counts as an error', async (t) => {
  let abortedAt = -1;
  const rig = runtimeRig(
    async (_fn, _p, _c, signal, clock) => {
      signal.addEventListener('abort', () => (abortedAt = clock.now()));
      await clock.sleep(60_000, signal).catch(() => undefined);
      return ok();
    },
    { timeoutMs: 3_000, coldStartMs: 400 },
  );
  const r = await invokeToEnd(rig);
  t.equal(r.status, 'timeout');
  t.equal(r.code, TIMEOUT_CODE);
  t.equal(abortedAt, 3_400, 'aborted exactly at the deadline, after a cold start');
  t.equal(r.durationMs, 3_400);
  t.equal(rig.stats.delivery.errors, 1);
  t.equal(rig.stats.delivery.timeouts, 1);
  t.equal(rig.concurrency.inUse, 0);
  // A timed-out environment is reset: the next invocation starts cold.
  const next = await invokeToEnd(rig);
  t.equal(next.coldStart, true);
});

t.test(
  'a handler that stops itself at its deadline (as a worker thread does) is timed out too',
  async (t) => {
    // The handler's own clock says the deadline came a hair before the runtime's timer fires: what a worker
    // thread's answer looks like when it beats the main thread's timer.
    const rig = runtimeRig(
      async (_fn, _p, context, _signal, clock) => {
        await clock.sleep(context.deadlineMs - clock.now() - 0.5);
        return { ok: false, code: 'Aborted', message: 'Task timed out', logs: [] };
      },
      { timeoutMs: 3_000, coldStartMs: 400 },
    );
    const r = await invokeToEnd(rig);
    t.equal(r.status, 'timeout');
    t.equal(r.code, TIMEOUT_CODE);
    t.equal(rig.stats.delivery.timeouts, 1);
    // Well before the deadline, a handler's abort is its own error.
    const early = runtimeRig(async (_fn, _p, _c, _signal, clock) => {
      await clock.sleep(1_000);
      return { ok: false, code: 'Aborted', message: 'gave up', logs: [] };
    });
    const e = await invokeToEnd(early);
    t.equal(e.status, 'error');
    t.equal(early.stats.delivery.timeouts, 0);
    const next = await invokeToEnd(rig);
    t.equal(next.coldStart, true, 'and its environment is reset');
  },
);

t.test('an answer judged by when its handler returned, on its own clock', async (t) => {
  // A worker thread's answer reaches the runtime a moment after its handler returned: what decides is
  // the moment it returned. Both answers here reach the runtime half a millisecond before the deadline.
  const answer = (endedLate: boolean) =>
    runtimeRig(
      async (_fn, _p, context, _signal, clock) => {
        await clock.sleep(context.deadlineMs - clock.now() - 0.5);
        return { ok: true, value: 1, logs: [], endedAtMs: context.deadlineMs + (endedLate ? 3 : -3) };
      },
      { timeoutMs: 3_000, coldStartMs: 0 },
    );
  const late = answer(true);
  const l = await invokeToEnd(late);
  t.equal(l.status, 'timeout', 'returned 3 ms after its deadline: a timeout');
  t.equal(late.stats.delivery.successes, 0);
  const early = answer(false);
  const e = await invokeToEnd(early);
  t.equal(e.status, 'ok', 'returned 3 ms before it: in time');
  t.equal(early.stats.delivery.timeouts, 0);
});

t.test('environments are reused while warm and cold once reclaimed', async (t) => {
  const rig = runtimeRig(
    async (_fn, _p, _c, signal, clock) => {
      await clock.sleep(100, signal);
      return ok();
    },
    { envIdleMs: 600_000, coldStartMs: 400 },
  );
  const run = async (): Promise<boolean> => (await invokeToEnd(rig)).coldStart;
  t.equal(await run(), true, 'first is cold');
  t.equal(await run(), false, 'second reuses the warm environment');
  await rig.clock.advance(600_001);
  t.equal(await run(), true, 'cold after idling past the idle time');
  // Two at once need two environments.
  const a = rig.runtime.invoke('delivery', {});
  const b = rig.runtime.invoke('delivery', {});
  await rig.clock.runAll();
  t.same([(await a).coldStart, (await b).coldStart], [false, true]);
  t.equal(rig.stats.delivery.coldStarts, 3);
});

t.test('concurrency never exceeds the account limit; the excess is throttled', async (t) => {
  const random = new SeededRandom(7);
  const rig = runtimeRig(
    async (fn, _p, _c, signal, clock) => {
      await clock.sleep(random.uniform(10, 5_000), signal);
      return fn === 'delivery' && random.chance(0.3) ? fail() : ok();
    },
    { limit: 25, coldStartMs: 400 },
  );
  const results: Promise<{ status: string }>[] = [];
  let maxInUse = 0;
  for (let i = 0; i < 400; i++) {
    rig.clock.setTimeout(() => {
      results.push(rig.runtime.invoke(i % 3 === 0 ? 'notify' : 'delivery', {}));
      maxInUse = Math.max(maxInUse, rig.concurrency.inUse);
    }, i * 20);
  }
  await rig.clock.runAll();
  const statuses = (await Promise.all(results)).map((r) => r.status);
  t.ok(maxInUse <= 25);
  t.ok(rig.maxRunning <= 25, `handlers running at once: ${rig.maxRunning}`);
  t.equal(rig.concurrency.peak, 25, 'the limit is reached');
  const throttled = statuses.filter((s) => s === 'throttled').length;
  t.ok(throttled > 0, `${throttled} throttled`);
  t.equal(rig.stats.notify.throttles + rig.stats.delivery.throttles, throttled);
  t.equal(rig.concurrency.inUse, 0);
});

t.test('billing rounds each duration up to the millisecond and counts init', async (t) => {
  t.equal(gbSeconds(1.2, 1024), 0.002);
  t.equal(gbSeconds(1000, 2048), 2);
  const rig = runtimeRig(
    async (_f, _p, _c, signal, clock) => {
      await clock.sleep(99.5, signal);
      return ok();
    },
    { coldStartMs: 400 },
  );
  const p = rig.runtime.invoke('notify', {});
  await rig.clock.runAll();
  await p;
  t.equal(rig.stats.notify.gbSeconds, 0.5, '500 ms (400 init + 99.5 rounded up) at 1 GB');
});
