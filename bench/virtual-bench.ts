/**
 * The virtual engine's speed: seed-article (18 scenario minutes) per mode, as a person runs it
 * (`npm run lab -- --headless --engine virtual ...`, a whole process: start-up included), median of three
 * runs each. `virtual.wallS.<mode>` is that wall time; `virtual.speedup` is scenario seconds per wall second
 * of the in-process run (start-up excluded), median over modes and rounds; `virtual.peakRssMiB.<mode>` the
 * process's peak resident memory. Queue and throttle drain their backlog (`--drain 7200`), as in the issue's
 * check, so they cover about 45 scenario minutes.
 */
import { join } from 'node:path';
import type { Mode } from '../lab/config/option-spec.js';
import { median, round, type BenchContext, type Figures } from './bench-utils.js';
import { RunFolder, runLabCommand } from './lab-runs.js';

const MODES: readonly Mode[] = ['none', 'queue', 'throttle'];
const ROUNDS = 3;

interface Timed {
  wallS: number;
  runS: number;
  scenarioS: number;
  rssMiB: number;
}

/**
 * One whole `npm run lab` process, logs written and read back as the command does; wall time from
 * spawn to exit, the run's own time from its report.
 */
function runOnce(mode: Mode, report: string): Timed {
  const args = [
    '--headless',
    '--engine',
    'virtual',
    '--scenario',
    'seed-article',
    '--mode',
    mode,
    '--seed',
    '1',
    '--log-file',
    report.replace(/\.json$/, '.log.jsonl'),
    ...(mode === 'none' ? [] : ['--drain', '7200']),
  ];
  const { report: r, wallS } = runLabCommand(args, report);
  return {
    wallS,
    runS: r.host.runWallS,
    scenarioS: r.durationS,
    rssMiB: r.host.peakRssMiB,
  };
}

export default async function virtualBench(ctx: BenchContext): Promise<Figures> {
  const folder = new RunFolder();
  const out: Figures = { 'virtual.rounds': ROUNDS, 'virtual.scenario': 'seed-article, seed 1, logs on' };
  const speedups: number[] = [];
  try {
    for (const mode of MODES) {
      const runs: Timed[] = [];
      for (let i = 0; i < ROUNDS; i++) runs.push(runOnce(mode, join(folder.path, `${mode}-${i}.json`)));
      out[`virtual.wallS.${mode}`] = round(median(runs.map((r) => r.wallS)), 2);
      out[`virtual.runS.${mode}`] = round(median(runs.map((r) => r.runS)), 2);
      out[`virtual.peakRssMiB.${mode}`] = Math.max(...runs.map((r) => r.rssMiB));
      for (const r of runs) speedups.push(r.scenarioS / Math.max(1e-3, r.runS));
      ctx.log(
        `virtual bench ${mode}: wall ${runs.map((r) => r.wallS.toFixed(2)).join(', ')} s; run ` +
          `${runs.map((r) => r.runS.toFixed(2)).join(', ')} s for ${runs[0]!.scenarioS} scenario s`,
      );
    }
    out['virtual.speedup'] = Math.round(median(speedups));
    return out;
  } finally {
    folder.remove();
  }
}
