import t from 'tap';
import { ClientThrottle, ThrottleStoppedError } from '../lab/flow/client-throttle.js';
import { sleepOn, VirtualClock, type Clock, type Timer } from '../lab/time/clock.js';
import { SeededRandom } from '../lab/time/random.js';

const S = 1000;

/**
 * A VirtualClock seen through a wrapper that knows when its next timer is due, so the test can step from
 * timer to timer and let Bottleneck (which hands over between waiters on real timers) settle before each step.
 */
class SteppingClock implements Clock {
  readonly speed = 1;
  readonly virtual = new VirtualClock();
  private readonly due = new Set<{ at: number }>();

  now(): number {
    return this.virtual.now();
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const entry = { at: this.now() + Math.max(0, ms) };
    this.due.add(entry);
    const timer = this.virtual.setTimeout(() => {
      this.due.delete(entry);
      fn();
    }, ms);
    return {
      cancel: () => {
        this.due.delete(entry);
        timer.cancel();
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  nextDue(): number | undefined {
    let next: number | undefined;
    for (const { at } of this.due) if (next === undefined || at < next) next = at;
    return next;
  }

  /** Runs every timer up to `end`, one due time at a time (callers reserve as they ask: nothing to settle). */
  async runTo(end: number, _throttle: ClientThrottle): Promise<void> {
    for (;;) {
      const next = this.nextDue();
      if (next === undefined || next > end) break;
      await this.virtual.advanceTo(next);
    }
    await this.virtual.advanceTo(end);
  }
}

/** Grant times in scenario ms, recorded as each acquire resolves. */
function acquireAll(clock: Clock, throttle: ClientThrottle, labels: string[], log: [string, number][]) {
  return labels.map((label) => throttle.acquire().then(() => void log.push([label, clock.now()])));
}

/** The most grants inside any window [g, g + w] that starts at a grant (where a busiest window can start). */
function busiestWindow(grants: number[], w: number): number {
  let best = 0;
  let j = 0;
  for (let i = 0; i < grants.length; i++) {
    while (j < grants.length && grants[j]! <= grants[i]! + w) j++;
    best = Math.max(best, j - i);
  }
  return best;
}

t.test('many concurrent acquirers: no window admits more than rate * window + burst', async (t) => {
  for (const [rate, burst] of [
    [9, 1],
    [15, 5],
  ] as const) {
    const clock = new SteppingClock();
    const throttle = new ClientThrottle({ clock, rate, burst });
    const rnd = new SeededRandom(rate);
    const grants: number[] = [];
    const endMs = 15 * S;
    // 30 callers, each asking again within a second: more demand than tokens, so always a queue.
    const callers = Array.from({ length: 30 }, async () => {
      while (clock.now() < endMs) {
        if (
          !(await throttle.acquire().then(
            () => true,
            () => false,
          ))
        )
          return; // stopped
        grants.push(clock.now());
        await clock.sleep(rnd.uniform(0, 1000));
      }
    });
    await clock.runTo(endMs, throttle);
    await throttle.stop();
    await clock.virtual.runAll(); // callers thinking wake up, find the throttle stopped, and return
    await Promise.all(callers);

    for (const w of [1, 50, 100, 1000 / rate, 250, 1000, 2500, 10_000, endMs]) {
      const limit = Math.floor(burst + (rate * w) / 1000 + 1e-9);
      t.ok(
        busiestWindow(grants, w) <= limit,
        `rate ${rate}, burst ${burst}: at most ${limit} in any ${w.toFixed(1)} ms`,
      );
    }
    // The bucket is exact on the virtual clock: with a queue always waiting, it is never idle.
    // (Counted to 1 ms before the end, clear of floating-point ties at the boundary.)
    const early = grants.filter((g) => g <= endMs - 1).length;
    t.equal(early, burst + Math.floor((rate * (endMs - 1)) / 1000), `rate ${rate}: every token was used`);
    t.equal(throttle.granted, grants.length);
  }
});

t.test('grants in FIFO order, one per 1/rate once the burst is spent', async (t) => {
  const clock = new SteppingClock();
  const throttle = new ClientThrottle({ clock, rate: 4, burst: 2 });
  const log: [string, number][] = [];
  const labels = ['a', 'b', 'c', 'd', 'e', 'f'];
  const done = acquireAll(clock, throttle, labels, log);
  t.equal(throttle.waiting, 4, 'the burst of 2 is granted at once; 4 wait');
  await clock.runTo(2 * S, throttle);
  await Promise.all(done);
  t.same(log, [
    ['a', 0],
    ['b', 0],
    ['c', 250],
    ['d', 500],
    ['e', 750],
    ['f', 1000],
  ]);
  t.equal(throttle.waiting, 0);
  t.equal(throttle.granted, 6);
});

t.test('an aborted waiter leaves the queue and spends nothing', async (t) => {
  const clock = new SteppingClock();
  const throttle = new ClientThrottle({ clock, rate: 1, burst: 1 });
  const log: [string, number][] = [];
  const [a] = acquireAll(clock, throttle, ['a'], log);
  await a;
  const b = new AbortController();
  const c = new AbortController();
  const reason = new Error('caller gave up');
  const pb = throttle.acquire(b.signal).then(() => void log.push(['b', clock.now()]));
  const pc = throttle.acquire(c.signal);
  const [pd] = acquireAll(clock, throttle, ['d'], log);
  t.equal(throttle.waiting, 3);

  await clock.runTo(300, throttle);
  c.abort(reason); // queued behind b
  await t.rejects(pc, reason, 'rejects with signal.reason');
  t.equal(throttle.waiting, 2);
  await clock.runTo(500, throttle);
  b.abort(reason); // the head, asleep on the clock
  await t.rejects(pb, reason);
  await clock.runTo(3 * S, throttle);
  await pd;
  t.same(
    log,
    [
      ['a', 0],
      ['d', 1000],
    ],
    'd gets the token b and c did not take, at 1 s',
  );
  t.equal(throttle.granted, 2);

  const gone = new AbortController();
  gone.abort(reason);
  await t.rejects(throttle.acquire(gone.signal), reason, 'an already aborted signal rejects at once');
  t.equal(throttle.waiting, 0);
  // The unspent token from 2 s is still there for the next caller.
  const [pe] = acquireAll(clock, throttle, ['e'], log);
  await clock.runTo(3 * S, throttle);
  await pe;
  t.same(log.at(-1), ['e', 3 * S]);
});

t.test('setRate takes effect at once, keeping what the bucket gathered', async (t) => {
  const clock = new SteppingClock();
  const throttle = new ClientThrottle({ clock, rate: 1, burst: 1 });
  const log: [string, number][] = [];
  const done = acquireAll(clock, throttle, ['a', 'b', 'c', 'd'], log);
  await clock.runTo(500, throttle);
  t.same(log, [['a', 0]]);
  // Half a token gathered at 1/s; the other half takes 125 ms at 4/s.
  throttle.setRate(4);
  t.equal(throttle.rate, 4);
  await clock.runTo(2 * S, throttle);
  await Promise.all(done);
  t.same(log, [
    ['a', 0],
    ['b', 625],
    ['c', 875],
    ['d', 1125],
  ]);

  const more = acquireAll(clock, throttle, ['e', 'f'], log);
  throttle.setRate(0.5); // bucket full at 2 s: e at once, f 2 s later
  await clock.runTo(5 * S, throttle);
  await Promise.all(more);
  t.same(log.slice(4), [
    ['e', 2000],
    ['f', 4000],
  ]);
  t.throws(() => throttle.setRate(0), /rate must be above 0, got 0/);
});

t.test('defaults and stop', async (t) => {
  const clock = new SteppingClock();
  const throttle = new ClientThrottle({ clock });
  t.equal(throttle.rate, 9, 'a little under the courier 10/s');
  t.equal(throttle.burst, 1);
  const log: [string, number][] = [];
  const [a, b, c] = acquireAll(clock, throttle, ['a', 'b', 'c'], log);
  await a;
  await clock.runTo(50, throttle);
  const rejected = [
    t.rejects(b!, { name: 'ThrottleStoppedError', code: 'STORMLAB_THROTTLE_STOPPED' }),
    t.rejects(c!, ThrottleStoppedError),
  ];
  await throttle.stop();
  await Promise.all(rejected);
  await t.rejects(throttle.acquire(), { code: 'STORMLAB_THROTTLE_STOPPED' }, 'acquire after stop rejects');
  t.equal(throttle.waiting, 0);
  t.equal(throttle.granted, 1);
  await clock.virtual.runAll();
  t.equal(clock.virtual.pending(), 0, 'no timer left behind');
});
