/**
 * The event source mapping's scaling (aws-semantics 4.8): the ramp from 5 by 300 a minute (5 a second) up
 * to MaximumConcurrency, and the back-off on errors and throttles; alone, then driving a real poller.
 */
import t from 'tap';
import { VirtualClock } from '../lab/time/clock.js';
import { EsmScaler } from '../lab/flow/esm-scaler.js';
import { SqsQueue } from '../lab/flow/sqs-queue.js';
import { QueuePoller } from '../lab/flow/queue-poller.js';
import { PollerLimits } from '../lab/flow/poller-limits.js';
import { AimdLimit } from '../lab/flow/adaptive/aimd-limit.js';

t.test('ramp: 5, then +5 a second while messages wait, up to MaximumConcurrency', async (t) => {
  const esm = new EsmScaler({ maxConcurrency: 22 });
  const seen = [esm.limit];
  for (let s = 1; s <= 5; s++) {
    esm.step(s * 1000, true);
    seen.push(esm.limit);
  }
  t.same(seen, [5, 10, 15, 20, 22, 22]);
  esm.step(7000, false);
  t.equal(esm.limit, 22, 'no backlog: the limit stays');
});

t.test('a slower rate accumulates: 90 a minute is 1.5 a second', async (t) => {
  const esm = new EsmScaler({ maxConcurrency: 100, perMinute: 90 });
  const seen: number[] = [];
  for (let s = 1; s <= 4; s++) {
    esm.step(s * 1000, true);
    seen.push(esm.limit);
  }
  t.same(seen, [6, 8, 9, 11]);
});

t.test('back-off: a second with failures or throttles shrinks by their count, down to 2', async (t) => {
  const esm = new EsmScaler({ maxConcurrency: 1000 });
  esm.step(1000, true);
  esm.step(2000, true);
  t.equal(esm.limit, 15);
  esm.onOutcome('failed');
  esm.onOutcome('ok');
  esm.onOutcome('throttled');
  esm.step(3000, true);
  t.equal(esm.limit, 13, 'two troubles: 15 - 2, and no growth that second');
  esm.step(4000, true);
  t.equal(esm.limit, 18, 'growing again');
  for (let i = 0; i < 40; i++) esm.onOutcome('failed');
  esm.step(5000, true);
  t.equal(esm.limit, 2, 'never below 2');
  esm.step(7000, true);
  t.equal(esm.limit, 12, 'a late step closes both seconds: +5 +5');
});

t.test('the poller ramps from 5 to its cap of 10, and backs off after failures', async (t) => {
  const clock = new VirtualClock();
  const queue = new SqsQueue<number>({ clock, visibilityTimeoutS: 150 });
  let running = 0;
  const fail = new Set<number>();
  const poller = new QueuePoller<number>({
    clock,
    queue,
    maxConcurrency: 10,
    invoke: async (m) => {
      running++;
      const started = clock.now();
      const inFlight = poller.inFlight;
      await clock.sleep(10_000);
      running--;
      const outcome = fail.has(m.body) ? 'error' : 'ok';
      limits.onDelivery({ startedAt: started, endedAt: clock.now(), inFlight, outcome, courier429: 0 });
      return outcome === 'ok' ? 'ok' : 'failed';
    },
  });
  const limits = new PollerLimits({ clock, queue, poller, fixedCap: 10, esmScaling: true });
  t.equal(poller.maxConcurrency, 5, 'starts at 5');
  for (let i = 0; i < 100; i++) queue.send(i);
  for (let i = 0; i < 8; i++) fail.add(i);
  const running1: number[] = [];
  for (let s = 0; s < 3; s++) {
    await clock.advance(s === 0 ? 0 : 1000);
    running1.push(running);
  }
  t.same(running1, [5, 10, 10], 'five at once, ten after one second, never more than the cap');
  // The first five (all failing) end at 10 s, before that second's step: 10 - 5 = 5. The second five end
  // at 11 s, three failing: 5 - 3 = 2. Then clean seconds with messages waiting: 7, 10 (12 held at the cap).
  const limitsSeen: number[] = [];
  const runningSeen: number[] = [];
  for (let s = 9; s <= 13; s++) {
    await clock.advanceTo(s * 1000);
    limitsSeen.push(limits.limit);
    runningSeen.push(running);
  }
  t.same(limitsSeen, [10, 5, 2, 7, 10]);
  t.same(runningSeen, [10, 10, 5, 7, 10], 'running invocations finish; new ones start only under the limit');
  limits.stop();
  const stopped = poller.stop();
  await clock.advance(20_000);
  await stopped;
});

t.test('under an adaptive limit the ESM ramps to the adaptive maximum; the smaller one rules', async (t) => {
  const clock = new VirtualClock();
  const queue = new SqsQueue<number>({ clock, visibilityTimeoutS: 150 });
  const poller = new QueuePoller<number>({ clock, queue, maxConcurrency: 10, invoke: async () => 'ok' });
  const aimd = new AimdLimit({ initial: 8, min: 2, max: 40, backoffRatio: 0.9, timeoutMs: 5000 });
  const limits = new PollerLimits({
    clock,
    queue,
    poller,
    fixedCap: 10,
    adaptive: aimd,
    adaptiveMax: 40,
    esmScaling: true,
  });
  t.equal(limits.limit, 5, 'min(aimd 8, esm 5)');
  const sample = (dropped: boolean): void =>
    limits.onDelivery({
      startedAt: 0,
      endedAt: 100,
      inFlight: 8,
      outcome: dropped ? 'timeout' : 'ok',
      courier429: 0,
    });
  sample(false);
  t.equal(aimd.limit, 9);
  t.equal(limits.limit, 5);
  limits.setAdaptive(undefined);
  t.equal(poller.maxConcurrency, 5, 'back on the fixed cap of 10, the ESM still at 5');
  limits.stop();
  await poller.stop();
});
