/**
 * Limiter fidelity: the courier's usage-plan bucket at `--speed` 1, 10, 50 and 100, driven well above its
 * rate, admissions counted per scenario second on the courier's own clock (its log's START timestamps of
 * the requests it did not refuse) and compared with the configured rate.
 *
 * The courier is the real one in its own thread (CourierThread), with the seed's bucket (rate 10/s,
 * burst 10) and instant successes (failure rate 0, latency 0-0: an admitted request is answered at once, so
 * the client's loops never wait on a latency). The client is the bench's undici driver in a thread of its
 * own, offering about OVERDRIVE times the rate (paced at low speeds, as fast as it can at high ones).
 *
 * Seconds are one-second windows of the courier's scenario time whose edges sit half a token interval
 * after the bucket's token times (see admission-count.ts: otherwise an admission a millisecond after a token
 * that lies near a whole second's edge counts on either side of it, an error that only says where the edge
 * is). The first window is skipped (the bucket starts full: its burst is spent there), then the measured
 * windows are split into `rounds` consecutive blocks; a block's figure is its worst per-second error, and
 * the figure for the speed is the median over the blocks. With rate 10 an error of one admission in a
 * second is 10%: a figure at or below 1% means every measured second admitted exactly the rate. The same
 * figure over the clock's whole seconds is `limiter.worstErrorPctWholeSeconds`.
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labOptionsWith, type CourierOptions } from '../lab/config/parse-options.js';
import { CourierThread } from '../lab/courier/courier-thread.js';
import { wallNowMs } from '../lab/time/clock.js';
import {
  countInWindows,
  errorsPct,
  judgedWindows,
  readAdmissions,
  worstPerRound,
} from './admission-count.js';
import { LoadDriverThread, median, round, type BenchContext, type Figures } from './bench-utils.js';

const SPEEDS = [1, 10, 50, 100] as const;
const API_KEY = 'bench-key';
/** Offered load as a multiple of the admitted rate (when the client can offer that much). */
const OVERDRIVE = 20;
/** Client loops (and connections). */
const CONCURRENCY = 8;

interface SpeedResult {
  worstPct: number;
  worstWholePct: number;
  /** Admissions in each measured second. */
  counts: number[];
  meanPct: number;
  totalPct: number;
  offeredPerS: number;
  seconds: number;
  realMs: number;
}

async function measureSpeed(
  driver: LoadDriverThread,
  options: CourierOptions,
  speed: number,
  rounds: number,
  secondsPerRound: number,
): Promise<SpeedResult> {
  const logFile = join(tmpdir(), `stormlab-limiter-bench-${process.pid}-${speed}.jsonl`);
  rmSync(logFile, { force: true });
  // An integer, so that log timestamps minus this are exactly the floor of scenario ms.
  const startedAtMs = Math.floor(Date.now());
  const thread = new CourierThread({
    options,
    speed,
    originWallMs: wallNowMs(),
    startedAtMs,
    seed: 1,
    logFile,
  });
  try {
    const url = await thread.start();
    // Scenario seconds: the burst's window, the measured ones, then a margin for the whole-second count.
    const scenarioS = 1 + rounds * secondsPerRound + 1.5;
    const realMs = (scenarioS * 1000) / speed;
    // A loop's gap is also kept well under half a token interval (real ms), so that the client's pacing
    // never makes an admission late enough to count in the next second.
    const offered = OVERDRIVE * options.rate * speed;
    const halfTokenRealMs = 500 / (options.rate * speed);
    const gapMs = Math.floor(Math.min((1000 * CONCURRENCY) / offered, halfTokenRealMs / 4));
    await driver.run({
      origin: url,
      path: options.path,
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
      body: JSON.stringify({ order_id: 'bench-order-0001', address: '1 Bench Road', items: 3 }),
      concurrency: CONCURRENCY,
      durationMs: realMs,
      gapMs: gapMs >= 1 ? gapMs : 0,
    });
    const admittedByStats = thread.stats().admitted;
    await thread.stop(); // flushes the log
    const a = readAdmissions(readFileSync(logFile, 'utf8'), startedAtMs);
    if (a.admitted.length !== admittedByStats) {
      throw new Error(`log shows ${a.admitted.length} admissions, the courier's counters ${admittedByStats}`);
    }
    const needed = rounds * secondsPerRound;
    const judge = (aligned: boolean): { errors: number[]; counts: number[]; startMs: number } => {
      const w = judgedWindows(a, options.rate, aligned);
      if (w.count < needed) throw new Error(`speed ${speed}: only ${w.count} whole seconds measured`);
      const counts = countInWindows(a.admitted, w.startMs, needed);
      return { errors: errorsPct(counts, options.rate), counts, startMs: w.startMs };
    };
    const grid = judge(true);
    const whole = judge(false);
    const admitted = grid.counts.reduce((sum, n) => sum + n, 0);
    const expected = options.rate * needed;
    return {
      worstPct: median(worstPerRound(grid.errors, rounds)),
      worstWholePct: median(worstPerRound(whole.errors, rounds)),
      meanPct: grid.errors.reduce((x, y) => x + y, 0) / needed,
      totalPct: ((admitted - expected) / expected) * 100,
      offeredPerS: median(countInWindows(a.arrivals, grid.startMs, needed)),
      counts: grid.counts,
      seconds: needed,
      realMs,
    };
  } finally {
    await thread.stop().catch(() => undefined);
    rmSync(logFile, { force: true });
  }
}

export default async function limiterBench(ctx: BenchContext): Promise<Figures> {
  const rounds = ctx.full ? 5 : 3;
  const base = labOptionsWith().courier;
  // The seed's usage plan; instant answers so that admitted requests do not hold the client's loops.
  const options: CourierOptions = {
    ...base,
    apiKey: API_KEY,
    failureRate: 0,
    latency: { minMs: 0, maxMs: 0 },
  };
  const driver = new LoadDriverThread();
  const out: Figures = {};
  try {
    for (const speed of SPEEDS) {
      // Scenario seconds per round: about a real second or two of driving per speed (quick).
      // Measured scenario seconds per round: about a second of real time or less per speed in quick mode.
      const perRound = ctx.full
        ? [4, 20, 60, 100][SPEEDS.indexOf(speed)]!
        : [1, 5, 10, 20][SPEEDS.indexOf(speed)]!;
      const r = await measureSpeed(driver, options, speed, rounds, perRound);
      ctx.log(
        `limiter bench speed ${speed}: worst ${r.worstPct.toFixed(1)}%, mean ${r.meanPct.toFixed(2)}%, ` +
          `total ${r.totalPct.toFixed(2)}% over ${r.seconds} scenario s (${(r.realMs / 1000).toFixed(1)} s real), ` +
          `offered ${r.offeredPerS}/scenario s; whole seconds: worst ${r.worstWholePct.toFixed(1)}%; ` +
          `admitted per second: ${r.counts.join(' ')}`,
      );
      out[`limiter.worstErrorPct.${speed}`] = round(r.worstPct, 2);
      out[`limiter.worstErrorPctWholeSeconds.${speed}`] = round(r.worstWholePct, 2);
      out[`limiter.meanErrorPct.${speed}`] = round(r.meanPct, 2);
      out[`limiter.totalErrorPct.${speed}`] = round(r.totalPct, 2);
      out[`limiter.offeredPerScenarioS.${speed}`] = r.offeredPerS;
      out[`limiter.seconds.${speed}`] = r.seconds;
    }
    out['limiter.rate'] = options.rate;
    out['limiter.burst'] = options.burst;
    out['limiter.rounds'] = rounds;
    return out;
  } finally {
    await driver.close();
  }
}
