import type { LabOptions } from './config/parse-options.js';
import type { Mode } from './config/option-spec.js';
import type { LabRun } from './run/lab-run.js';
import { createRun, type RunSetup } from './run/create-run.js';
import { finishRun, writeSnapshotReport } from './finish-run.js';
import type { RunReport } from './report/build-report.js';
import type { LabSession, LabSnapshot, LogListener, SeriesRow } from './lab-view.js';

/**
 * The dashboard's handle on the lab: the current run, which `restart()` replaces by a fresh one with the
 * same options. Log listeners follow the session across restarts.
 */
export class LiveLabSession implements LabSession {
  readonly options: LabOptions;
  private lab: LabRun;
  private readonly setup: RunSetup;
  private readonly listeners = new Set<LogListener>();
  private unsubscribe: () => void = () => {};
  private runs = 0;
  private snapshots = 0;

  private constructor(options: LabOptions, setup: RunSetup) {
    this.options = options;
    this.setup = setup;
    this.lab = this.newLab();
  }

  /** Starts a watched run (the virtual engine paces time to the wall clock at --speed). */
  static async start(options: LabOptions, setup: RunSetup = { watched: true }): Promise<LiveLabSession> {
    const session = new LiveLabSession(options, setup);
    await session.lab.start();
    return session;
  }

  get current(): LabRun {
    return this.lab;
  }

  snapshot(): LabSnapshot {
    return this.lab.snapshot();
  }

  series(): readonly SeriesRow[] {
    return this.lab.series();
  }

  subscribeLogs(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setMode(mode: Mode): void {
    this.lab.setMode(mode);
  }

  setLoadFactor(factor: number): void {
    this.lab.load?.setFactor(factor);
  }

  setLoadPaused(paused: boolean): void {
    this.lab.load?.setPaused(paused);
  }

  setQueueConcurrency(n: number): void {
    this.lab.pipeline.setQueueConcurrency(n);
  }

  setThrottleRate(rate: number): void {
    this.lab.setThrottleRate(rate);
  }

  async restart(): Promise<void> {
    const old = this.lab;
    this.unsubscribe();
    await finishRun(old, 'restart');
    this.lab = this.newLab();
    await this.lab.start();
  }

  async writeSnapshot(): Promise<string> {
    const path = this.lab.files.report.replace(/\.json$/, '') + `-snapshot-${++this.snapshots}.json`;
    return writeSnapshotReport(this.lab, path);
  }

  /** Ends the current run and writes its report. */
  finish(endedBy: string, graceRealMs = 0): Promise<RunReport> {
    this.unsubscribe();
    return finishRun(this.lab, endedBy, graceRealMs);
  }

  private newLab(): LabRun {
    // Each restart gets its own files, so the first run's report and logs are kept.
    const lab = createRun(this.options, {
      ...this.setup,
      fileSuffix: this.runs++ === 0 ? '' : `-run${this.runs}`,
    });
    this.unsubscribe = lab.logs.subscribe((record) => {
      for (const listener of this.listeners) listener(record);
    });
    return lab;
  }
}
