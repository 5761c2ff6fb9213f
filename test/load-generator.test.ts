import t from 'tap';
import { ArrivalSchedule, arrivalTimes } from '../lab/load/arrival-schedule.js';
import { LoadGenerator, PACED_LAG_GAPS } from '../lab/load/load-generator.js';
import type { Phase } from '../lab/load/phases.js';
import { PRESETS } from '../lab/load/presets.js';
import { VirtualClock, type Clock, type Timer } from '../lab/time/clock.js';

/** A virtual clock whose timers fire when `fireAt(now, at)` says, `at` being when they were asked for. */
class ShiftedClock implements Clock {
  readonly speed = 1;
  constructor(
    private readonly inner: VirtualClock,
    private readonly fireAt: (now: number, at: number) => number,
  ) {}
  now(): number {
    return this.inner.now();
  }
  setTimeout(fn: () => void, ms: number): Timer {
    const now = this.inner.now();
    return this.inner.setTimeout(fn, this.fireAt(now, now + ms) - now);
  }
  sleep(ms: number): Promise<void> {
    return this.inner.sleep(ms);
  }
}

/** Timers fire late, on the next multiple of `stepMs`: a real timer under load, exaggerated. */
const lateClock = (inner: VirtualClock, stepMs: number): Clock =>
  new ShiftedClock(inner, (now, at) => Math.max(Math.ceil(at / stepMs) * stepMs, now + stepMs));

/** Nothing can run from `from` to `to` (a host stall): timers due then fire at `to`. */
const stalledClock = (inner: VirtualClock, from: number, to: number): Clock =>
  new ShiftedClock(inner, (_now, at) => (at >= from && at < to ? to : at));

function recording(
  clock: Clock,
  phases: readonly Phase[],
  extra: Partial<ConstructorParameters<typeof LoadGenerator>[0]> = {},
) {
  const sentAt: number[] = [];
  const generator = new LoadGenerator({
    clock,
    scenario: { phases },
    send: () => sentAt.push(clock.now()),
    ...extra,
  });
  return { generator, sentAt };
}

t.test('on a virtual clock the generator sends exactly the schedule, one timer at a time', async (t) => {
  const clock = new VirtualClock(5000);
  const { generator, sentAt } = recording(clock, PRESETS.smoke!);
  let finishedAt = -1;
  void generator.done.then(() => (finishedAt = clock.now()));
  generator.start();
  let mostTimers = 0;
  for (let ms = 5000; ms <= 46_000; ms += 250) {
    await clock.advanceTo(ms);
    mostTimers = Math.max(mostTimers, clock.pending());
  }
  const expected = arrivalTimes(PRESETS.smoke!).map((ms) => ms + 5000);
  t.same(sentAt, expected, 'every arrival at its scheduled time, to the bit, from the start');
  t.equal(mostTimers, 1, 'never more than one timer');
  t.equal(finishedAt, 45_000, 'done when the last phase ends');
  t.equal(clock.pending(), 0, 'no timer left behind');
  t.match(generator.snapshot(), {
    state: 'done',
    sent: 120,
    skipped: 0,
    planned: 120,
    totalS: 40,
    t: 40,
    rate: 0,
  });
});

t.test('timers that fire late: what fell due goes out paced, and the load never drifts', async (t) => {
  const inner = new VirtualClock();
  const clock = lateClock(inner, 100);
  const phases = PRESETS['seed-article']!;
  const schedule = arrivalTimes(phases);
  // The latest each arrival may go: four scheduled gaps after its time (the pacing's bound), on a timer
  // that fires up to 100 ms late.
  const latest = schedule.map((at, i) => at + PACED_LAG_GAPS * (i === 0 ? 0 : at - schedule[i - 1]!) + 100);
  let sent = 0;
  let early = 0;
  const generator = new LoadGenerator({
    clock,
    scenario: { phases },
    send: () => {
      if (schedule[sent]! > inner.now()) early++;
      sent++;
    },
  });
  generator.start();
  let behind = 0;
  for (let ms = 0; ms <= 1_082_000; ms += 1000) {
    await inner.advanceTo(ms);
    const due = latest.filter((at) => at <= ms).length;
    if (sent < due) behind++;
  }
  await generator.done;
  t.equal(early, 0, 'nothing sent before its time');
  t.equal(behind, 0, 'never further behind than four gaps and a timer step');
  t.equal(sent, 10_740, 'all of seed-article');
});

async function sendsAround(stall: [number, number]): Promise<number[]> {
  const inner = new VirtualClock();
  const clock = stalledClock(inner, ...stall);
  const { generator, sentAt } = recording(clock, [{ duration: 4, arrivalRate: 10 }]);
  generator.start();
  await inner.advanceTo(5000);
  await generator.done;
  return sentAt;
}

t.test('after a stall, what fell due goes out at twice the rate until it has caught up', async (t) => {
  // 10 a second: one every 100 ms; nothing can run from 1000 to 1350.
  const sentAt = await sendsAround([1000, 1350]);
  t.same(
    sentAt.filter((at) => at >= 900 && at <= 1800),
    [900, 1350, 1400, 1450, 1500, 1550, 1600, 1650, 1700, 1800],
    'the four due at 1000 to 1300 go 50 ms apart from 1350, and 1700 is on time again',
  );
  t.equal(sentAt.length, 40, 'every arrival sent');
});

t.test('after a long stall, what is over four gaps late goes at once, the rest paced', async (t) => {
  const sentAt = await sendsAround([1000, 2000]);
  t.same(
    sentAt.filter((at) => at >= 900 && at <= 2400),
    [900, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2050, 2100, 2150, 2200, 2250, 2300, 2350, 2400],
    'the seven due at 1000 to 1600 at once, then 1700 to 2300 50 ms apart',
  );
  t.equal(sentAt.length, 40, 'every arrival sent');
});

t.test('a factor change mid-run follows the schedule with the same change', async (t) => {
  const phases: Phase[] = [
    { duration: 60, arrivalRate: 2, rampTo: 8 },
    { duration: 30, arrivalRate: 3 },
  ];
  const clock = new VirtualClock();
  const { generator, sentAt } = recording(clock, phases);
  generator.start();
  await clock.advanceTo(20_000);
  t.equal(generator.snapshot().rate, 4, 'a third of the way up 2 -> 8');
  generator.setFactor(1.5);
  t.equal(generator.snapshot().rate, 6, 'the factor included');
  t.equal(generator.snapshot().factor, 1.5);
  await clock.advanceTo(70_000);
  generator.setFactor(0.5);
  await clock.runAll();

  const expected = new ArrivalSchedule(phases);
  const times: number[] = [];
  const takeUntil = (ms: number): void => {
    for (let next = expected.peek(); next !== undefined && next <= ms; next = expected.peek())
      times.push(expected.take()!);
  };
  takeUntil(20_000);
  expected.setFactor(1.5, 20_000);
  takeUntil(70_000);
  expected.setFactor(0.5, 70_000);
  takeUntil(Infinity);
  t.same(sentAt, times, 'every arrival where the schedule with the same changes puts it');
  t.equal(generator.snapshot().state, 'done');
});

t.test('paused: arrivals due during the pause are skipped and the schedule moves on', async (t) => {
  const clock = new VirtualClock();
  const { generator, sentAt } = recording(clock, [{ duration: 10, arrivalRate: 2 }]);
  generator.start();
  await clock.advanceTo(2000);
  generator.setPaused(true);
  t.equal(generator.snapshot().rate, 0, 'no rate while paused');
  t.equal(generator.snapshot().paused, true);
  await clock.advanceTo(4000);
  generator.setPaused(false);
  await clock.runAll();
  t.same(
    sentAt,
    [0, 500, 1000, 1500, 2000, 4500, 5000, 5500, 6000, 6500, 7000, 7500, 8000, 8500, 9000, 9500],
  );
  t.equal(generator.skipped, 4, '2500, 3000, 3500 and 4000 skipped');
  t.equal(generator.sent, 16);
});

t.test('stop, a send that throws, a send that stops, and no phases', async (t) => {
  const clock = new VirtualClock();
  const { generator, sentAt } = recording(clock, [{ duration: 10, arrivalRate: 1 }]);
  generator.start();
  t.throws(() => generator.start(), /already running/);
  await clock.advanceTo(3500);
  generator.stop();
  await generator.done;
  await clock.runAll();
  t.same(sentAt, [0, 1000, 2000, 3000], 'nothing after stop');
  t.match(generator.snapshot(), { state: 'stopped', t: 3.5, phase: undefined });
  t.equal(clock.pending(), 0);

  const errors: unknown[] = [];
  let calls = 0;
  const throwing = new LoadGenerator({
    clock,
    scenario: { phases: [{ duration: 3, arrivalRate: 1 }] },
    send: () => {
      calls++;
      throw new Error(`boom ${calls}`);
    },
    onSendError: (err) => errors.push(err),
  });
  throwing.start();
  await clock.runAll();
  t.equal(calls, 3, 'the load goes on after a throw');
  t.equal(throwing.snapshot().sendErrors, 3);
  t.same(
    errors.map((e) => (e as Error).message),
    ['boom 1', 'boom 2', 'boom 3'],
  );

  let stopper: LoadGenerator | undefined = undefined;
  let stopperCalls = 0;
  stopper = new LoadGenerator({
    clock,
    scenario: { phases: [{ duration: 1, arrivalCount: 5 }] },
    send: () => {
      stopperCalls++;
      stopper?.stop();
    },
  });
  // The arrival at 0 is sent inside start(); its send stops the load before the other four.
  stopper.start();
  t.equal(stopperCalls, 1, 'the arrival at 0 is sent at start');
  t.equal(stopper.snapshot().state, 'stopped', 'and its send stopped the load');
  await clock.runAll();
  t.equal(stopperCalls, 1);

  const idle = new LoadGenerator({ clock, scenario: { phases: [] }, send: () => t.fail('no arrivals') });
  idle.start();
  await idle.done;
  t.equal(idle.snapshot().state, 'done', 'no phases: done at once');

  const quiet = new LoadGenerator({
    clock,
    scenario: { phases: [{ duration: 5, arrivalRate: 4 }] },
    send: () => t.fail('factor 0'),
    factor: 0,
  });
  const startedAt = clock.now();
  quiet.start();
  await clock.runAll();
  await quiet.done;
  t.equal(clock.now() - startedAt, 5000, 'factor 0 the whole way: done when the phase ends, nothing sent');
});
