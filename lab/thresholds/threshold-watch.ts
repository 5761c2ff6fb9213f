import type { Clock, Timer } from '../time/clock.js';
import type { Threshold } from './parse-threshold.js';
import type { ThresholdResult } from './evaluate-thresholds.js';
import { decidableEarly, decidedCrossed } from './early-abort.js';
import type { LiveView } from './threshold-fields.js';

export interface ThresholdWatchOptions {
  clock: Clock;
  thresholds: readonly Threshold[];
  /** The run's read model as it is now. */
  view: () => LiveView;
  /** Called once, with the thresholds decided crossed, at the first scenario second that shows one. */
  onCrossed: (crossed: ThresholdResult[]) => void;
}

/**
 * `--abort-on-fail`: checks the live read model once per scenario second (on the whole second, after the
 * sampler has closed it) and reports the first crossing. Returns a handle to stop watching; no timer at all
 * when no threshold can be decided early.
 */
export function watchThresholds(options: ThresholdWatchOptions): Timer {
  const { clock, thresholds, view, onCrossed } = options;
  let timer: Timer | undefined;
  let stopped = false;
  if (!thresholds.some(decidableEarly)) return { cancel: () => {} };
  const check = (): void => {
    if (stopped) return;
    const crossed = decidedCrossed(thresholds, view());
    if (crossed.length > 0) {
      stopped = true;
      onCrossed(crossed);
      return;
    }
    schedule();
  };
  const schedule = (): void => {
    const next = (Math.floor(clock.now() / 1000) + 1) * 1000;
    timer = clock.setTimeout(check, next - clock.now());
  };
  schedule();
  return {
    cancel: () => {
      stopped = true;
      timer?.cancel();
    },
  };
}
