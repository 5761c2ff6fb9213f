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

/** How many scheduled gaps late an arrival may be held back to pace a catch-up (see sendAt). */
export const PACED_LAG_GAPS = 4;

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
  /** The scheduled time of the last arrival taken, and when the last one was sent (elapsed ms). */
  private lastDue: number | undefined;
  private lastSentAt: number | undefined;

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

  /**
   * When an arrival due at `due` goes out: at `due`, but no sooner than half its scheduled gap after the
   * last one sent, unless that would leave it more than PACED_LAG_GAPS gaps late. A generator that could
   * not run for a while (a host stall, which `--speed` magnifies: 10 ms is 100 scenario ms at speed 10)
   * then sends what fell due meanwhile paced, catching up at twice the rate, instead of at once, in a burst
   * the scenario never had. On a virtual clock nothing is ever late, and every arrival goes at `due`.
   */
  private sendAt(due: number): number {
    if (this.lastDue === undefined || this.lastSentAt === undefined) return due;
    const gap = due - this.lastDue;
    return Math.min(Math.max(due, this.lastSentAt + gap / 2), due + PACED_LAG_GAPS * gap);
  }

  /** Sends (or, paused, skips) every arrival whose time (sendAt) is at or before `now`. */
  private release(now: number): void {
    for (
      let due = this.schedule.peek();
      due !== undefined && this.sendAt(due) <= now;
      due = this.schedule.peek()
    ) {
      if (this.state !== 'running') return;
      this.schedule.take();
      this.lastDue = due;
      if (this.paused) {
        this.skippedCount++;
        continue;
      }
      this.lastSentAt = now;
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
    const next = this.schedule.peek();
    const target = next === undefined ? this.schedule.totalMs : this.sendAt(next);
    this.armedFor = target;
    // From absolute clock times: on a virtual clock the timer then lands on origin + target to the bit.
    this.timer = this.clock.setTimeout(
      () => this.tick(),
      Math.max(0, this.originMs + target - this.clock.now()),
    );
  }
}
