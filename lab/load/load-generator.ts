/**
 * Drives a scenario's arrivals on a Clock: one timer at a time, set for the next arrival. When a timer fires
 * late (a busy event loop at high speed), every arrival already due is sent at once, and the next timer is
 * set from the schedule, never from the previous firing, so the load never drifts.
 */
import type { Clock, Timer } from '../time/clock.js';
import { ArrivalSchedule, scenarioArrivals, type LoadPhaseInfo } from './arrival-schedule.js';
import type { Phase } from './phases.js';

export interface LoadGeneratorOptions {
  clock: Clock;
  scenario: { name?: string; phases: readonly Phase[] };
  /** Called once per arrival; fire-and-forget (start the request, do not wait for it). */
  send: () => void;
  /** Called when `send` throws; the load goes on. Without it the error is counted only. */
  onSendError?: (err: unknown) => void;
  /** Initial rate factor; 1 = as written. */
  factor?: number;
}

export type LoadState = 'idle' | 'running' | 'done' | 'stopped';

export interface LoadSnapshot {
  state: LoadState;
  /** Scenario seconds since `start()` (frozen once done or stopped). */
  t: number;
  phase: LoadPhaseInfo | undefined;
  /** Arrivals per scenario second aimed at now, factor included (0 while paused). */
  rate: number;
  factor: number;
  paused: boolean;
  /** Arrivals handed to `send`. */
  sent: number;
  /** Arrivals that fell due while paused and were dropped. */
  skipped: number;
  sendErrors: number;
  /** Arrivals the scenario holds at factor 1. */
  planned: number;
  totalS: number;
}

export class LoadGenerator {
  /** Resolves when the last phase ends, or at `stop()`. */
  readonly done: Promise<void>;
  private readonly clock: Clock;
  private readonly schedule: ArrivalSchedule;
  private readonly send: () => void;
  private readonly onSendError: ((err: unknown) => void) | undefined;
  private readonly planned: number;
  private state: LoadState = 'idle';
  private originMs = 0;
  private endedAtMs = 0;
  private timer: Timer | undefined;
  /** Scenario ms the armed timer is for: when it fires, what was due then is due, whatever rounding says. */
  private armedFor = 0;
  private paused = false;
  private sentCount = 0;
  private skippedCount = 0;
  private errorCount = 0;
  private resolveDone!: () => void;

  constructor(options: LoadGeneratorOptions) {
    this.clock = options.clock;
    this.schedule = new ArrivalSchedule(options.scenario.phases, options.factor ?? 1);
    this.send = options.send;
    this.onSendError = options.onSendError;
    this.planned = scenarioArrivals(options.scenario.phases);
    this.done = new Promise<void>((resolve) => {
      this.resolveDone = resolve;
    });
  }

  get sent(): number {
    return this.sentCount;
  }

  get skipped(): number {
    return this.skippedCount;
  }

  get totalMs(): number {
    return this.schedule.totalMs;
  }

  /** Scenario time 0 is now. */
  start(): void {
    if (this.state !== 'idle') throw new Error(`LoadGenerator.start: already ${this.state}`);
    this.state = 'running';
    this.originMs = this.clock.now();
    this.tick();
  }

  /** Multiplies the written rate by `factor` (>= 0) from now on. */
  setFactor(factor: number): void {
    if (this.state === 'running') {
      const now = this.elapsedMs();
      this.release(now);
      this.schedule.setFactor(factor, now);
      this.arm();
    } else {
      this.schedule.setFactor(factor, this.state === 'idle' ? 0 : this.schedule.totalMs);
    }
  }

  /** While paused, arrivals that fall due are dropped and the schedule moves on. */
  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    if (this.state === 'running') this.release(this.elapsedMs());
    this.paused = paused;
  }

  stop(): void {
    if (this.state === 'done' || this.state === 'stopped') return;
    this.endedAtMs = this.state === 'running' ? this.elapsedMs() : 0;
    this.state = 'stopped';
    this.timer?.cancel();
    this.timer = undefined;
    this.resolveDone();
  }

  snapshot(): LoadSnapshot {
    const ms = this.state === 'running' ? this.elapsedMs() : this.endedAtMs;
    const live = this.state === 'running';
    return {
      state: this.state,
      t: ms / 1000,
      phase: live ? this.schedule.phaseAt(ms) : undefined,
      rate: live && !this.paused ? this.schedule.rateAt(ms) : 0,
      factor: this.schedule.factor,
      paused: this.paused,
      sent: this.sentCount,
      skipped: this.skippedCount,
      sendErrors: this.errorCount,
      planned: this.planned,
      totalS: this.schedule.totalMs / 1000,
    };
  }

  private elapsedMs(): number {
    return this.clock.now() - this.originMs;
  }

  private tick(): void {
    this.timer = undefined;
    if (this.state !== 'running') return;
    const now = Math.max(this.elapsedMs(), this.armedFor);
    this.release(now);
    if (this.state !== 'running') return; // `send` may stop the load
    if (now >= this.schedule.totalMs && this.schedule.peek() === undefined) {
      this.endedAtMs = this.schedule.totalMs;
      this.state = 'done';
      this.resolveDone();
      return;
    }
    this.arm();
  }

  /** Sends (or, paused, skips) every arrival due at or before `now`. */
  private release(now: number): void {
    for (let due = this.schedule.peek(); due !== undefined && due <= now; due = this.schedule.peek()) {
      if (this.state !== 'running') return;
      this.schedule.take();
      if (this.paused) {
        this.skippedCount++;
        continue;
      }
      this.sentCount++;
      try {
        this.send();
      } catch (err) {
        this.errorCount++;
        this.onSendError?.(err);
      }
    }
  }

  /** One timer: for the next arrival, or for the end of the last phase when no arrival is left. */
  private arm(): void {
    this.timer?.cancel();
    const target = this.schedule.peek() ?? this.schedule.totalMs;
    this.armedFor = target;
    // From absolute clock times: on a virtual clock the timer then lands on origin + target to the bit.
    this.timer = this.clock.setTimeout(
      () => this.tick(),
      Math.max(0, this.originMs + target - this.clock.now()),
    );
  }
}
