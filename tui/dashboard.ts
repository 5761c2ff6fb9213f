/**
 * The dashboard's entry: `runDashboard(session)` takes over the terminal until the user quits, a signal
 * arrives or something throws, then restores the terminal and resolves with why it ended. It never calls
 * `process.exit`: the caller (lab/cli.ts) writes the report, prints its path and chooses the exit code.
 */
import type { LabSession } from '../lab/lab-view.js';
import { buildDashboard, type Dashboard } from './build-dashboard.js';
import { captureStderr, createScreen } from './screen.js';

export { buildDashboard, type Dashboard, type DashboardOptions, type UiState } from './build-dashboard.js';
export { measureDashboardCost, type DashboardCost, type DashboardCostOptions } from './cost.js';

export type DashboardExitReason = 'quit' | 'signal' | 'error';

export interface DashboardExit {
  reason: DashboardExitReason;
  /** The signal, when `reason` is 'signal'. */
  signal?: NodeJS.Signals;
  /** What was thrown, when `reason` is 'error'. */
  error?: unknown;
}

export interface RunDashboardOptions {
  /** @default process.stdin */
  input?: NodeJS.ReadableStream;
  /** @default process.stdout */
  output?: NodeJS.WritableStream;
  /** Frames per real second. @default session.options.fps (4) */
  fps?: number;
  /**
   * Divert stderr into the log pane while the screen is up, and print it after the terminal is restored.
   * @default true when output is process.stdout and stderr is a terminal (they share the screen)
   */
  captureStderr?: boolean;
  /** Handle SIGTERM, SIGINT, SIGHUP and SIGQUIT (and uncaught errors) by restoring the terminal. @default true */
  handleProcessEvents?: boolean;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'];

export function runDashboard(session: LabSession, options: RunDashboardOptions = {}): Promise<DashboardExit> {
  const output = options.output ?? process.stdout;
  const fps = Math.max(1, Math.min(30, options.fps ?? session.options.fps ?? 4));
  const capture = options.captureStderr ?? (output === process.stdout && process.stderr.isTTY === true);
  const processEvents = options.handleProcessEvents ?? true;

  return new Promise<DashboardExit>((resolve) => {
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    let dash: Dashboard | undefined;
    let restoreStderr: (() => string[]) | undefined;
    const screen = createScreen({ input: options.input, output });

    const finish = (exit: DashboardExit): void => {
      if (finished) return;
      finished = true;
      if (timer) clearInterval(timer);
      if (processEvents) {
        for (const s of SIGNALS) process.removeListener(s, onSignal);
        process.removeListener('uncaughtException', onError);
        process.removeListener('unhandledRejection', onError);
      }
      dash?.dispose();
      try {
        // Leaves the alternate screen, shows the cursor, turns raw mode (and so echo) back.
        screen.destroy();
      } catch {
        // The terminal may be gone (SIGHUP); nothing left to restore.
      }
      const captured = restoreStderr?.() ?? [];
      if (captured.length > 0) process.stderr.write(captured.join(''));
      resolve(exit);
    };
    const onSignal = (signal: NodeJS.Signals): void => finish({ reason: 'signal', signal });
    const onError = (error: unknown): void => finish({ reason: 'error', error });
    if (processEvents) {
      // With our listeners present, blessed's own handlers step back instead of calling process.exit.
      for (const s of SIGNALS) process.on(s, onSignal);
      process.on('uncaughtException', onError);
      process.on('unhandledRejection', onError);
    }

    try {
      const d = buildDashboard(screen, session);
      dash = d;
      if (capture) {
        restoreStderr = captureStderr((text) => {
          for (const line of text.split('\n')) {
            if (line.trim())
              d.logs.note({
                level: 'WARN',
                message: `stderr: ${line.trim()}`,
                timestamp: new Date().toISOString(),
                service: 'stormlab',
              });
          }
        });
      }
      void d.quitRequested.then(() => finish({ reason: 'quit' }));
      const frame = (): void => {
        try {
          d.frame();
        } catch (error) {
          onError(error);
        }
      };
      // Referenced on purpose: the dashboard keeps the process up until the user quits.
      timer = setInterval(frame, 1000 / fps);
      frame();
    } catch (error) {
      onError(error);
    }
  });
}
