import type { Writable } from 'node:stream';
import type { LabOptions } from './config/parse-options.js';
import type { LabRun } from './run/lab-run.js';
import { createRun } from './run/create-run.js';
import type { ClusterRun } from './cluster/cluster-run.js';
import { clusterSummary } from './cluster/cluster-summary.js';
import { finishRun, STOP_GRACE_REAL_MS } from './finish-run.js';
import type { RunReport } from './report/build-report.js';
import { clockText, formatTable, summaryRows } from './report/summary-table.js';
import { FIDELITY_WARNING_P99_MS } from './metrics/host-monitor.js';
import { htmlPathFor, tryWriteHtml, writeRunHtml } from './report/html/write-html.js';
import { thresholdSummary } from './thresholds/evaluate-thresholds.js';
import { startAbortOnFail } from './thresholds/abort-on-fail.js';
import { startRunMetrics } from './metrics/prometheus/run-metrics.js';
import type { MetricsServer } from './metrics/prometheus/metrics-server.js';

export interface HeadlessIo {
  stdout: Writable;
  stderr: Writable;
}

export interface HeadlessResult {
  report: RunReport;
  reportFile: string;
  /** How the run ended: 'finished', 'aborted' by a signal, or stopped by `--abort-on-fail`. */
  ended: 'finished' | 'aborted' | 'threshold';
}

/** One progress line: what a person watching stderr needs each scenario minute. */
export function progressLine(lab: LabRun): string {
  const s = lab.snapshot();
  const o = s.orders;
  const by = s.courier.byStatus;
  const phase = s.phase ? ` ${s.phase.name || `phase ${s.phase.index + 1}`}` : '';
  return (
    `[${clockText(s.t)}]${phase} mode ${s.mode} | load ${s.loadRate.toFixed(1)}/s | concurrency ${s.concurrency.total} ` +
    `(peak ${s.concurrency.peak}) | accepted ${o.accepted} delivered ${o.delivered} lost ${o.lost} ` +
    `dlq ${o.deadLettered} in flight ${o.inFlight} | queue ${s.queue.visible}+${s.queue.inFlight} | ` +
    `courier 200:${by['200'] ?? by['2xx'] ?? 0} 429:${by['429'] ?? 0} 5xx:${(by['502'] ?? 0) + (by['504'] ?? 0) + (by['5xx'] ?? 0)}`
  );
}

/**
 * A run without the dashboard: the ingress line on stdout, a progress line each scenario minute on stderr,
 * a summary table and the report at the end. `signal` stops it early (the report is still written).
 */
export async function runHeadless(
  options: LabOptions,
  io: HeadlessIo,
  signal?: AbortSignal,
  fileSuffix = '',
): Promise<HeadlessResult> {
  // Loaded only for a cluster: BullMQ, bottleneck and ioredis would slow every other start of the command.
  const cluster: ClusterRun | undefined = options.cluster
    ? await (await import('./cluster/cluster-run.js')).ClusterRun.start(options, { fileSuffix })
    : undefined;
  const lab = cluster?.run ?? createRun(options, { fileSuffix });
  const onAbort = (): void => lab.load?.stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  let metrics: MetricsServer | undefined;
  try {
    await lab.start();
    if (lab.engine.ingressUrl) io.stdout.write(`ingress listening on ${lab.engine.ingressUrl}\n`);
    metrics = await startRunMetrics(options, lab, (line) => io.stdout.write(line + '\n'));
    const pace = options.engine === 'virtual' ? 'as fast as it goes' : `speed ${options.speed}`;
    io.stderr.write(
      `stormlab: scenario ${lab.scenario.name}, mode ${options.mode}, engine ${options.engine}, ${pace}, seed ${options.seed}` +
        `${options.seedGiven ? '' : ' (random)'}; logs ${lab.files.log ?? 'off'}\n`,
    );
    if (cluster) io.stderr.write((await cluster.started()) + '\n');
    // One line per scenario minute; a timer that fires a hair early waits for its minute rather than print twice.
    let nextMinute = 1;
    const minute = (): void => {
      if (lab.lifecycle === 'stopped') return;
      if (lab.clock.now() >= nextMinute * 60_000 - 1) {
        io.stderr.write(progressLine(lab) + '\n');
        nextMinute = Math.floor(lab.clock.now() / 60_000) + 1;
      }
      lab.clock.setTimeout(minute, Math.max(1, nextMinute * 60_000 - lab.clock.now()));
    };
    lab.clock.setTimeout(minute, 60_000);
    const abortOnFail = startAbortOnFail(lab, io.stderr);
    const runEnded = await lab.runToEnd(abortOnFail.signal(signal));
    abortOnFail.stop();
    const ended = abortOnFail.crossed && !signal?.aborted ? 'threshold' : runEnded;
    const report = await finishRun(
      lab,
      ended === 'finished'
        ? lab.options.drainS > 0
          ? 'drain'
          : 'load-finished'
        : ended === 'aborted'
          ? 'signal'
          : 'threshold',
      ended === 'aborted' ? STOP_GRACE_REAL_MS : 0,
    );
    io.stdout.write('\n' + formatTable(['', options.mode], summaryRows(report)) + '\n');
    if (cluster) io.stdout.write(clusterSummary(report) + '\n');
    const verdicts = thresholdSummary(report.thresholds);
    if (verdicts) io.stdout.write(verdicts + '\n');
    if (options.engine === 'threads' && report.host.eventLoopDelayP99Ms > FIDELITY_WARNING_P99_MS) {
      io.stderr.write(
        `stormlab: warning: the lab's main thread ran late (event-loop delay p99 ${report.host.eventLoopDelayP99Ms} ms); ` +
          `timings are less faithful at this speed on this machine; try a lower --speed\n`,
      );
    }
    io.stdout.write(`report written to ${lab.files.report}\n`);
    const html = tryWriteHtml(() => writeRunHtml(report, htmlPathFor(lab.files.report)), io.stderr);
    if (html) io.stdout.write(`html report written to ${html}\n`);
    await metrics?.close(options.metricsLingerS);
    return { report, reportFile: lab.files.report, ended };
  } catch (err) {
    // Whatever broke, keep what the run had: stop the parts, write the report so far, then rethrow.
    await finishRun(lab, `error: ${(err as Error)?.message ?? String(err)}`).catch(() => undefined);
    throw err;
  } finally {
    await metrics?.close();
    signal?.removeEventListener('abort', onAbort);
    await cluster?.leave();
  }
}
