import type { LabOptions } from '../config/parse-options.js';
import type { Mode } from '../config/option-spec.js';
import { finishRun, writeSnapshotReport } from '../finish-run.js';
import type { LabSession, LabSnapshot, LogListener, SeriesRow } from '../lab-view.js';
import type { RunReport } from '../report/build-report.js';
import type { LabRun } from '../run/lab-run.js';
import { ClusterRun } from './cluster-run.js';

/**
 * The dashboard's handle on a cluster node (`--cluster` without `--headless`): the node's own run, with the
 * cluster's orders in its snapshot, and its keys made cluster-wide: a mode switch, a load change, a pause, the
 * queue's MaximumConcurrency and the throttle's rate reach every node. What stays this node's: the series and
 * charts (its own invocations and courier answers), the logs, snapshots. A restart is refused: the nodes
 * share one scenario clock only if they start together.
 */
export class ClusterLabSession implements LabSession {
  private snapshots = 0;

  private constructor(readonly cluster: ClusterRun) {}

  /** Joins (or is refused, exit 2, with nothing started), then starts the node's run. */
  static async start(options: LabOptions): Promise<ClusterLabSession> {
    const cluster = await ClusterRun.start(options, { watched: true });
    try {
      await cluster.run.start();
      for (const line of (await cluster.started()).split('\n')) {
        cluster.run.event('INFO', line.replace(/^stormlab: /, ''));
      }
    } catch (err) {
      await finishRun(cluster.run, `error: ${String(err)}`).catch(() => undefined);
      await cluster.leave();
      throw err;
    }
    return new ClusterLabSession(cluster);
  }

  get options(): LabOptions {
    return this.cluster.run.options;
  }

  get current(): LabRun {
    return this.cluster.run;
  }

  /** This node's snapshot, with the cluster's orders as last read (every 100 ms) in place of its own. */
  snapshot(): LabSnapshot {
    const s = this.cluster.run.snapshot();
    const t = this.cluster.totals;
    if (!t) return s;
    const { accepted, delivered, lost, deadLettered, inFlight, rejected } = t;
    return { ...s, orders: { accepted, delivered, lost, deadLettered, inFlight, rejected } };
  }

  series(): readonly SeriesRow[] {
    return this.cluster.run.series();
  }

  subscribeLogs(listener: LogListener): () => void {
    return this.cluster.run.logs.subscribe(listener);
  }

  setMode(mode: Mode): void {
    // The run's mode event publishes it to the other nodes.
    this.cluster.run.setMode(mode);
  }

  /** `factor` is this node's (the dashboard steps its own); the others scale their shares alike. */
  setLoadFactor(factor: number): void {
    void this.cluster.change({ kind: 'load', value: factor / this.options.loadFactor });
  }

  setLoadPaused(paused: boolean): void {
    void this.cluster.change({ kind: 'paused', value: paused });
  }

  setQueueConcurrency(n: number): void {
    void this.cluster.change({ kind: 'queue-concurrency', value: n });
  }

  setThrottleRate(rate: number): void {
    void this.cluster.change({ kind: 'throttle-rate', value: rate });
  }

  restart(): Promise<void> {
    return Promise.reject(
      new Error('not in a cluster: stop every node and start them again to restart the run'),
    );
  }

  writeSnapshot(): Promise<string> {
    const run = this.cluster.run;
    const path = run.files.report.replace(/\.json$/, '') + `-snapshot-${++this.snapshots}.json`;
    return writeSnapshotReport(run, path);
  }

  /** Ends the run, writes its report (with the cluster's fields), and leaves the cluster. */
  async finish(endedBy: string, graceRealMs = 0): Promise<RunReport> {
    try {
      return await finishRun(this.cluster.run, endedBy, graceRealMs);
    } finally {
      await this.cluster.leave();
    }
  }
}
