/**
 * What drawing the dashboard costs, for the bench's `headroom.dashboardCpuPct`: frames rendered into an
 * in-memory terminal from a synthetic session with `rows` seconds of history, one new second and its log
 * lines per frame (so no frame is served from a cache), with the event loop turning between frames as it
 * does live (blessed flushes its output on the next tick).
 */
import { buildDashboard } from './build-dashboard.js';
import { createMemoryTerminal } from './memory-terminal.js';
import { SyntheticSession } from './synthetic-session.js';

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
}

const WARM_UP_FRAMES = 10;

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function measureDashboardCost(options: DashboardCostOptions = {}): Promise<DashboardCost> {
  const rows = options.rows ?? 3600;
  const frames = Math.max(1, options.frames ?? 40);
  const cols = options.cols ?? 200;
  const lines = options.lines ?? 60;
  const fps = options.fps ?? 4;
  const term = createMemoryTerminal(cols, lines, false);
  // Starts in the storm's steepest phase, so the log pane samples a busy stream.
  const session = new SyntheticSession({ historyS: rows, maxCourierLinesPerS: 400 });
  const dash = buildDashboard(term.screen, session);
  try {
    // Warm-up: the first frames pay for compiling the code, which a running dashboard pays once.
    for (let i = 0; i < WARM_UP_FRAMES; i++) {
      session.advance(1);
      dash.frame();
      await tick();
    }
    let cpuUs = 0;
    let wallMs = 0;
    for (let i = 0; i < frames; i++) {
      session.advance(1); // the lab's work, not the dashboard's: outside the measurement
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
    };
  } finally {
    dash.dispose();
    term.screen.destroy();
  }
}
