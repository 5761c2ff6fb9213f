/**
 * Speed fidelity: the same seeded scenario in modes none and queue at several speeds, each judged against
 * a run at a slow reference speed (5 in quick mode, 1 with --full) on delivered share, lost share and peak
 * concurrency (tolerances in fidelity-scenarios.ts). `speed.maxFaithful.<mode>` is the highest speed that
 * holds, with every slower one.
 *
 * Quick mode cannot afford the 18-minute seed-article (216 s at speed 5 alone), so it runs the same shape
 * 18 times shorter (60 s; `speed.scenario` says so); `--full` runs seed-article itself. Every run is the
 * headless path, one round each (a reference run at speed 1 is 18 minutes). Per run, also the wall time
 * (`speed.wallS`, start-up included) and the event-loop delay p99 from the report's `host` (the delay beyond
 * the histogram's 10 ms sampling interval: 0 means none).
 */
import { availableParallelism, loadavg } from 'node:os';
import { labOptionsWith } from '../lab/config/parse-options.js';
import type { Mode } from '../lab/config/option-spec.js';
import { round, type BenchContext, type Figures } from './bench-utils.js';
import { fidelityScenario, judge, maxFaithful, type FidelityFigures } from './fidelity-scenarios.js';
import { runLab, RunFolder, type LabRun } from './lab-runs.js';

const MODES: readonly Mode[] = ['none', 'queue'];
const SEED = 1;

function figuresOf(run: LabRun): FidelityFigures {
  const o = run.report.orders;
  return {
    deliveredShare: run.sent === 0 ? 0 : o.delivered / run.sent,
    lostShare: run.sent === 0 ? 0 : o.lost / run.sent,
    peakConcurrency: run.report.peakConcurrency,
  };
}

export default async function speedBench(ctx: BenchContext): Promise<Figures> {
  const scenario = fidelityScenario(ctx.full);
  const referenceSpeed = ctx.full ? 1 : 5;
  const speeds = ctx.full ? [5, 10, 20, 50, 100] : [10, 20, 50, 100];
  const folder = new RunFolder();
  const out: Figures = {
    'speed.scenario': scenario.describe,
    'speed.referenceSpeed': referenceSpeed,
    'speed.speeds': speeds.join(','),
    'speed.seed': SEED,
    'speed.rounds': 1,
    'speed.loadAverageAtStart': round(loadavg()[0]!, 2),
    'speed.cores': availableParallelism(),
  };
  try {
    const scenarioArg = folder.scenarioArg(scenario);
    for (const mode of MODES) {
      const record = (speed: number, run: LabRun): FidelityFigures => {
        const f = figuresOf(run);
        const key = `${mode}.${speed}`;
        out[`speed.deliveredPct.${key}`] = round(f.deliveredShare * 100, 1);
        out[`speed.lostPct.${key}`] = round(f.lostShare * 100, 1);
        out[`speed.peakConcurrency.${key}`] = f.peakConcurrency;
        out[`speed.acceptedPct.${key}`] = round(
          (run.report.orders.accepted / Math.max(1, run.sent)) * 100,
          1,
        );
        out[`speed.wallS.${key}`] = round(run.wallS, 1);
        out[`speed.eventLoopP99Ms.${key}`] = round(run.report.host.eventLoopDelayP99Ms, 2);
        ctx.log(
          `speed bench ${mode} at ${speed}: delivered ${(f.deliveredShare * 100).toFixed(1)}%, lost ` +
            `${(f.lostShare * 100).toFixed(1)}%, peak ${f.peakConcurrency}, accepted ${run.report.orders.accepted}/${run.sent}, ` +
            `wall ${run.wallS.toFixed(1)} s (start ${run.startS.toFixed(1)} s), event loop p99 ${run.report.host.eventLoopDelayP99Ms.toFixed(1)} ms, ` +
            `cpu ${run.report.host.cpuPctOfOneCore}% of a core, load ${loadavg()[0]!.toFixed(2)}`,
        );
        return f;
      };
      const options = (speed: number): ReturnType<typeof labOptionsWith> =>
        labOptionsWith({
          scenario: scenarioArg,
          mode,
          speed,
          seed: SEED,
          seedGiven: true,
          drainS: 0,
          ...folder.files(`${mode}-speed${speed}`),
        });
      const reference = record(referenceSpeed, await runLab(options(referenceSpeed)));
      const verdicts: { speed: number; faithful: boolean }[] = [];
      const shareVerdicts: { speed: number; faithful: boolean }[] = [];
      for (const speed of speeds) {
        const verdict = judge(record(speed, await runLab(options(speed))), reference);
        verdicts.push({ speed, faithful: verdict.faithful });
        shareVerdicts.push({ speed, faithful: verdict.sharesFaithful });
        out[`speed.faithful.${mode}.${speed}`] = verdict.faithful;
        if (!verdict.faithful)
          ctx.log(`speed bench ${mode} at ${speed}: NOT faithful: ${verdict.misses.join('; ')}`);
      }
      out[`speed.maxFaithful.${mode}`] = maxFaithful(verdicts, referenceSpeed);
      // The same on the two shares alone (delivered, lost): what the story tells, without the noisy peak.
      out[`speed.maxFaithfulShares.${mode}`] = maxFaithful(shareVerdicts, referenceSpeed);
    }
    return out;
  } finally {
    folder.remove();
  }
}
