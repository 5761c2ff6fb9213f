/**
 * Adaptive concurrency limits over scripted sequences of outcomes and latencies; every expected limit is
 * worked out by hand from Netflix's AIMDLimit and Envoy's gradient controller (aws-semantics 9.5, 9.6).
 */
import t from 'tap';
import { AimdLimit } from '../lab/flow/adaptive/aimd-limit.js';
import { GradientLimit, percentile } from '../lab/flow/adaptive/gradient-limit.js';

t.test(
  'AIMD: +1 when at least half used, x0.9 rounded down on a drop or a slow call, within bounds',
  async (t) => {
    const l = new AimdLimit({ initial: 10, min: 2, max: 12, backoffRatio: 0.9, timeoutMs: 5000 });
    const seen: number[] = [];
    const ok = (inFlight: number, rttMs = 800): void => {
      l.onSample({ now: 0, rttMs, inFlight, dropped: false });
      seen.push(l.limit);
    };
    const drop = (): void => {
      l.onSample({ now: 0, rttMs: 800, inFlight: 10, dropped: true });
      seen.push(l.limit);
    };
    ok(5); // 5 * 2 >= 10: 11
    ok(5); // 10 < 11: stays
    ok(6); // 12
    ok(6); // 13, capped at 12
    ok(1); // barely used: stays
    drop(); // floor(10.8) = 10
    ok(3, 6000); // slower than the 5 s timeout: floor(9) = 9
    for (let i = 0; i < 8; i++) drop(); // 8, 7, 6, 5, 4, 3, 2, 2 (1.8 held at the minimum)
    t.same(seen, [11, 11, 12, 12, 12, 10, 9, 8, 7, 6, 5, 4, 3, 2, 2]);
    t.throws(() => new AimdLimit({ initial: 10, min: 5, max: 4, backoffRatio: 0.9, timeoutMs: 1 }), /min 5/);
    t.throws(
      () => new AimdLimit({ initial: 10, min: 1, max: 4, backoffRatio: 1, timeoutMs: 1 }),
      /backoffRatio/,
    );
  },
);

t.test('percentile is the nearest rank', async (t) => {
  t.equal(percentile([200, 80, 120, 100], 0.5), 100);
  t.equal(percentile([200, 80, 120, 100], 0.9), 200);
  t.equal(percentile([7], 0.5), 7);
});

t.test(
  'gradient: minRTT first, then limit = g*limit + sqrt(g*limit) per window, minRTT again later',
  async (t) => {
    const l = new GradientLimit({
      minConcurrency: 3,
      max: 1000,
      buffer: 0.25,
      sampleWindowMs: 1000,
      minRttIntervalMs: 60_000,
      minRttRequests: 4,
      percentile: 0.5,
    });
    const at = (now: number, rttMs: number): number => {
      l.onSample({ now, rttMs, inFlight: 1, dropped: false });
      return l.limit;
    };
    t.equal(l.limit, 3, 'starts at minConcurrency while minRTT is measured');
    t.same([at(100, 100), at(200, 200), at(300, 120), at(400, 80)], [3, 3, 3, 3]);
    t.equal(l.minRttMs, 100, 'the median of 80, 100, 120, 200');
    t.same([at(500, 100), at(900, 100)], [3, 3], 'no update inside the window');
    t.equal(at(1400, 100), 5, 'g = 125/100 = 1.25: 3.75 + 1.94 = 5.69');
    t.same([at(2000, 250), at(2400, 250)], [5, 4], 'g = 0.5: 2.5 + 1.58 = 4.08');
    t.equal(at(3400, 1000), 3, 'g = 0.125 clamped to 0.5: 2 + 1.41 = 3.41');
    t.equal(at(4400, 50), 8, 'g = 2.5 clamped to 2: 6 + 2.45 = 8.45');
    t.equal(at(5400, 125), 10, 'g = 1: 8 + 2.83 = 10.83');
    t.equal(at(60_500, 125), 3, 'the window updates to 13, then minRTT is due: back to minConcurrency');
    t.same([at(60_600, 60), at(60_700, 60), at(60_800, 60), at(60_900, 60)], [3, 3, 3, 13]);
    t.equal(l.minRttMs, 60);
    t.equal(at(61_900, 60), 20, 'g = 75/60 = 1.25: 16.25 + 4.03 = 20.28');
    for (let i = 0; i < 20; i++) at(62_900 + i * 1000, 1);
    t.equal(l.limit, 1000, 'held at max');
  },
);
