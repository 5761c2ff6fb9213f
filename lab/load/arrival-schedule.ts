/**
 * When each arrival of a scenario happens, exactly, in scenario milliseconds from the scenario's start.
 *
 * Within a phase the arrivals sit where the phase's cumulative count N(t) (the integral of its rate) reaches
 * 0, 1, 2, ...: a constant rate r gives one every 1000/r ms from the phase start, a linear ramp a -> b over
 * d seconds solves a*t + (b-a)*t^2/(2d) = n, `arrivalCount` N gives one every d/N seconds, a pause none. A
 * phase therefore holds ceil(N(d)) arrivals: d*r for a constant rate, d*(a+b)/2 (rounded up) for a ramp.
 * Every phase starts its own count, as Artillery starts each phase afresh.
 *
 * The rate factor (the dashboard's + and -) multiplies the rate from the moment it changes: the cursor keeps
 * the factored count reached at that moment and counts on from there with the new factor. Arrivals are
 * produced one at a time (`peek`, `take`), so the schedule is O(1) in memory whatever the load.
 */
import type { PhaseInfo } from '../lab-view.js';
import { phaseSeconds, type Phase } from './phases.js';

interface Plan {
  index: number;
  name: string;
  startMs: number;
  durationS: number;
  /** Rate at the phase start and end, arrivals per scenario second (before the factor). */
  from: number;
  to: number;
  /** Set for an `arrivalCount` phase, whose times are computed from the count for exactness. */
  count: number | undefined;
  /** N(d): arrivals the phase's rate integrates to (before the factor). */
  total: number;
}

/** Where a scenario time falls: the phase and seconds into it. */
export interface LoadPhaseInfo extends PhaseInfo {
  /** Index from 0 (show `index + 1`); `count` phases in all; `elapsedS`/`totalS` are of the whole scenario. */
  phaseElapsedS: number;
  phaseTotalS: number;
}

function planPhases(phases: readonly Phase[]): Plan[] {
  let startMs = 0;
  return phases.map((phase, index) => {
    const durationS = phaseSeconds(phase);
    let from = 0;
    let to = 0;
    let count: number | undefined;
    if (phase.pause === undefined) {
      if (phase.arrivalCount !== undefined) {
        count = phase.arrivalCount;
        from = to = count / durationS;
      } else {
        from = phase.arrivalRate ?? 0;
        to = phase.rampTo ?? from;
      }
    }
    const total = count ?? (durationS * (from + to)) / 2;
    const plan: Plan = {
      index,
      name: phase.name ?? `phase ${index + 1}`,
      startMs,
      durationS,
      from,
      to,
      count,
      total,
    };
    startMs += durationS * 1000;
    return plan;
  });
}

/** N(t): arrivals from the phase start to `s` seconds into it, before the factor. */
function cumulative(plan: Plan, s: number): number {
  if (s <= 0) return 0;
  if (s >= plan.durationS) return plan.total;
  return plan.from * s + ((plan.to - plan.from) * s * s) / (2 * plan.durationS);
}

/** The inverse of `cumulative`: milliseconds into the phase where N reaches `m` (0 <= m < total). */
function offsetMsOf(plan: Plan, m: number): number {
  if (m <= 0) return 0;
  if (plan.count !== undefined) return (m * plan.durationS * 1000) / plan.count;
  if (plan.from === plan.to) return (m * 1000) / plan.from;
  const slope = (plan.to - plan.from) / plan.durationS;
  // The root of (slope/2) t^2 + from t - m = 0 written as 2m / (from + sqrt(...)): no cancellation when the
  // slope is tiny, and no division by zero when the ramp starts at 0.
  const disc = Math.max(0, plan.from * plan.from + 2 * slope * m);
  return (2000 * m) / (plan.from + Math.sqrt(disc));
}

function rateOf(plan: Plan, s: number): number {
  return plan.from + ((plan.to - plan.from) * Math.min(Math.max(s, 0), plan.durationS)) / plan.durationS;
}

interface Next {
  ms: number;
  phase: number;
}

export class ArrivalSchedule {
  /** Scenario milliseconds from the start of the first phase to the end of the last. */
  readonly totalMs: number;
  private readonly plans: Plan[];
  /** Phase of the cursor, arrivals taken in it, and the factored count reached at `baseS` seconds into it. */
  private phase = 0;
  private takenInPhase = 0;
  private baseS = 0;
  private baseCount = 0;
  private currentFactor: number;
  private takenTotal = 0;
  private next: Next | undefined | null = null;

  constructor(phases: readonly Phase[], factor = 1) {
    checkFactor(factor);
    this.plans = planPhases(phases);
    const last = this.plans[this.plans.length - 1];
    this.totalMs = last ? last.startMs + last.durationS * 1000 : 0;
    this.currentFactor = factor;
  }

  get factor(): number {
    return this.currentFactor;
  }

  /** Arrivals taken so far. */
  get taken(): number {
    return this.takenTotal;
  }

  /** Scenario ms of the next arrival, or undefined when no arrival is left (at the current factor). */
  peek(): number | undefined {
    if (this.next === null) this.next = this.computeNext();
    return this.next?.ms;
  }

  /** Moves past the next arrival and returns its time. */
  take(): number | undefined {
    this.peek();
    const next = this.next;
    if (!next) return undefined;
    if (next.phase !== this.phase) {
      this.phase = next.phase;
      this.takenInPhase = 0;
      this.baseS = 0;
      this.baseCount = 0;
    }
    this.takenInPhase++;
    this.takenTotal++;
    this.next = null;
    return next.ms;
  }

  /**
   * Multiplies the rate by `factor` from `atMs` on. Call it with every arrival due before `atMs` taken (the
   * load generator catches up first); arrivals already due then stay due at once.
   */
  setFactor(factor: number, atMs: number): void {
    checkFactor(factor);
    if (factor === this.currentFactor) return;
    const { index, s } = this.locate(atMs);
    if (index < this.phase) {
      throw new RangeError(`setFactor at ${atMs} ms: before the arrivals already taken`);
    }
    const plan = this.plans[index];
    if (!plan) {
      this.phase = index;
    } else if (index > this.phase) {
      // The cursor had nothing left before this phase: count this phase from its start at the old factor.
      this.phase = index;
      this.takenInPhase = 0;
      this.baseCount = this.currentFactor * cumulative(plan, s);
      this.baseS = s;
    } else {
      this.baseCount += this.currentFactor * (cumulative(plan, s) - cumulative(plan, this.baseS));
      this.baseS = s;
    }
    this.currentFactor = factor;
    this.next = null;
  }

  /** The phase at scenario time `ms`, or undefined before the start and from the end on. */
  phaseAt(ms: number): LoadPhaseInfo | undefined {
    if (ms < 0 || ms >= this.totalMs) return undefined;
    const { index, s } = this.locate(ms);
    const plan = this.plans[index]!;
    return {
      index,
      count: this.plans.length,
      name: plan.name,
      elapsedS: ms / 1000,
      totalS: this.totalMs / 1000,
      phaseElapsedS: s,
      phaseTotalS: plan.durationS,
    };
  }

  /** Arrivals per scenario second aimed at, at scenario time `ms`, with the current factor. */
  rateAt(ms: number): number {
    if (ms < 0 || ms >= this.totalMs) return 0;
    const { index, s } = this.locate(ms);
    return rateOf(this.plans[index]!, s) * this.currentFactor;
  }

  private computeNext(): Next | undefined {
    if (this.currentFactor <= 0) return undefined;
    for (let index = this.phase; index < this.plans.length; index++) {
      const plan = this.plans[index]!;
      const own = index === this.phase;
      const k = own ? this.takenInPhase : 0;
      const baseS = own ? this.baseS : 0;
      const baseCount = own ? this.baseCount : 0;
      // The unfactored count at which the factored count reaches k; an overdue one is due at the re-base.
      const m = cumulative(plan, baseS) + Math.max(0, k - baseCount) / this.currentFactor;
      if (!(m < plan.total)) continue;
      const offset = Math.max(offsetMsOf(plan, m), baseS * 1000);
      return { ms: plan.startMs + offset, phase: index };
    }
    return undefined;
  }

  private locate(ms: number): { index: number; s: number } {
    const plans = this.plans;
    if (ms <= 0 || plans.length === 0) return { index: 0, s: 0 };
    // Binary search for the last phase starting at or before ms (scenarios have few phases; this is cheap).
    let lo = 0;
    let hi = plans.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (plans[mid]!.startMs <= ms) lo = mid;
      else hi = mid - 1;
    }
    const plan = plans[lo]!;
    const s = (ms - plan.startMs) / 1000;
    if (s >= plan.durationS) return { index: plans.length, s: 0 };
    return { index: lo, s };
  }
}

function checkFactor(factor: number): void {
  if (!Number.isFinite(factor) || factor < 0) {
    throw new RangeError(`load factor must be a finite number from 0, got ${factor}`);
  }
}

/** Arrivals a phase holds at factor 1. */
export function phaseArrivals(phase: Phase): number {
  const total = planPhases([phase])[0]!.total;
  return total > 0 ? Math.ceil(total) : 0;
}

/** Arrivals a scenario holds at factor 1. */
export function scenarioArrivals(phases: readonly Phase[]): number {
  return phases.reduce((sum, p) => sum + phaseArrivals(p), 0);
}

/** Every arrival time at factor 1, in scenario ms (for tests and small scenarios; bounded by `limit`). */
export function arrivalTimes(phases: readonly Phase[], limit = 1_000_000): number[] {
  const schedule = new ArrivalSchedule(phases);
  const times: number[] = [];
  for (let ms = schedule.take(); ms !== undefined && times.length < limit; ms = schedule.take())
    times.push(ms);
  return times;
}
