/**
 * The goals the bench reports against (issue 6, and issue 5's dashboard cost), and how a run's figures
 * meet them. Pure, so that test/bench-goals.test.ts can check the verdicts.
 */
import type { Figures } from './bench-utils.js';

export type Verdict = 'met' | 'MISSED' | 'not judged' | 'not run';

export interface Goal {
  /** The figure's key in results.json. */
  key: string;
  /** The goal as a person reads it. */
  goal: string;
  /** True when the value meets the goal. */
  meets(value: number): boolean;
  /** A reason not to judge this run's value (e.g. quick mode measured something else), if any. */
  skip?(figures: Figures): string | undefined;
}

export interface GoalRow {
  key: string;
  goal: string;
  value: string;
  verdict: Verdict;
  note: string;
}

const atLeast = (min: number) => (v: number) => v >= min;
const atMost = (max: number) => (v: number) => v <= max;
const below = (max: number) => (v: number) => v < max;

/** The wall-time goal is about the 18-minute seed-article, which only --full runs. */
function notTheArticle(figures: Figures): string | undefined {
  const scenario = figures['speed.scenario'];
  if (typeof scenario === 'string' && scenario.startsWith('seed-article (')) return undefined;
  return 'quick mode runs a 60 s scenario, not the 18-minute seed-article: see --full';
}

export const GOALS: readonly Goal[] = [
  { key: 'courier.ratioVsBare', goal: '>= 0.8 of bare node:http (throttled)', meets: atLeast(0.8) },
  { key: 'functions.ratioVsPiscina', goal: '>= 0.5 of raw piscina', meets: atLeast(0.5) },
  { key: 'limiter.worstErrorPct.1', goal: '<= 1 % at speed 1', meets: atMost(1) },
  { key: 'limiter.worstErrorPct.10', goal: '<= 1 % at speed 10', meets: atMost(1) },
  { key: 'limiter.worstErrorPct.50', goal: '<= 1 % at speed 50', meets: atMost(1) },
  { key: 'speed.maxFaithful.none', goal: 'faithful at speed >= 50 (mode none)', meets: atLeast(50) },
  { key: 'speed.maxFaithful.queue', goal: 'faithful at speed >= 50 (mode queue)', meets: atLeast(50) },
  {
    key: 'speed.wallS.none.50',
    goal: '18-minute scenario < 30 s wall at speed 50 (none)',
    meets: below(30),
    skip: notTheArticle,
  },
  {
    key: 'speed.wallS.queue.50',
    goal: '18-minute scenario < 30 s wall at speed 50 (queue)',
    meets: below(30),
    skip: notTheArticle,
  },
  {
    key: 'virtual.wallS.none',
    goal: 'seed-article, virtual, mode none < 2 s wall (issue 10)',
    meets: below(2),
  },
  {
    key: 'virtual.wallS.queue',
    goal: 'seed-article, virtual, queue, --drain 7200 < 2 s wall',
    meets: below(2),
  },
  {
    key: 'virtual.wallS.throttle',
    goal: 'seed-article, virtual, throttle, --drain 7200 < 2 s wall',
    meets: below(2),
  },
  {
    key: 'headroom.eventLoopP99MsWithDashboard',
    goal: 'event-loop p99 < 20 ms at peak, dashboard on',
    meets: below(20),
  },
  { key: 'headroom.eventLoopP99Ms', goal: 'event-loop p99 < 20 ms at peak, no dashboard', meets: below(20) },
  { key: 'headroom.rssMiBAt10kInFlight', goal: '10,000 in flight < 1 GiB (1024 MiB)', meets: below(1024) },
  { key: 'headroom.dashboardCpuPct', goal: 'dashboard <= 10 % of one core (issue 5)', meets: atMost(10) },
];

/** One row per goal, judged on `figures` (the figures of this run only). */
export function judgeGoals(figures: Figures, goals: readonly Goal[] = GOALS): GoalRow[] {
  return goals.map((g) => {
    const value = figures[g.key];
    if (value === undefined) return { key: g.key, goal: g.goal, value: '-', verdict: 'not run', note: '' };
    if (typeof value !== 'number') {
      return { key: g.key, goal: g.goal, value: String(value), verdict: 'not judged', note: 'not a number' };
    }
    const skipped = g.skip?.(figures);
    if (skipped)
      return { key: g.key, goal: g.goal, value: String(value), verdict: 'not judged', note: skipped };
    return {
      key: g.key,
      goal: g.goal,
      value: String(value),
      verdict: g.meets(value) ? 'met' : 'MISSED',
      note: '',
    };
  });
}
