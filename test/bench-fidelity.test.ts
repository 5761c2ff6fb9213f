import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CourierLog } from '../lab/courier/courier-log.js';
import type { LogRecord } from '../lab/logs/log-record.js';
import { TokenBucket } from '../lab/time/token-bucket.js';
import { scenarioSeconds } from '../lab/load/phases.js';
import {
  countInWindows,
  errorsPct,
  judgedWindows,
  readAdmissions,
  worstPerRound,
} from '../bench/admission-count.js';
import { compressPhases, fidelityScenario, judge, maxFaithful } from '../bench/fidelity-scenarios.js';
import { judgeGoals } from '../bench/goals.js';
import { crossCheck, crossCheckRange, crossRange } from '../bench/engine-cross-check.js';
import { mergeResults } from '../bench/bench-utils.js';

const STARTED_AT_MS = 1_700_000_000_000;

/**
 * The courier's log of a bucket (rate 10, burst 10) asked at each of `arrivals` (scenario ms), written by
 * the courier's own CourierLog, as the limiter bench reads it.
 */
function courierLogOf(arrivals: readonly number[]): string {
  const lines: string[] = [];
  const log = new CourierLog({ write: (r: LogRecord) => void lines.push(JSON.stringify(r)) }, STARTED_AT_MS);
  const bucket = new TokenBucket({ rate: 10, burst: 10 }, 0);
  arrivals.forEach((at, i) => {
    const id = `r-${i}`;
    log.start(at, 'c', id, 'POST', '/slow');
    const status = bucket.tryTake(at) ? 200 : 429;
    log.end(at + 0.2, status, status === 200 ? 'delivery scheduled' : 'Too Many Requests', 'c', id, 0);
  });
  return lines.join('\n') + '\n';
}

/** Arrivals every `everyMs` from `fromMs` to `toMs`, except inside `gap` ([start, end) scenario ms). */
function arrivals(fromMs: number, toMs: number, everyMs: number, gap?: [number, number]): number[] {
  const out: number[] = [];
  for (let ms = fromMs; ms < toMs; ms += everyMs) if (!gap || ms < gap[0] || ms >= gap[1]) out.push(ms);
  return out;
}

t.test('admissions read from the courier log, counted in windows aligned on the bucket', async (t) => {
  // Starts 95.3 ms into a second: the bucket's token times lie 4.7 ms before each whole second's edge.
  const a = readAdmissions(courierLogOf(arrivals(95.3, 8000, 7)), STARTED_AT_MS);
  t.equal(a.admitted[0], 95, 'first admission at the floor of its scenario ms');
  t.equal(a.arrivals.length, Math.ceil((8000 - 95.3) / 7));
  const w = judgedWindows(a, 10);
  t.equal(w.startMs, 95 + 50 + 1000, 'half a token interval after the grid, skipping the burst window');
  t.equal(w.count, 6);
  const counts = countInWindows(a.admitted, w.startMs, w.count);
  t.same(counts, [10, 10, 10, 10, 10, 10], 'exactly the rate in every judged second');
  t.same(errorsPct(counts, 10), [0, 0, 0, 0, 0, 0]);
  const whole = judgedWindows(a, 10, false);
  t.equal(whole.startMs, 2000, 'whole seconds skip the partial second and the next');
  t.equal(
    countInWindows(a.admitted, whole.startMs, whole.count).reduce((s, n) => s + n, 0),
    10 * whole.count,
    'whole seconds see the same total',
  );
});

t.test('a stall across a window edge shows as an error; a short one inside a window does not', async (t) => {
  // No request for 300 ms astride the edge at 3050 ms: three tokens wait and go in the next second.
  const stalled = readAdmissions(courierLogOf(arrivals(0, 8000, 7, [2900, 3200])), STARTED_AT_MS);
  const w = judgedWindows(stalled, 10);
  const counts = countInWindows(stalled.admitted, w.startMs, w.count);
  t.same(counts.slice(0, 3), [10, 8, 12], 'two admissions moved to the next second');
  t.same(errorsPct(counts, 10).slice(0, 3), [0, 20, 20]);
  const inside = readAdmissions(courierLogOf(arrivals(0, 8000, 7, [2300, 2380])), STARTED_AT_MS);
  const w2 = judgedWindows(inside, 10);
  t.same(countInWindows(inside.admitted, w2.startMs, w2.count), [10, 10, 10, 10, 10, 10]);
});

t.test('worst error per round, and nothing judged without admissions', async (t) => {
  t.same(worstPerRound([0, 10, 0, 0, 0, 30, 5], 3), [10, 0, 30], 'blocks of two, tail dropped');
  t.same(worstPerRound([1, 2], 3), [], 'fewer errors than rounds');
  t.same(judgedWindows({ admitted: [], arrivals: [] }, 10), { startMs: 0, count: 0 });
  t.same(readAdmissions('{"service":"delivery-handler","status":"START"}\n', 0), {
    admitted: [],
    arrivals: [],
  });
});

t.test('the quick scenario is seed-article 18 times shorter, same rates', async (t) => {
  const quick = fidelityScenario(false);
  t.equal(scenarioSeconds(quick.phases), 60);
  t.same(
    quick.phases.map((p) => [p.duration, p.arrivalRate, p.rampTo]),
    [
      [3, 2, undefined],
      [7, 2, 5],
      [33, 4, 15],
      [17, 15, undefined],
    ],
  );
  t.match(quick.describe, /compressed 18x/);
  t.notOk(quick.preset);
  const full = fidelityScenario(true);
  t.equal(full.name, 'seed-article');
  t.ok(full.preset);
  t.equal(scenarioSeconds(full.phases), 1080);
  t.same(compressPhases([{ pause: 10 }, { duration: 1, arrivalCount: 5 }], 100), [
    { pause: 1 },
    { duration: 1, arrivalCount: 5 },
  ]);
});

t.test('judging a run: shares in points, peak concurrency relative with a floor of one', async (t) => {
  const ref = { deliveredShare: 0.647, lostShare: 0.02, peakConcurrency: 196 };
  t.same(judge({ deliveredShare: 0.6, lostShare: 0.06, peakConcurrency: 187 }, ref), {
    faithful: true,
    sharesFaithful: true,
    misses: [],
  });
  const off = judge({ deliveredShare: 0.59, lostShare: 0.08, peakConcurrency: 185 }, ref);
  t.notOk(off.faithful);
  t.equal(off.misses.length, 3);
  t.match(off.misses[0], /delivered share 59\.0% vs 64\.7% \(5\.7 pp\)/);
  t.match(off.misses[2], /peak concurrency 185 vs 196 \(allowed \+-9\.8\)/);
  const queue = { deliveredShare: 0.33, lostShare: 0, peakConcurrency: 12 };
  t.ok(judge({ ...queue, peakConcurrency: 13 }, queue).faithful, 'one execution more is within the floor');
  const peakOnly = judge({ ...queue, peakConcurrency: 14 }, queue);
  t.notOk(peakOnly.faithful);
  t.ok(peakOnly.sharesFaithful, 'the shares alone still hold');
  t.notOk(off.sharesFaithful);
});

t.test('the highest faithful speed needs every slower speed faithful too', async (t) => {
  const v = (speed: number, faithful: boolean): { speed: number; faithful: boolean } => ({ speed, faithful });
  t.equal(maxFaithful([v(10, true), v(20, true), v(50, false), v(100, true)], 5), 20);
  t.equal(
    maxFaithful([v(50, true), v(10, true), v(20, true), v(100, true)], 5),
    100,
    'order does not matter',
  );
  t.equal(maxFaithful([v(10, false), v(20, true)], 5), 5, 'the reference speed when the slowest fails');
});

t.test('goals: met, missed, not judged, not run', async (t) => {
  const rows = judgeGoals({
    'courier.ratioVsBare': 0.85,
    'functions.ratioVsPiscina': 0.4,
    'speed.scenario': 'seed-article compressed 18x in time (60 s)',
    'speed.wallS.none.50': 2.3,
  });
  const verdict = (key: string): string => rows.find((r) => r.key === key)!.verdict;
  t.equal(verdict('courier.ratioVsBare'), 'met');
  t.equal(verdict('functions.ratioVsPiscina'), 'MISSED');
  t.equal(verdict('speed.wallS.none.50'), 'not judged', 'quick mode does not run the 18-minute scenario');
  t.equal(verdict('headroom.rssMiBAt10kInFlight'), 'not run');
  const full = judgeGoals({ 'speed.scenario': 'seed-article (18 min: ...)', 'speed.wallS.none.50': 31 });
  t.equal(full.find((r) => r.key === 'speed.wallS.none.50')!.verdict, 'MISSED');
});

t.test('results merge: a section that ran drops its old keys, others stay', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stormlab-bench-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'results.json');
  writeFileSync(
    file,
    JSON.stringify({ 'speed.wallS.none.1': 1100, 'speed.maxFaithful.none': 20, 'courier.ratioVsBare': 0.9 }),
  );
  mergeResults(file, { 'speed.maxFaithful.none': 10 }, ['speed.']);
  t.same(JSON.parse(readFileSync(file, 'utf8')), {
    'courier.ratioVsBare': 0.9,
    'speed.maxFaithful.none': 10,
  });
});

t.test(
  'engine cross-check: 5% relative, 0.02 absolute for small shares, peak never tighter than 1',
  async (t) => {
    const ref = {
      deliveredShare: 0.68,
      lostShare: 0.05,
      peakConcurrency: 660,
      share429: 0.846,
      callsPerOrder: 5.49,
    };
    t.same(crossCheck(ref, ref), { agree: true, misses: [] });
    const near = {
      deliveredShare: 0.7,
      lostShare: 0.069,
      peakConcurrency: 690,
      share429: 0.81,
      callsPerOrder: 5.7,
    };
    t.equal(crossCheck(near, ref).agree, true, 'each figure just inside its bound');
    const far = {
      deliveredShare: 0.6,
      lostShare: 0.075,
      peakConcurrency: 700,
      share429: 0.8,
      callsPerOrder: 5.49,
    };
    t.same(crossCheck(far, ref).misses, [
      'deliveredShare 0.6000 vs 0.6800 (allowed +-0.0340)',
      'lostShare 0.0750 vs 0.0500 (allowed +-0.0200)',
      'peakConcurrency 700.0000 vs 660.0000 (allowed +-33.0000)',
      'share429 0.8000 vs 0.8460 (allowed +-0.0423)',
    ]);
    const small = { ...ref, peakConcurrency: 6 };
    t.equal(crossCheck({ ...small, peakConcurrency: 7 }, small).agree, true, 'a peak of 6 may be off by 1');
    t.equal(crossCheck({ ...small, peakConcurrency: 8 }, small).agree, false, 'but not by 2');
  },
);

t.test(
  'engine cross-check against a range: within tolerance of the nearest value the seeds gave',
  async (t) => {
    const seed = (peakConcurrency: number, lostShare: number) => ({
      deliveredShare: 0.84,
      lostShare,
      peakConcurrency,
      share429: 0.84,
      callsPerOrder: 6.5,
    });
    const range = crossRange([seed(664, 0.1665), seed(718, 0.157), seed(697, 0.16)]);
    t.same([range.low.peakConcurrency, range.high.peakConcurrency, range.runs], [664, 718, 3]);
    t.same([range.low.lostShare, range.high.lostShare], [0.157, 0.1665]);
    t.equal(crossCheckRange(seed(713, 0.16), range).agree, true, 'inside the range');
    t.equal(crossCheckRange(seed(753, 0.16), range).agree, true, 'above it by less than 5% of 718 (35.9)');
    t.same(crossCheckRange(seed(755, 0.16), range).misses, [
      'peakConcurrency 755.0000 vs 718.0000 (allowed +-35.9000)',
    ]);
    t.equal(crossCheckRange(seed(631, 0.16), range).agree, true, 'below it by less than 5% of 664 (33.2)');
    t.same(crossCheckRange(seed(630, 0.149), range).misses, [
      'lostShare 0.1490 vs 0.1570 (allowed +-0.0079)',
      'peakConcurrency 630.0000 vs 664.0000 (allowed +-33.2000)',
    ]);
  },
);
