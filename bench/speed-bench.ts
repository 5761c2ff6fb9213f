/**
 * Speed fidelity, judged against the virtual engine: seed-article (the full 18 minutes) in modes none and
 * queue, once on the virtual engine (the reference: the same semantics with no real time to lose) and on the
 * threads engine at several speeds, same seed. A threads run is faithful when its delivered and lost shares,
 * peak concurrency, 429 share and courier calls per order stay within the engines' cross-check tolerance of
 * the reference (bench/engine-cross-check.ts: 5% relative; 0.02 absolute for shares below 0.1).
 * `speed.maxFaithful.<mode>` is the highest speed that holds, with every slower one.
 *
 * The run at speed 10 is also the engines' cross-check (`speed.crossCheck.<mode>.<seed>`); with --full it is
 * repeated for seeds 2 and 3. Per run also the wall time and the event-loop delay p99 from the report.
 *
 * The storm's peak concurrency is a maximum over a chaotic process: one seed's value moves by more than the
 * tolerance when the courier answers a few scenario ms later, which is what a loopback round trip is at
 * speed 10. So the virtual engine also runs seeds 1 to 12, and each cross-check run is judged against the
 * range they give as well (`speed.crossCheckSpread.<mode>.<seed>`, crossCheckRange).
 */
import { availableParallelism, loadavg } from 'node:os';
import { labOptionsWith } from '../lab/config/parse-options.js';
import type { Mode } from '../lab/config/option-spec.js';
import { round, type BenchContext, type Figures } from './bench-utils.js';
import { maxFaithful } from './fidelity-scenarios.js';
import {
  crossCheck,
  crossCheckRange,
  crossFigures,
  crossRange,
  type CrossFigures,
  type CrossRange,
} from './engine-cross-check.js';
import { runLab, runLabCommand, RunFolder, type LabCommandRun } from './lab-runs.js';

const MODES: readonly Mode[] = ['none', 'queue'];
const SEED = 1;
const CROSS_SPEED = 10;
/** The virtual engine's seeds for the range each figure takes (the runs take a second or two each). */
const SPREAD_SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);
/**
 * Scenario seconds each mode runs on after its load (`--drain`, ending once nothing is in flight): the storm
 * is judged on its settled outcome, every order delivered or lost, since at the load's end two thousand
 * orders are still between retries and how many of them have failed for good by then is a matter of
 * milliseconds. The queue loses nothing, and its backlog would take 25 more minutes: judged at the load's end.
 */
const DRAIN_S: Record<Mode, number> = { none: 600, queue: 0, throttle: 0 };

function describe(f: CrossFigures): string {
  return (
    `delivered ${(f.deliveredShare * 100).toFixed(1)}%, lost ${(f.lostShare * 100).toFixed(1)}%, ` +
    `peak ${f.peakConcurrency}, 429 ${(f.share429 * 100).toFixed(1)}%, calls/order ${f.callsPerOrder.toFixed(2)}`
  );
}

function describeRange(r: CrossRange): string {
  const pct = (n: number) => (n * 100).toFixed(1);
  return (
    `delivered ${pct(r.low.deliveredShare)}-${pct(r.high.deliveredShare)}%, ` +
    `lost ${pct(r.low.lostShare)}-${pct(r.high.lostShare)}%, ` +
    `peak ${r.low.peakConcurrency}-${r.high.peakConcurrency}, ` +
    `429 ${pct(r.low.share429)}-${pct(r.high.share429)}%, ` +
    `calls/order ${r.low.callsPerOrder.toFixed(2)}-${r.high.callsPerOrder.toFixed(2)}`
  );
}

export default async function speedBench(ctx: BenchContext): Promise<Figures> {
  const speeds = ctx.full ? [5, 10, 20, 50, 100] : [10, 20, 50];
  const crossSeeds = ctx.full ? [1, 2, 3] : [1];
  const folder = new RunFolder();
  const out: Figures = {
    'speed.scenario': 'seed-article (18 min), judged against the virtual engine, same seed',
    'speed.reference': 'virtual',
    'speed.speeds': speeds.join(','),
    'speed.seed': SEED,
    'speed.loadAverageAtStart': round(loadavg()[0]!, 2),
    'speed.cores': availableParallelism(),
  };
  const virtualOptions = (mode: Mode, seed: number) =>
    labOptionsWith({
      scenario: 'seed-article',
      mode,
      engine: 'virtual',
      seed,
      seedGiven: true,
      drainS: DRAIN_S[mode],
      ...folder.files(`${mode}-virtual-seed${seed}`),
    });
  /** A threads run as a person starts it (`npm run lab`): a process of its own, heap and all. */
  const threadsRun = (mode: Mode, speed: number, seed: number): LabCommandRun => {
    const { report, logFile } = folder.files(`${mode}-threads-${speed}-seed${seed}`);
    const args = ['--headless', '--scenario', 'seed-article', '--mode', mode, '--speed', String(speed)];
    const more = ['--seed', String(seed), '--drain', String(DRAIN_S[mode]), '--log-file', logFile];
    return runLabCommand([...args, ...more], report);
  };
  const log = (label: string, run: LabCommandRun, f: CrossFigures): void =>
    ctx.log(
      `speed bench ${label}: ${describe(f)}; wall ${run.wallS.toFixed(1)} s, event loop p99 ` +
        `${run.report.host.eventLoopDelayP99Ms.toFixed(1)} ms, load ${loadavg()[0]!.toFixed(2)}`,
    );
  try {
    for (const mode of MODES) {
      const references = new Map<number, CrossFigures>();
      const reference = async (seed: number): Promise<CrossFigures> => {
        let f = references.get(seed);
        if (!f) {
          const run = await runLab(virtualOptions(mode, seed));
          f = crossFigures(run.report);
          log(`${mode} virtual seed ${seed}`, run, f);
          references.set(seed, f);
        }
        return f;
      };
      const ref = await reference(SEED);
      /** The threads engine's figures at the cross-check speed, by seed. */
      const crossRuns = new Map<number, CrossFigures>();
      const verdicts: { speed: number; faithful: boolean }[] = [];
      for (const speed of speeds) {
        const run = threadsRun(mode, speed, SEED);
        const f = crossFigures(run.report);
        log(`${mode} threads at ${speed}`, run, f);
        const verdict = crossCheck(f, ref);
        const key = `${mode}.${speed}`;
        out[`speed.deliveredPct.${key}`] = round(f.deliveredShare * 100, 1);
        out[`speed.lostPct.${key}`] = round(f.lostShare * 100, 1);
        out[`speed.peakConcurrency.${key}`] = f.peakConcurrency;
        out[`speed.wallS.${key}`] = round(run.wallS, 1);
        out[`speed.eventLoopP99Ms.${key}`] = round(run.report.host.eventLoopDelayP99Ms, 2);
        out[`speed.faithful.${key}`] = verdict.agree;
        if (!verdict.agree)
          ctx.log(`speed bench ${mode} at ${speed}: NOT faithful: ${verdict.misses.join('; ')}`);
        verdicts.push({ speed, faithful: verdict.agree });
        if (speed === CROSS_SPEED) {
          out[`speed.crossCheck.${mode}.${SEED}`] = verdict.agree;
          crossRuns.set(SEED, f);
        }
      }
      out[`speed.maxFaithful.${mode}`] = maxFaithful(verdicts, 0);
      for (const seed of crossSeeds.filter((s) => s !== SEED)) {
        const run = threadsRun(mode, CROSS_SPEED, seed);
        const f = crossFigures(run.report);
        log(`${mode} threads at ${CROSS_SPEED} seed ${seed}`, run, f);
        const verdict = crossCheck(f, await reference(seed));
        out[`speed.crossCheck.${mode}.${seed}`] = verdict.agree;
        crossRuns.set(seed, f);
        if (!verdict.agree)
          ctx.log(`speed bench cross-check ${mode} seed ${seed}: ${verdict.misses.join('; ')}`);
      }
      const spread: CrossFigures[] = [];
      for (const seed of SPREAD_SEEDS) {
        const known = references.get(seed);
        if (known) spread.push(known);
        else {
          const options = { ...virtualOptions(mode, seed), logFile: 'none' };
          spread.push(crossFigures((await runLab(options)).report));
        }
      }
      const range = crossRange(spread);
      out[`speed.virtualSpread.${mode}`] = `seeds 1-${SPREAD_SEEDS.length}: ${describeRange(range)}`;
      ctx.log(`speed bench ${mode} virtual over seeds 1-${SPREAD_SEEDS.length}: ${describeRange(range)}`);
      for (const [seed, f] of crossRuns) {
        const verdict = crossCheckRange(f, range);
        out[`speed.crossCheckSpread.${mode}.${seed}`] = verdict.agree;
        if (!verdict.agree)
          ctx.log(
            `speed bench cross-check ${mode} seed ${seed} against the seeds' range: ${verdict.misses.join('; ')}`,
          );
      }
    }
    return out;
  } finally {
    folder.remove();
  }
}
