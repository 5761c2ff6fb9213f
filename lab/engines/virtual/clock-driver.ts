/**
 * Moves a VirtualClock forward for the virtual engine: as fast as the CPU allows (headless), or paced so that
 * scenario time follows the wall clock at `speed` (under the dashboard).
 *
 * Every timer fires from a setImmediate callback of its own: Node drains the microtask and nextTick queues
 * between two immediates, so whatever a timer's callback set going (promise chains, awaits) has run before
 * the next timer fires, exactly as on a real clock, and without a full event-loop turn per timer (a turn
 * costs about ten times more). After each batch the loop turns once, so log writes and a dashboard's
 * keys and frames get their turn.
 */
import type { VirtualClock } from '../../time/clock.js';

export type DriverPace = { kind: 'fast' } | { kind: 'paced'; speed: number };

/** Timers fired per event-loop turn at most. */
const BATCH = 512;
/** Real ms a paced batch may spend before yielding to the dashboard, even if it is behind. */
const PACED_SLICE_MS = 12;
/** Real ms a paced driver sleeps when nothing is due (keeps the clock's `now` moving smoothly). */
const PACED_IDLE_MS = 4;

export class ClockDriver {
  private readonly clock: VirtualClock;
  private pace: DriverPace;
  private running = false;
  private wallStart = 0;
  private scenarioStart = 0;
  private sliceEnd = 0;
  private limit = Infinity;
  private fired = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(clock: VirtualClock, pace: DriverPace) {
    this.clock = clock;
    this.pace = pace;
  }

  /** Timers fired so far. */
  get timersFired(): number {
    return this.fired;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.wallStart = performance.now();
    this.scenarioStart = this.clock.now();
    this.turn();
  }

  stop(): void {
    this.running = false;
    this.wakeIdle();
  }

  /** Resolves when no timer is left to fire (the run has nothing more to do). */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private target(): number {
    if (this.pace.kind === 'fast') return Infinity;
    return this.scenarioStart + (performance.now() - this.wallStart) * this.pace.speed;
  }

  private turn(): void {
    if (!this.running) return;
    this.limit = this.target();
    this.sliceEnd = this.pace.kind === 'paced' ? performance.now() + PACED_SLICE_MS : Infinity;
    const next = this.clock.nextAt();
    if (next === undefined) {
      this.wakeIdle();
      if (this.pace.kind === 'fast') return;
    }
    if (next === undefined || next > this.limit) {
      if (this.pace.kind === 'paced') {
        this.clock.idleTo(this.limit);
        setTimeout(() => this.turn(), PACED_IDLE_MS);
      }
      return;
    }
    for (let i = 0; i < BATCH; i++) setImmediate(this.fireOne);
    setImmediate(this.endBatch);
  }

  private readonly fireOne = (): void => {
    if (!this.running) return;
    if (this.pace.kind === 'paced' && performance.now() > this.sliceEnd) return;
    if (this.clock.fireNext(this.limit)) this.fired++;
  };

  private readonly endBatch = (): void => {
    if (!this.running) return;
    // Behind the wall clock under the dashboard: yield through a timer so input and frames go first.
    if (this.pace.kind === 'paced') setTimeout(() => this.turn(), 0);
    else this.turn();
  };

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
