import { ConfigError } from './config/config-error.js';
import { helpText, parseLabOptions, type LabOptions } from './config/parse-options.js';
import { preflight } from './preflight.js';
import { runHeadless } from './headless.js';
import { runCompare } from './compare.js';
import { LiveLabSession } from './lab-session.js';
import type { ClusterLabSession } from './cluster/cluster-session.js';
import { clusterSummary } from './cluster/cluster-summary.js';
import { startRunMetrics } from './metrics/prometheus/run-metrics.js';
import { STOP_GRACE_REAL_MS } from './finish-run.js';
import { runSweepCli, sweepGrid } from './sweep/sweep-command.js';
import type { Grid } from './sweep/sweep-grid.js';
import { anyCrossed, thresholdSummary, THRESHOLD_EXIT_CODE } from './thresholds/evaluate-thresholds.js';

const USAGE = `usage: npm run lab [-- options]            the dashboard (headless when --headless or stdout is not a terminal)
       npm run lab -- compare [options]    the same seeded scenario per configuration (--configs), side by side
       npm run lab -- sweep --vary NAME=FROM:TO:STEP [--vary NAME=A,B,C] [options]
                                           one virtual run per cell of a grid, in parallel; phase map

options:
${helpText('lab')}
`;

/** Exit codes: 0 done, 1 crashed, 2 bad input, 99 a --threshold crossed, 130 SIGINT, 143 SIGTERM. */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
/**
 * Real ms a stop asked for by a signal may take in all (grace, closing threads and servers, the report)
 * before the process exits anyway: a supervisor's SIGTERM must end the process even if a part hangs.
 */
const STOP_DEADLINE_REAL_MS = STOP_GRACE_REAL_MS + 15_000;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let options: LabOptions;
  let grid: Grid | undefined;
  try {
    options = parseLabOptions(argv);
    // A sweep's axes are checked against the other options before anything starts.
    if (options.command === 'sweep') grid = sweepGrid(options);
    await preflight(options);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`stormlab: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
  if (
    options.command === 'compare' ||
    options.command === 'sweep' ||
    options.headless ||
    !process.stdout.isTTY
  ) {
    if (options.command === 'run' && !options.headless) {
      process.stderr.write(
        'stormlab: stdout is not a terminal, so the run is headless (--headless says so outright)\n',
      );
    }
    return runWithoutDashboard(options, grid);
  }
  return runWithDashboard(options);
}

async function runWithoutDashboard(options: LabOptions, grid?: Grid): Promise<number> {
  const abort = new AbortController();
  let signalled: string | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      process.stderr.write(`stormlab: second ${signal}, exiting at once\n`);
      process.exit(SIGNAL_EXIT[signal] ?? 1);
    }
    signalled = signal;
    process.stderr.write(
      `stormlab: ${signal}: stopping the load, finishing in-flight work, writing the report (again to exit at once)\n`,
    );
    setTimeout(() => {
      process.stderr.write(
        `stormlab: still stopping after ${STOP_DEADLINE_REAL_MS} ms, exiting without the rest\n`,
      );
      process.exit(SIGNAL_EXIT[signal] ?? 1);
    }, STOP_DEADLINE_REAL_MS).unref();
    abort.abort(new Error(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const io = { stdout: process.stdout, stderr: process.stderr };
  let crossed: boolean;
  if (options.command === 'compare') {
    const { reports } = await runCompare(options, io, abort.signal);
    crossed = Object.values(reports).some((r) => anyCrossed(r?.thresholds));
  } else if (options.command === 'sweep') {
    const sweep = await runSweepCli(options, io, abort.signal, grid);
    crossed = sweep.cells.some((c) => anyCrossed(c.thresholds));
  } else {
    crossed = anyCrossed((await runHeadless(options, io, abort.signal)).report.thresholds);
  }
  if (signalled) return SIGNAL_EXIT[signalled] ?? 1;
  return crossed ? THRESHOLD_EXIT_CODE : 0;
}

async function runWithDashboard(options: LabOptions): Promise<number> {
  const { runDashboard } = await import('../tui/dashboard.js');
  let session: LiveLabSession | ClusterLabSession;
  try {
    // Loaded only for a cluster, as in headless runs.
    session = options.cluster
      ? await (await import('./cluster/cluster-session.js')).ClusterLabSession.start(options)
      : await LiveLabSession.start(options);
  } catch (err) {
    // A cluster's refusal (Redis unreachable, a name in use, other settings) comes before the screen.
    if (err instanceof ConfigError) {
      process.stderr.write(`stormlab: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
  // The dashboard owns the terminal: the endpoint's address goes to the log pane and the run's log.
  const metrics = await startRunMetrics(options, session, (line) => session.current.event('INFO', line));
  let outcome: Awaited<ReturnType<typeof runDashboard>>;
  try {
    outcome = await runDashboard(session, { fps: options.fps });
  } catch (err) {
    outcome = { reason: 'error', error: err };
  }
  const endedBy = outcome.reason === 'quit' ? 'quit' : outcome.reason === 'signal' ? 'signal' : 'error';
  const report = await session.finish(endedBy, outcome.reason === 'quit' ? 0 : STOP_GRACE_REAL_MS);
  await metrics?.close();
  process.stdout.write(`report written to ${session.current.files.report}\n`);
  process.stdout.write(
    `delivered ${report.orders.delivered} of ${report.orders.accepted} orders, lost ${report.orders.lost}; logs in ${report.logs.file}\n`,
  );
  if (options.cluster) process.stdout.write(clusterSummary(report) + '\n');
  const verdicts = thresholdSummary(report.thresholds);
  if (verdicts) process.stdout.write(verdicts + '\n');
  if (outcome.reason === 'error') {
    process.stderr.write(
      `stormlab: the dashboard failed: ${String((outcome as { error?: unknown }).error)}\n`,
    );
    return 1;
  }
  if (outcome.reason === 'signal')
    return SIGNAL_EXIT[(outcome as { signal?: string }).signal ?? 'SIGTERM'] ?? 143;
  return anyCrossed(report.thresholds) ? THRESHOLD_EXIT_CODE : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Bad input found only once the run started (a port taken since the preflight): still one line, exit 2.
    if (err instanceof ConfigError) {
      process.stderr.write(`stormlab: ${err.message}\n`);
      process.exit(err.exitCode);
    }
    process.stderr.write(`stormlab: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
