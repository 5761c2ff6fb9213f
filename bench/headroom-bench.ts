/**
 * Headroom: how hard the machine works at the storm's peak, with and without the dashboard drawing, and
 * what 10,000 invocations in flight cost in memory.
 *
 * - `headroom.eventLoopP99Ms` / `...WithDashboard`: the main thread's event-loop delay, p99, over the
 *   storm's peak (the scenario's last, sustained phase) of a mode-none run at the lab's default speed 10:
 *   the fidelity scenario (see fidelity-scenarios.ts; quick: seed-article 18x shorter, --full: seed-article).
 *   Measured with `monitorEventLoopDelay` at a 1 ms resolution, minus that resolution (the histogram records
 *   the whole interval between its timer's runs, so an idle loop reads about 1 ms): the figure is how late
 *   a timer ran. With the dashboard, it is the real one (`buildDashboard` on a `LiveLabSession`, as
 *   `npm run lab` builds it) drawing at 4 frames a second into an in-memory 200x60 terminal. Runs alternate
 *   without and with the dashboard; each figure is the median over rounds. Also the process's CPU over
 *   the same window, as a share of one core (all threads), and its RSS at the window's end.
 * - `headroom.rssMiBAt10kInFlight`: process RSS while 10,000 invocations are in flight. 10,000 orders
 *   arrive within one scenario second at speed 0.25; the courier refuses every call (a bucket of 0.001/s),
 *   so each delivery invocation sleeps through the seed's retry waits (3 to 8 s, four times: at least
 *   48 real seconds at this speed) and they are all in flight together. RSS is read as the count first
 *   reaches 10,000 and for a second after; the figure is the highest reading.
 * - `headroom.dashboardCpuPct`: `measureDashboardCost({ rows: 3600, frames: 40 })` (an hour of history,
 *   4 fps, 200x60), median over rounds.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { labOptionsWith, type LabOptions } from '../lab/config/parse-options.js';
import { finishRun } from '../lab/finish-run.js';
import { createRun } from '../lab/run/create-run.js';
import type { LabRun as Lab } from '../lab/run/lab-run.js';
import { LiveLabSession } from '../lab/lab-session.js';
import { phaseSeconds, scenarioSeconds } from '../lab/load/phases.js';
import { buildDashboard, measureDashboardCost } from '../tui/dashboard.js';
import { createMemoryTerminal } from '../tui/memory-terminal.js';
import { median, round, type BenchContext, type Figures } from './bench-utils.js';
import { fidelityScenario, type FidelityScenario } from './fidelity-scenarios.js';
import { RunFolder } from './lab-runs.js';

/** The lab's default speed (what `npm run lab` runs at). */
const PEAK_SPEED = 10;
const RESOLUTION_MS = 1;
const FRAME_MS = 250;
const IN_FLIGHT_TARGET = 10_000;
/** Real ms to wait for 10,000 to be in flight before giving up (and reporting how many were). */
const IN_FLIGHT_DEADLINE_MS = 45_000;
const MIB = 1024 * 1024;

interface PeakFigures {
  p99Ms: number;
  maxMs: number;
  cpuPct: number;
  rssMiB: number;
  peakConcurrency: number;
}

/** Measures the main thread over the scenario window [fromS, end of load) of a lab that is running. */
function peakWindow(lab: Lab, fromS: number): { done: () => PeakFigures } {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  let cpu0 = process.cpuUsage();
  let wall0 = performance.now();
  let started = false;
  lab.clock.setTimeout(
    () => {
      started = true;
      histogram.enable();
      cpu0 = process.cpuUsage();
      wall0 = performance.now();
    },
    fromS * 1000 - lab.clock.now(),
  );
  return {
    done: () => {
      if (!started) throw new Error(`the peak window (from ${fromS} s) never started`);
      histogram.disable();
      const cpu = process.cpuUsage(cpu0);
      const wallMs = performance.now() - wall0;
      const ms = (ns: number): number => Math.max(0, ns / 1e6 - RESOLUTION_MS);
      return {
        p99Ms: ms(histogram.percentile(99)),
        maxMs: ms(histogram.max),
        cpuPct: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
        rssMiB: process.memoryUsage.rss() / MIB,
        peakConcurrency: lab.pipeline.concurrency.peak,
      };
    },
  };
}

async function peakWithoutDashboard(options: LabOptions, fromS: number): Promise<PeakFigures> {
  const lab = createRun(options);
  try {
    await lab.start();
    const window = peakWindow(lab, fromS);
    await lab.runToEnd();
    const figures = window.done();
    await finishRun(lab, 'load-finished');
    return figures;
  } finally {
    await lab.stop().catch(() => undefined);
  }
}

async function peakWithDashboard(options: LabOptions, fromS: number): Promise<PeakFigures> {
  const session = await LiveLabSession.start(options);
  const term = createMemoryTerminal(200, 60, false);
  const dash = buildDashboard(term.screen, session);
  const timer = setInterval(() => dash.frame(), FRAME_MS);
  dash.frame();
  try {
    const lab = session.current;
    const window = peakWindow(lab, fromS);
    await lab.runToEnd();
    const figures = window.done();
    return figures;
  } finally {
    clearInterval(timer);
    dash.dispose();
    term.screen.destroy();
    await session.finish('load-finished');
  }
}

/** RSS with IN_FLIGHT_TARGET invocations in flight (see the file's comment). */
async function rssAt10k(folder: RunFolder): Promise<{ rssMiB: number; inFlight: number; realS: number }> {
  const scenario: FidelityScenario = {
    name: 'ten-thousand-at-once',
    describe: '10,000 arrivals in one scenario second',
    // A few more than the target: the bucket's one token lets one order through at once.
    phases: [{ duration: 1, arrivalCount: IN_FLIGHT_TARGET + 100 }],
    preset: false,
  };
  const options = labOptionsWith({
    scenario: folder.scenarioArg(scenario),
    mode: 'none',
    speed: 0.25,
    seed: 1,
    seedGiven: true,
    concurrencyLimit: 20_000,
    courier: { rate: 0.001, burst: 1 },
    ...folder.files('rss-10k'),
  });
  const lab = createRun(options);
  const t0 = performance.now();
  try {
    await lab.start();
    let peak = 0;
    let reachedAt: number | undefined;
    let maxInFlight = 0;
    while (performance.now() - t0 < IN_FLIGHT_DEADLINE_MS) {
      await new Promise((r) => setTimeout(r, 50));
      const inFlight = lab.pipeline.concurrency.inUse;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (inFlight >= IN_FLIGHT_TARGET) {
        reachedAt ??= performance.now();
        peak = Math.max(peak, process.memoryUsage.rss());
        if (performance.now() - reachedAt >= 1000) break;
      }
    }
    if (reachedAt === undefined) peak = process.memoryUsage.rss();
    return {
      rssMiB: peak / MIB,
      inFlight: maxInFlight,
      realS: ((reachedAt ?? performance.now()) - t0) / 1000,
    };
  } finally {
    await lab.stop();
  }
}

export default async function headroomBench(ctx: BenchContext): Promise<Figures> {
  const rounds = 2;
  const scenario = fidelityScenario(ctx.full);
  const totalS = scenarioSeconds(scenario.phases);
  const lastPhase = scenario.phases.at(-1)!;
  const fromS = totalS - phaseSeconds(lastPhase);
  const folder = new RunFolder();
  try {
    const scenarioArg = folder.scenarioArg(scenario);
    const options = (label: string): LabOptions =>
      labOptionsWith({
        scenario: scenarioArg,
        mode: 'none',
        speed: PEAK_SPEED,
        seed: 1,
        seedGiven: true,
        ...folder.files(label),
      });
    const plain: PeakFigures[] = [];
    const dashed: PeakFigures[] = [];
    for (let r = 0; r < rounds; r++) {
      // Alternating order (ABBA), so a drift in the machine's load hits both alike.
      const order = r % 2 === 0 ? [false, true] : [true, false];
      for (const withDashboard of order) {
        const f = withDashboard
          ? await peakWithDashboard(options(`peak-dashboard-${r}`), fromS)
          : await peakWithoutDashboard(options(`peak-${r}`), fromS);
        (withDashboard ? dashed : plain).push(f);
        ctx.log(
          `headroom bench round ${r + 1}/${rounds} ${withDashboard ? 'with' : 'without'} dashboard: event loop p99 ` +
            `${f.p99Ms.toFixed(1)} ms (max ${f.maxMs.toFixed(1)}), cpu ${f.cpuPct.toFixed(0)}% of a core, rss ` +
            `${f.rssMiB.toFixed(0)} MiB, peak concurrency ${f.peakConcurrency}`,
        );
      }
    }
    const pick = (list: PeakFigures[], key: keyof PeakFigures, digits = 1): number =>
      round(median(list.map((f) => f[key])), digits);

    const rss = await rssAt10k(folder);
    ctx.log(
      `headroom bench: ${rss.inFlight} in flight after ${rss.realS.toFixed(1)} s, rss ${rss.rssMiB.toFixed(0)} MiB`,
    );

    const costs = [];
    for (let r = 0; r < (ctx.full ? 5 : 3); r++) {
      costs.push(await measureDashboardCost({ rows: 3600, frames: 40, fps: 4, cols: 200, lines: 60 }));
    }
    ctx.log(
      `headroom bench: dashboard ${costs.map((c) => `${c.msPerFrame.toFixed(1)} ms`).join(', ')} of CPU per frame`,
    );

    return {
      'headroom.eventLoopP99Ms': pick(plain, 'p99Ms', 2),
      'headroom.eventLoopP99MsWithDashboard': pick(dashed, 'p99Ms', 2),
      'headroom.eventLoopMaxMs': pick(plain, 'maxMs'),
      'headroom.eventLoopMaxMsWithDashboard': pick(dashed, 'maxMs'),
      'headroom.cpuPctAtPeak': pick(plain, 'cpuPct', 0),
      'headroom.cpuPctAtPeakWithDashboard': pick(dashed, 'cpuPct', 0),
      'headroom.rssMiBAtPeak': pick(plain, 'rssMiB', 0),
      'headroom.rssMiBAtPeakWithDashboard': pick(dashed, 'rssMiB', 0),
      'headroom.peakConcurrency': pick(plain, 'peakConcurrency', 0),
      'headroom.peakWindow': `${scenario.name} at speed ${PEAK_SPEED}, mode none, scenario seconds ${fromS} to ${totalS}`,
      'headroom.rounds': rounds,
      'headroom.rssMiBAt10kInFlight': round(rss.rssMiB, 0),
      'headroom.inFlightReached': rss.inFlight,
      'headroom.dashboardCpuPct': round(median(costs.map((c) => c.cpuPct)), 2),
      'headroom.dashboardMsPerFrame': round(median(costs.map((c) => c.msPerFrame)), 2),
    };
  } finally {
    folder.remove();
  }
}
