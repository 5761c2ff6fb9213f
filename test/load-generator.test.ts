import t from 'tap';
import { ArrivalSchedule, arrivalTimes } from '../lab/load/arrival-schedule.js';
import { LoadGenerator } from '../lab/load/load-generator.js';
import type { Phase } from '../lab/load/phases.js';
import { PRESETS } from '../lab/load/presets.js';
import { VirtualClock, type Clock, type Timer } from '../lab/time/clock.js';

/** A clock whose timers fire late, on the next multiple of `stepMs`: a real timer under load, exaggerated. */
class LateClock implements Clock {
  readonly speed = 1;
  constructor(
    private readonly inner: VirtualClock,
    private readonly stepMs: number,
  ) {}
  now(): number {
    return this.inner.now();
  }
  setTimeout(fn: () => void, ms: number): Timer {
    const now = this.inner.now();
    const at = Math.ceil((now + ms) / this.stepMs) * this.stepMs;
    return this.inner.setTimeout(fn, Math.max(at - now, this.stepMs));
  }
  sleep(ms: number): Promise<void> {
    return this.inner.sleep(ms);
  }
}

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

t.test('timers that fire late: every due arrival is sent at once, and the load never drifts', async (t) => {
  const inner = new VirtualClock();
  const clock = new LateClock(inner, 100);
  const phases = PRESETS['seed-article']!;
  const schedule = arrivalTimes(phases);
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
  for (let ms = 0; ms <= 1_080_000; ms += 1000) {
    await inner.advanceTo(ms);
    const due = schedule.filter((at) => at <= ms - 100).length;
    if (sent < due) behind++;
  }
  await generator.done;
  t.equal(early, 0, 'nothing sent before its time');
  t.equal(behind, 0, 'never more than one timer step behind');
  t.equal(sent, 10_740, 'all of seed-article');
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
