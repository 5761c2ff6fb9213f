/**
 * What drawing the dashboard costs, for the bench's `headroom.dashboardCpuPct`: frames rendered into an
 * in-memory terminal from a real lab session (the virtual engine, its clock moved by hand) with `rows`
 * seconds of history, one new scenario second and its log lines per frame (so no frame is served from a
 * cache), with the event loop turning between frames as it does live (blessed flushes its output on the next
 * tick). Moving the lab on is the lab's work and stays outside the measurement.
 *
 * The history is seed-article after a quiet lead-in, placed so that the measured frames fall in the storm's
 * steepest phase (a busy log stream, every chart moving) while the series holds `rows` seconds: the quiet
 * seconds cost the lab almost nothing to run, so an hour of history is built in about the time the storm's
 * first ten minutes take.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labOptionsWith } from '../lab/config/parse-options.js';
import { LiveLabSession } from '../lab/lab-session.js';
import { PRESETS } from '../lab/load/presets.js';
import type { VirtualClock } from '../lab/time/clock.js';
import { buildDashboard } from './build-dashboard.js';
import { createMemoryTerminal } from './memory-terminal.js';

export interface DashboardCostOptions {
  /** Seconds of history in the series. @default 3600 */
  rows?: number;
  /** Frames measured (after 10 warm-up frames). @default 40 */
  frames?: number;
  /** Terminal size. @default 200 x 60 */
  cols?: number;
  lines?: number;
  /** Frames per second the CPU share is computed for. @default 4 */
  fps?: number;
  /** Seeds the lab run. @default 1 */
  seed?: number;
}

export interface DashboardCost {
  /** CPU milliseconds (user + system) per frame, drawing and writing included. */
  msPerFrame: number;
  /** Wall milliseconds per frame. */
  wallMsPerFrame: number;
  /** Share of one core at `fps` frames per second, in percent. */
  cpuPct: number;
  fps: number;
  rows: number;
  frames: number;
  cols: number;
  lines: number;
  /** Log lines the lab wrote during the measured frames, per frame (how busy the stream was). */
  logLinesPerFrame: number;
}

const WARM_UP_FRAMES = 10;
/** Scenario seconds into seed-article at the first measured frame: its ramp to the peak, at about 10/s. */
const STORM_S = 600;

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** `--scenario` for seed-article that reaches STORM_S after `rows` seconds in all. */
function scenarioFor(dir: string, rows: number): string {
  const quietS = rows - STORM_S;
  if (quietS <= 0) return 'seed-article';
  const file = join(dir, 'quiet-then-seed-article.json');
  const phases = [{ pause: quietS, name: 'Quiet' }, ...PRESETS['seed-article']!];
  writeFileSync(file, JSON.stringify({ config: { phases } }));
  return file;
}

export async function measureDashboardCost(options: DashboardCostOptions = {}): Promise<DashboardCost> {
  const rows = options.rows ?? 3600;
  const frames = Math.max(1, options.frames ?? 40);
  const cols = options.cols ?? 200;
  const lines = options.lines ?? 60;
  const fps = options.fps ?? 4;
  const dir = mkdtempSync(join(tmpdir(), 'stormlab-cost-'));
  const session = await LiveLabSession.start(
    labOptionsWith({
      engine: 'virtual',
      seed: options.seed ?? 1,
      seedGiven: true,
      scenario: scenarioFor(dir, rows),
      logFile: 'none',
      report: join(dir, 'report.json'),
    }),
    { watched: true, virtual: { manual: true } },
  );
  const clock = session.current.clock as VirtualClock;
  const term = createMemoryTerminal(cols, lines, false);
  const dash = buildDashboard(term.screen, session);
  try {
    await clock.advance(rows * 1000);
    // Warm-up: the first frames pay for compiling the code, which a running dashboard pays once.
    for (let i = 0; i < WARM_UP_FRAMES; i++) {
      await clock.advance(1000);
      dash.frame();
      await tick();
    }
    const linesBefore = session.current.logs.lines;
    let cpuUs = 0;
    let wallMs = 0;
    for (let i = 0; i < frames; i++) {
      await clock.advance(1000); // the lab's work, not the dashboard's: outside the measurement
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      dash.frame();
      await tick();
      const c = process.cpuUsage(c0);
      wallMs += performance.now() - w0;
      cpuUs += c.user + c.system;
    }
    const msPerFrame = cpuUs / 1000 / frames;
    return {
      msPerFrame,
      wallMsPerFrame: wallMs / frames,
      cpuPct: (msPerFrame * fps) / 10,
      fps,
      rows,
      frames,
      cols,
      lines,
      logLinesPerFrame: (session.current.logs.lines - linesBefore) / frames,
    };
  } finally {
    dash.dispose();
    term.screen.destroy();
    await session.finish('quit').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
