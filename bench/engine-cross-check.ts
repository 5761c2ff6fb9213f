/**
 * Engines checking each other (issue 10): the same seeded scenario on the threads engine and on the virtual
 * engine must give the same figures within noise. Pure, so test/bench-fidelity.test.ts can check the verdicts
 * and the CI test on `smoke` can use the very same rule.
 *
 * Tolerance: 5% relative; a share below 0.1 within 0.02 absolute instead (a relative bound on a share near 0
 * would refuse any change); peak concurrency never tighter than 1 execution (a peak of 6 cannot be within
 * 0.3 of another except by being equal).
 */
import type { RunReport } from '../lab/report/build-report.js';

export interface CrossFigures {
  deliveredShare: number;
  lostShare: number;
  peakConcurrency: number;
  share429: number;
  callsPerOrder: number;
}

export const CROSS_RELATIVE = 0.05;
export const CROSS_SMALL_SHARE = 0.1;
export const CROSS_SMALL_ABSOLUTE = 0.02;
export const CROSS_PEAK_MIN = 1;

/** The figures compared, from a report. Shares are over accepted orders and over courier requests. */
export function crossFigures(r: RunReport): CrossFigures {
  const accepted = Math.max(1, r.orders.accepted);
  return {
    deliveredShare: r.orders.delivered / accepted,
    lostShare: r.orders.lost / accepted,
    peakConcurrency: r.peakConcurrency,
    share429: (r.courier.byStatus['429'] ?? 0) / Math.max(1, r.courier.requests),
    callsPerOrder: r.courier.requests / accepted,
  };
}

export interface CrossVerdict {
  agree: boolean;
  /** One line per figure out of tolerance, e.g. "lostShare 0.1310 vs 0.1106 (allowed +-0.0055)". */
  misses: string[];
}

function allowed(name: keyof CrossFigures, reference: number): number {
  if (name === 'peakConcurrency') return Math.max(CROSS_RELATIVE * reference, CROSS_PEAK_MIN);
  if (name !== 'callsPerOrder' && reference < CROSS_SMALL_SHARE) return CROSS_SMALL_ABSOLUTE;
  return CROSS_RELATIVE * reference;
}

/** Judges `run` (threads) against `reference` (virtual). */
export function crossCheck(run: CrossFigures, reference: CrossFigures): CrossVerdict {
  const misses: string[] = [];
  for (const name of Object.keys(reference) as (keyof CrossFigures)[]) {
    const bound = allowed(name, reference[name]);
    const off = Math.abs(run[name] - reference[name]);
    if (off > bound + 1e-12) {
      misses.push(
        `${name} ${run[name].toFixed(4)} vs ${reference[name].toFixed(4)} (allowed +-${bound.toFixed(4)})`,
      );
    }
  }
  return { agree: misses.length === 0, misses };
}

/** Each figure's lowest and highest over several runs (the virtual engine over seeds). */
export interface CrossRange {
  low: CrossFigures;
  high: CrossFigures;
  runs: number;
}

export function crossRange(runs: readonly CrossFigures[]): CrossRange {
  if (runs.length === 0) throw new Error('crossRange: no runs');
  const names = Object.keys(runs[0]!) as (keyof CrossFigures)[];
  const low = { ...runs[0]! };
  const high = { ...runs[0]! };
  for (const run of runs)
    for (const name of names) {
      low[name] = Math.min(low[name], run[name]);
      high[name] = Math.max(high[name], run[name]);
    }
  return { low, high, runs: runs.length };
}

/**
 * Judges `run` (threads) against the figures the virtual engine gives over several seeds: each figure within
 * the cross-check's tolerance of the nearest value in their range. The storm's peak concurrency is a maximum
 * over a chaotic process: the same seed's peak moves by more than 5% when the courier's answers come a few
 * scenario ms later (what a loopback round trip is at speed 10), so one seed's value is a draw from that
 * range, and this is the check a real-time engine can be held to on it.
 */
export function crossCheckRange(run: CrossFigures, range: CrossRange): CrossVerdict {
  const nearest = { ...run };
  for (const name of Object.keys(run) as (keyof CrossFigures)[])
    nearest[name] = Math.min(Math.max(run[name], range.low[name]), range.high[name]);
  return crossCheck(run, nearest);
}
