/**
 * The circuit breaker's states over scripted sequences on a virtual clock, in the structure of cockatiel's
 * own breaker tests (CircuitBreakerPolicy.test.ts, ConsecutiveBreaker.test.ts, SamplingBreaker.test.ts),
 * with scenario time instead of sinon's fake Date.now.
 */
import t from 'tap';
import { VirtualClock } from '../lab/time/clock.js';
import { CircuitBreaker } from '../lab/delivery/circuit-breaker/circuit-breaker.js';
import { ConsecutiveBreaker } from '../lab/delivery/circuit-breaker/consecutive-breaker.js';
import { SamplingBreaker } from '../lab/delivery/circuit-breaker/sampling-breaker.js';
import { BreakerRegistry, type BreakerParams } from '../lab/delivery/circuit-breaker/breaker-registry.js';
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../lab/courier/worker-entry.js';

function consecutive(threshold = 2, halfOpenAfterMs = 1000) {
  const clock = new VirtualClock();
  const breaker = new CircuitBreaker({ clock, strategy: new ConsecutiveBreaker(threshold), halfOpenAfterMs });
  /** One call through the breaker: 'refused' when it never ran. */
  const call = (ok: boolean): string => {
    const permit = breaker.acquire();
    if (permit !== 'refused') breaker.record(permit, ok);
    return permit;
  };
  return { clock, breaker, call };
}

t.test('ConsecutiveBreaker: opens at the threshold, a success starts over', async (t) => {
  const b = new ConsecutiveBreaker(3);
  t.same([b.failure(), b.failure()], [false, false]);
  b.success();
  t.same([b.failure(), b.failure(), b.failure()], [false, false, true]);
  t.throws(() => new ConsecutiveBreaker(0), /threshold must be an integer from 1 up, got 0/);
});

t.test('closed -> open after the threshold; open fails at once without a call', async (t) => {
  const { breaker, call } = consecutive(2);
  t.equal(breaker.state, 'closed');
  t.same([call(false), breaker.state], ['call', 'closed']);
  t.same([call(false), breaker.state], ['call', 'open']);
  t.same([call(true), call(true), call(false)], ['refused', 'refused', 'refused'], 'nothing runs while open');
  t.same(breaker.counts, { opened: 1, refused: 3 });
});

t.test('half-open after the delay lets one trial through; success closes it', async (t) => {
  const { clock, breaker, call } = consecutive(2, 1000);
  call(false);
  call(false);
  await clock.advance(999);
  t.same([breaker.state, call(true)], ['open', 'refused'], 'still open 1 ms before the delay');
  await clock.advance(1);
  t.equal(breaker.state, 'half-open');
  const trial = breaker.acquire();
  t.equal(trial, 'trial');
  t.equal(breaker.acquire(), 'refused', 'a second call while the trial runs is refused');
  breaker.record(trial, true);
  t.equal(breaker.state, 'closed');
  t.same([call(false), breaker.state], ['call', 'closed'], 'the count started over: one failure is not two');
});

t.test('a failed trial opens it again for another full delay', async (t) => {
  const { clock, breaker, call } = consecutive(2, 1000);
  call(false);
  call(false);
  await clock.advance(1500);
  t.same([call(false), breaker.state], ['trial', 'open']);
  await clock.advance(999);
  t.equal(call(true), 'refused', 'the delay counts from the failed trial, at 1500');
  await clock.advance(1);
  t.same([call(true), breaker.state], ['trial', 'closed']);
  t.same(breaker.counts, { opened: 2, refused: 1 });
});

t.test('a call that started closed and fails after the circuit opened does not reopen it', async (t) => {
  const { clock, breaker } = consecutive(1, 1000);
  const slow = breaker.acquire();
  t.equal(breaker.acquire(), 'call');
  breaker.record('call', false);
  t.equal(breaker.state, 'open');
  await clock.advance(600);
  breaker.record(slow, false);
  await clock.advance(400);
  t.equal(breaker.state, 'half-open', 'still opened at 0, not 600');
});

t.test('SamplingBreaker: window parameters as cockatiel sizes them', async (t) => {
  const b = new SamplingBreaker({ threshold: 0.2, durationMs: 10_000, minimumRps: 5 });
  t.same([b.durationMs, b.bucketMs, b.minimumRpms], [10_000, 1000, 0.005]);
  const small = new SamplingBreaker({ threshold: 0.2, durationMs: 103, minimumRps: 5 });
  t.same([small.durationMs, small.bucketMs], [105, 21]);
  t.equal(new SamplingBreaker({ threshold: 0.25, durationMs: 103 }).minimumRpms, 0.02, '5 failures/s at 25%');
  t.throws(() => new SamplingBreaker({ threshold: 1, durationMs: 1000 }), /threshold must be above 0/);
});

t.test('SamplingBreaker: counts wrap with the buckets', async (t) => {
  const b = new SamplingBreaker({ threshold: 0.5, durationMs: 5000, minimumRps: 3 });
  let now = 0;
  for (let i = 0; i < 7; i++) {
    for (let k = 0; k < i; k++) {
      b.failure('closed', now);
      b.success('closed', now);
      b.success('closed', now);
    }
    now += 1000;
  }
  // Buckets hold seconds 2..6 (i = 2..6): failures 2+3+4+5+6 = 20, successes twice that.
  t.same(b.window, { failures: 20, successes: 40 });
});

t.test('SamplingBreaker: never opens below the minimum throughput, opens once above it', async (t) => {
  const slow = new SamplingBreaker({ threshold: 0.5, durationMs: 5000, minimumRps: 3 });
  const results: boolean[] = [];
  for (let i = 0; i < 10; i++) results.push(slow.failure('closed', i * 500));
  t.notOk(results.some(Boolean), '2 calls a second never reach 3 a second');
  const fast = new SamplingBreaker({ threshold: 0.5, durationMs: 5000, minimumRps: 3 });
  let now = 0;
  const early: boolean[] = [];
  for (let i = 0; i < 15; i++) {
    now += 334;
    early.push(fast.failure('closed', now));
  }
  t.notOk(early.some(Boolean), '15 failures in 5 s: just short of the 15 the window needs, by bucketing');
  fast.failure('closed', now);
  t.equal(fast.failure('closed', now), true, 'one more over the minimum opens it');
});

t.test('SamplingBreaker: on the 50% edge, one more failure opens it', async (t) => {
  for (let run = 10; run < 20; run++) {
    const b = new SamplingBreaker({ threshold: 0.5, durationMs: 5000, minimumRps: 3 });
    let now = 0;
    let opened = false;
    for (let i = 0; i < run; i++) {
      b.success('closed', now);
      opened ||= b.failure('closed', now);
      now += 250;
    }
    t.same([opened, b.failure('closed', now)], [false, true], `after ${run} pairs`);
  }
});

t.test('SamplingBreaker: a success in half-open clears the window', async (t) => {
  const b = new SamplingBreaker({ threshold: 0.5, durationMs: 5000, minimumRps: 3 });
  for (let i = 0; i < 10; i++) b.failure('closed', 0);
  b.success('half-open', 0);
  t.same(b.window, { failures: 0, successes: 1 });
  t.equal(b.failure('closed', 0), false);
});

t.test('sampling breaker in the state machine: opens over a window, trial closes it', async (t) => {
  const clock = new VirtualClock();
  const reg = new BreakerRegistry(clock, {
    mode: 'sampling',
    scope: 'shared',
    threshold: 5,
    failureRatio: 0.5,
    windowS: 5,
    minRps: 1,
    halfOpenS: 10,
  });
  const br = reg.breakerFor('delivery-1');
  t.equal(reg.breakerFor('delivery-2'), br, 'shared: one breaker');
  const states: string[] = [];
  // One call a second: the window needs 5 calls (5 s at 1 a second); the 5th makes 3 failures of 5.
  for (const ok of [false, true, false, true, false, false]) {
    const p = br.acquire();
    br.record(p, ok);
    states.push(br.state);
    await clock.advance(1000);
  }
  t.same(states, ['closed', 'closed', 'closed', 'closed', 'open', 'open']);
  t.same(reg.figures(), { notClosed: 1, opened: 1, refused: 1 }, 'the 6th call was refused');
  await clock.advance(7999);
  t.equal(br.acquire(), 'refused', 'opened at 4 s: still open at 13.999 s');
  await clock.advance(1);
  const trial = br.acquire();
  t.equal(trial, 'trial');
  br.record(trial, true);
  t.same(reg.figures(), { notClosed: 0, opened: 1, refused: 2 });
});

t.test('per-environment breakers are separate', async (t) => {
  const clock = new VirtualClock();
  const reg = new BreakerRegistry(clock, {
    mode: 'consecutive',
    scope: 'environment',
    threshold: 1,
    failureRatio: 0.5,
    windowS: 5,
    minRps: 1,
    halfOpenS: 10,
  });
  const a = reg.breakerFor('delivery-1');
  a.record(a.acquire(), false);
  t.equal(reg.breakerFor('delivery-2').acquire(), 'call', 'another environment still calls');
  t.equal(a.acquire(), 'refused');
  t.same(reg.figures(), { notClosed: 1, opened: 1, refused: 1 });
});

const SHARED: BreakerParams = {
  mode: 'consecutive',
  scope: 'shared',
  threshold: 2,
  failureRatio: 0.5,
  windowS: 5,
  minRps: 1,
  halfOpenS: 10,
};

t.test('in shared memory: two threads’ registries see one breaker', async (t) => {
  const clock = new VirtualClock();
  const main = new BreakerRegistry(clock, SHARED, { threads: true });
  const a = new BreakerRegistry(clock, SHARED, { buffer: main.buffer! }).breakerFor('delivery-1');
  const b = new BreakerRegistry(clock, SHARED, { buffer: main.buffer! }).breakerFor('delivery-2');
  a.record(a.acquire(), false);
  t.equal(b.state, 'closed');
  b.record(b.acquire(), false);
  t.same([a.state, a.acquire(), b.acquire()], ['open', 'refused', 'refused'], 'opened by the second thread');
  t.same(main.figures(), { notClosed: 1, opened: 1, refused: 2 }, 'the main thread reads it');
  await clock.advance(10_000);
  const trial = a.acquire();
  t.same([trial, b.acquire()], ['trial', 'refused'], 'one trial across threads');
  b.record(trial, true);
  t.equal(a.state, 'closed');
});

t.test('in shared memory, per environment: a new environment in a slot starts closed', async (t) => {
  const clock = new VirtualClock();
  const params: BreakerParams = { ...SHARED, mode: 'sampling', scope: 'environment', minRps: 0.2 };
  const main = new BreakerRegistry(clock, params, { threads: true });
  const other = new BreakerRegistry(clock, params, { buffer: main.buffer! });
  const e1 = other.breakerFor('delivery-1', true);
  for (let i = 0; i < 2; i++) e1.record(e1.acquire(), false);
  t.equal(e1.state, 'open', 'sampling: 2 calls in 5 s at 0.2/s, all failed');
  t.equal(other.breakerFor('delivery-2', true).acquire(), 'call');
  t.equal(main.breakerFor('delivery-1').state, 'open', 'the main thread sees environment 1 open');
  t.equal(other.breakerFor('delivery-1', true).state, 'closed', 'a cold start resets the slot');
});

t.test('the lock: two threads hammering one open breaker lose no count', async (t) => {
  const params: BreakerParams = { ...SHARED, threshold: 1, halfOpenS: 3600 };
  const main = new BreakerRegistry(new VirtualClock(), params, { threads: true });
  const br = main.breakerFor('delivery-1');
  br.record(br.acquire(), false);
  const url = workerEntry(import.meta.url, './fixtures/breaker-caller');
  const run = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const w = new Worker(url, { workerData: { buffer: main.buffer, params, tries: 5000 } });
      w.once('message', resolve);
      w.once('error', reject);
    });
  const [x, y] = await Promise.all([run(), run()]);
  t.same([x, y], [5000, 5000]);
  t.equal(main.figures().refused, 10_000, 'every refusal counted once');
});
