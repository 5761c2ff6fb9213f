import t, { type Test } from 'tap';
import {
  ArrivalSchedule,
  arrivalTimes,
  phaseArrivals,
  scenarioArrivals,
} from '../lab/load/arrival-schedule.js';
import type { Phase } from '../lab/load/phases.js';
import { PRESETS } from '../lab/load/presets.js';
import { SeededRandom } from '../lab/time/random.js';

/** Closed-form times go through a square root: equal to the last few ulps, which 1e-6 ms covers. */
function sameTimes(t: Test, actual: readonly number[], expected: readonly number[], what: string): void {
  t.equal(actual.length, expected.length, `${what}: ${expected.length} arrivals`);
  const worst = expected.reduce((w, e, i) => Math.max(w, Math.abs((actual[i] ?? NaN) - e)), 0);
  t.ok(worst < 1e-6, `${what}: every arrival within 1e-6 ms of the closed form (worst ${worst})`);
}

function takeUntil(schedule: ArrivalSchedule, ms: number): number[] {
  const out: number[] = [];
  for (let next = schedule.peek(); next !== undefined && next <= ms; next = schedule.peek())
    out.push(schedule.take()!);
  return out;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

t.test('a constant rate: one every 1000/r ms from the phase start', async (t) => {
  t.same(arrivalTimes([{ duration: 2, arrivalRate: 2 }]), [0, 500, 1000, 1500]);
  t.same(arrivalTimes([{ duration: 1, arrivalRate: 3 }]), [0, 1000 / 3, 2000 / 3]);
  t.same(
    arrivalTimes([{ duration: 10, arrivalRate: 0.25 }]),
    [0, 4000, 8000],
    'a fractional count rounds up',
  );
  t.same(arrivalTimes([{ duration: 10, arrivalRate: 0 }]), [], 'rate 0: none');
});

t.test('a linear ramp: the n-th arrival where the integral of the rate reaches n', async (t) => {
  // 2 -> 4 over 2 s: N(t) = 2t + t^2/2 = n  =>  t = -2 + sqrt(4 + 2n); N(2) = 6.
  sameTimes(
    t,
    arrivalTimes([{ duration: 2, arrivalRate: 2, rampTo: 4 }]),
    range(6).map((n) => 1000 * (-2 + Math.sqrt(4 + 2 * n))),
    'up',
  );
  // 4 -> 2 over 2 s: N(t) = 4t - t^2/2 = n  =>  t = 4 - sqrt(16 - 2n).
  sameTimes(
    t,
    arrivalTimes([{ duration: 2, arrivalRate: 4, rampTo: 2 }]),
    range(6).map((n) => 1000 * (4 - Math.sqrt(16 - 2 * n))),
    'down',
  );
  // 0 -> 2 over 10 s: N(t) = t^2/10  =>  t = sqrt(10n); N(10) = 10.
  sameTimes(
    t,
    arrivalTimes([{ duration: 10, arrivalRate: 0, rampTo: 2 }]),
    range(10).map((n) => 1000 * Math.sqrt(10 * n)),
    'from 0',
  );
  // 3 -> 0 over 4 s: N(t) = 3t - 3t^2/8; N(4) = 6.
  sameTimes(
    t,
    arrivalTimes([{ duration: 4, arrivalRate: 3, rampTo: 0 }]),
    range(6).map((n) => 1000 * (4 - Math.sqrt(16 - (8 * n) / 3))),
    'down to 0',
  );
  t.same(
    arrivalTimes([{ duration: 3, arrivalRate: 2, rampTo: 2 }]),
    [0, 500, 1000, 1500, 2000, 2500],
    'a flat ramp',
  );
  t.same(arrivalTimes([{ duration: 3, arrivalRate: 0, rampTo: 0 }]), [], 'a ramp from 0 to 0');
});

t.test(
  'arrivalCount spreads N evenly over the duration; a pause has none and shifts what follows',
  async (t) => {
    t.same(arrivalTimes([{ duration: 10, arrivalCount: 4 }]), [0, 2500, 5000, 7500]);
    t.same(
      arrivalTimes([{ duration: 3, arrivalCount: 3 }, { pause: 5 }, { duration: 2, arrivalRate: 1 }]),
      [0, 1000, 2000, 8000, 9000],
    );
    t.same(arrivalTimes([{ pause: 5 }]), []);
    t.same(arrivalTimes([{ duration: 10, arrivalCount: 0 }]), []);
  },
);

t.test('arrivals per phase: duration * rate, and for a ramp duration * (a + b) / 2 rounded up', async (t) => {
  const random = new SeededRandom(42);
  const phases: Phase[] = [];
  for (let i = 0; i < 60; i++) {
    const duration = Math.round(random.uniform(1, 120));
    const a = Math.round(random.uniform(0, 20) * 4) / 4;
    const b = Math.round(random.uniform(0, 20) * 4) / 4;
    phases.push(
      i % 3 === 0
        ? { duration, arrivalRate: a }
        : i % 3 === 1
          ? { duration, arrivalRate: a, rampTo: b }
          : { pause: duration },
    );
  }
  const times = arrivalTimes(phases);
  let start = 0;
  let seen = 0;
  let misplaced = 0;
  for (const phase of phases) {
    const seconds = phase.pause ?? phase.duration!;
    const end = start + seconds * 1000;
    const inPhase = times.filter((ms) => ms >= start && ms < end);
    const exact =
      phase.pause !== undefined
        ? 0
        : (seconds * (phase.arrivalRate! + (phase.rampTo ?? phase.arrivalRate!))) / 2;
    t.equal(inPhase.length, phaseArrivals(phase), `phase ${JSON.stringify(phase)}: as counted`);
    if (Math.abs(inPhase.length - exact) >= 1) misplaced++;
    seen += inPhase.length;
    start = end;
  }
  t.equal(misplaced, 0, 'every phase within 1 of its integral');
  t.equal(seen, times.length, 'every arrival inside a phase');
  t.ok(
    times.every((ms, i) => i === 0 || ms >= times[i - 1]!),
    'times never go back',
  );
});

t.test('the presets', async (t) => {
  const article = PRESETS['seed-article']!;
  t.same(article.map(phaseArrivals), [120, 420, 5700, 4500], 'seed-article per phase');
  t.equal(scenarioArrivals(article), 10_740, 'seed-article: 10 740 arrivals in all');
  t.equal(arrivalTimes(article).length, 10_740, 'and the schedule produces exactly those');
  t.equal(scenarioArrivals(PRESETS['seed-repo']!), 11_850, 'seed-repo');
  t.equal(scenarioArrivals(PRESETS.smoke!), 120, 'smoke');
  t.equal(new ArrivalSchedule(article).totalMs, 1_080_000);
  t.equal(new ArrivalSchedule([]).totalMs, 0);
  t.equal(new ArrivalSchedule([]).peek(), undefined, 'no phases, no arrivals');
});

t.test('a factor change mid-phase multiplies the rate from that moment on', async (t) => {
  const schedule = new ArrivalSchedule([
    { duration: 10, arrivalRate: 2 },
    { duration: 2, arrivalRate: 1 },
  ]);
  t.same(takeUntil(schedule, 2000), [0, 500, 1000, 1500, 2000]);
  schedule.setFactor(2, 2000);
  t.equal(schedule.factor, 2);
  const doubled = takeUntil(schedule, 9999);
  t.same(
    doubled,
    range(31).map((i) => 2250 + 250 * i),
    'every 250 ms from the change to the end of the phase',
  );
  t.same(
    takeUntil(schedule, Infinity),
    [10_000, 10_500, 11_000, 11_500],
    'the next phase runs at factor 2 from its start',
  );
  t.equal(schedule.taken, 40);
});

t.test('factor 0 stops arrivals; raising it again counts on from where the count stood', async (t) => {
  const schedule = new ArrivalSchedule([{ duration: 10, arrivalRate: 1 }]);
  t.same(takeUntil(schedule, 2500), [0, 1000, 2000]);
  schedule.setFactor(0, 2500);
  t.equal(schedule.peek(), undefined, 'nothing while the factor is 0');
  t.equal(schedule.rateAt(3000), 0);
  schedule.setFactor(1, 5500);
  t.same(takeUntil(schedule, Infinity), [6000, 7000, 8000, 9000], 'half an interval was left at the stop');

  const fromZero = new ArrivalSchedule([{ duration: 10, arrivalRate: 1 }], 0);
  t.equal(fromZero.peek(), undefined);
  fromZero.setFactor(1, 3300);
  t.same(
    takeUntil(fromZero, Infinity),
    [3300, 4300, 5300, 6300, 7300, 8300, 9300],
    'the load restarts at once',
  );
});

t.test('a factor change mid-ramp: the rest of the ramp scaled, within 1 arrival', async (t) => {
  const ramp: Phase[] = [{ duration: 600, arrivalRate: 4, rampTo: 15 }];
  const schedule = new ArrivalSchedule(ramp);
  const before = takeUntil(schedule, 200_000).length;
  schedule.setFactor(0.5, 200_000);
  const after = takeUntil(schedule, Infinity);
  // N(200) = 4*200 + 11*200^2/1200 = 1166.67; N(600) = 5700.
  t.equal(before, 1167);
  t.ok(Math.abs(after.length - (5700 - 1166.6667) * 0.5) < 1, `${after.length} arrivals after the change`);
  t.ok(after[0]! > 200_000 && after.every((ms) => ms < 600_000), 'all after the change, inside the phase');
});

t.test('a factor change in a later phase than the last arrival, and misuse', async (t) => {
  const schedule = new ArrivalSchedule([
    { duration: 2, arrivalRate: 1 },
    { pause: 3 },
    { duration: 2, arrivalRate: 2 },
  ]);
  t.same(takeUntil(schedule, 3000), [0, 1000]);
  schedule.setFactor(2, 3000);
  t.same(takeUntil(schedule, Infinity), [5000, 5250, 5500, 5750, 6000, 6250, 6500, 6750]);
  t.throws(() => schedule.setFactor(1, 1000), RangeError, 'a change before arrivals already taken');
  t.throws(() => schedule.setFactor(-1, 9000), /load factor must be a finite number from 0, got -1/);
  t.throws(() => schedule.setFactor(Number.NaN, 9000), RangeError);
  t.throws(() => new ArrivalSchedule([], Infinity), RangeError);
});

t.test('phaseAt and rateAt', async (t) => {
  const schedule = new ArrivalSchedule(PRESETS['seed-article']!);
  t.same(schedule.phaseAt(90_000), {
    index: 1,
    count: 4,
    name: 'Ramp up load',
    elapsedS: 90,
    totalS: 1080,
    phaseElapsedS: 30,
    phaseTotalS: 120,
  });
  t.equal(schedule.phaseAt(0)?.name, 'Warm up');
  t.equal(schedule.phaseAt(1_079_999)?.index, 3);
  t.equal(schedule.phaseAt(1_080_000), undefined, 'after the end');
  t.equal(schedule.phaseAt(-1), undefined, 'before the start');
  t.equal(schedule.rateAt(0), 2);
  t.equal(schedule.rateAt(120_000), 3.5, 'halfway up 2 -> 5');
  t.equal(schedule.rateAt(180_000), 4, 'the third phase starts at 4');
  t.equal(schedule.rateAt(480_000), 9.5, 'halfway up 4 -> 15');
  t.equal(schedule.rateAt(1_000_000), 15);
  t.equal(schedule.rateAt(1_080_000), 0);
  schedule.setFactor(2, 0);
  t.equal(schedule.rateAt(1_000_000), 30, 'the factor included');
  t.equal(new ArrivalSchedule([{ pause: 5 }]).phaseAt(1000)?.name, 'phase 1', 'an unnamed phase');
  t.equal(new ArrivalSchedule([{ duration: 10, arrivalCount: 5 }]).rateAt(3000), 0.5);
});
