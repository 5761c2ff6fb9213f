/**
 * What the speed-fidelity bench runs and how it judges a run against the reference. Pure data and
 * functions, tested in test/bench-fidelity.test.ts.
 *
 * Judging ("within 5%" of the reference run at the slow reference speed):
 * - delivered share and lost share (orders delivered or lost by the end of the load, over the orders the
 *   load sent): within 5 percentage points of the reference's share. Shares are judged in absolute points,
 *   because a relative tolerance on a share near 0 (lost orders in queue mode) would refuse any change.
 *   Orders the load sent that the ingress had not accepted by the end count as neither, so a lab that
 *   falls behind its own load shows up here.
 * - peak concurrency: within 5% of the reference's peak, relative, but never tighter than 1 execution (a
 *   peak of 12 cannot be within 0.6 of another peak except by being equal).
 * A speed is faithful when all three hold. The highest faithful speed is the highest speed tested such
 * that it and every slower speed tested are faithful: a pass above a failure is luck, not fidelity. When
 * even the slowest speed tested fails, it is the reference speed itself.
 *
 * The peak is a maximum, and it varies between runs at the same speed by about as much as its tolerance
 * (measured here: 182 to 196 in six runs of the quick scenario at speeds 5 and 10; 657 to 697 for
 * seed-article at speeds 1 to 20), so a one-round verdict on it can flip on noise; the bench also gives the
 * highest speed at which the two shares alone hold (`speed.maxFaithfulShares.<mode>`).
 */
import type { Phase } from '../lab/load/phases.js';
import { PRESETS } from '../lab/load/presets.js';

/** Tolerance on shares, in percentage points. */
export const SHARE_TOLERANCE_PP = 5;
/** Tolerance on peak concurrency, relative. */
export const PEAK_TOLERANCE = 0.05;
/** The smallest tolerance on peak concurrency, in executions. */
export const PEAK_TOLERANCE_MIN = 1;

/** `seed-article`'s phases with every duration divided by `factor` (rounded to whole seconds); rates as is. */
export function compressPhases(phases: readonly Phase[], factor: number): Phase[] {
  return phases.map((p) => {
    const out: Phase = { ...p };
    if (p.duration !== undefined) out.duration = Math.max(1, Math.round(p.duration / factor));
    if (p.pause !== undefined) out.pause = Math.max(1, Math.round(p.pause / factor));
    return out;
  });
}

export interface FidelityScenario {
  /** A preset name, or a label for phases written to a file. */
  name: string;
  /** One line saying what it is, for the output and results.json. */
  describe: string;
  phases: readonly Phase[];
  /** True when `name` is a preset that `--scenario` takes as is. */
  preset: boolean;
}

/** Quick mode: the seed article's shape, 18 times shorter (60 s: 3 s at 2/s, 7 s 2 to 5, 33 s 4 to 15, 17 s at 15). */
export const QUICK_COMPRESSION = 18;

export function fidelityScenario(full: boolean): FidelityScenario {
  const article = PRESETS['seed-article']!;
  if (full) {
    return {
      name: 'seed-article',
      describe: 'seed-article (18 min: 60 s at 2/s, 120 s 2 to 5/s, 600 s 4 to 15/s, 300 s at 15/s)',
      phases: article,
      preset: true,
    };
  }
  const phases = compressPhases(article, QUICK_COMPRESSION);
  const total = phases.reduce((s, p) => s + (p.duration ?? p.pause ?? 0), 0);
  return {
    name: `seed-article-${QUICK_COMPRESSION}x-shorter`,
    describe:
      `seed-article compressed ${QUICK_COMPRESSION}x in time (${total} s: ` +
      phases
        .map(
          (p) =>
            `${p.duration} s ${p.rampTo === undefined ? `at ${p.arrivalRate}/s` : `${p.arrivalRate} to ${p.rampTo}/s`}`,
        )
        .join(', ') +
      `; rates, courier and retry timings as in the seed; async retries (1 and 2 min later) mostly fall after its end)`,
    phases,
    preset: false,
  };
}

/** What a run is judged on. */
export interface FidelityFigures {
  /** Delivered by the end of the load, over orders sent. */
  deliveredShare: number;
  /** Lost by the end of the load, over orders sent. */
  lostShare: number;
  peakConcurrency: number;
}

export interface Judgement {
  faithful: boolean;
  /** Both shares within tolerance, whatever the peak (the peak is a maximum: it varies most between runs). */
  sharesFaithful: boolean;
  /** What was out of tolerance, e.g. "delivered share 61.0% vs 66.9% (5.9 pp)". */
  misses: string[];
}

const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;

export function judge(run: FidelityFigures, ref: FidelityFigures): Judgement {
  const misses: string[] = [];
  const shares: [string, number, number][] = [
    ['delivered share', run.deliveredShare, ref.deliveredShare],
    ['lost share', run.lostShare, ref.lostShare],
  ];
  for (const [name, got, want] of shares) {
    const pp = Math.abs(got - want) * 100;
    if (pp > SHARE_TOLERANCE_PP + 1e-9)
      misses.push(`${name} ${pct(got)} vs ${pct(want)} (${pp.toFixed(1)} pp)`);
  }
  const sharesFaithful = misses.length === 0;
  const allowed = Math.max(PEAK_TOLERANCE * ref.peakConcurrency, PEAK_TOLERANCE_MIN);
  const off = Math.abs(run.peakConcurrency - ref.peakConcurrency);
  if (off > allowed + 1e-9) {
    misses.push(
      `peak concurrency ${run.peakConcurrency} vs ${ref.peakConcurrency} (allowed +-${allowed.toFixed(1)})`,
    );
  }
  return { faithful: misses.length === 0, sharesFaithful, misses };
}

/** The highest speed whose run and every slower run are faithful; `referenceSpeed` if the slowest fails. */
export function maxFaithful(
  results: readonly { speed: number; faithful: boolean }[],
  referenceSpeed: number,
): number {
  let best = referenceSpeed;
  for (const r of [...results].sort((a, b) => a.speed - b.speed)) {
    if (!r.faithful) break;
    best = r.speed;
  }
  return best;
}
