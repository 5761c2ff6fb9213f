import type { Writable } from 'node:stream';
import type { LabOptions } from '../config/parse-options.js';
import type { LabSnapshot, SeriesRow } from '../lab-view.js';
import { clockText } from '../report/summary-table.js';
import type { Clock } from '../time/clock.js';
import { thresholdLine, type ThresholdResult } from './evaluate-thresholds.js';
import { watchThresholds } from './threshold-watch.js';

/** What `--abort-on-fail` needs of a run: its options, its scenario clock and its read model. */
export interface WatchedRun {
  readonly options: Pick<LabOptions, 'thresholds' | 'abortOnFail'>;
  readonly clock: Clock;
  snapshot(): LabSnapshot;
  series(): readonly SeriesRow[];
}

export interface AbortOnFail {
  /** The signal the run should end on: the caller's, or this watch's crossing, whichever comes first. */
  signal(outer?: AbortSignal): AbortSignal | undefined;
  stop(): void;
  /** The thresholds decided crossed, once the watch stopped the run. */
  readonly crossed: ThresholdResult[] | undefined;
}

/**
 * Starts the `--abort-on-fail` watch on a running run (a no-op without the option): at the first scenario
 * second a threshold can no longer be met, says so on `stderr` and aborts the signal it hands out.
 */
export function startAbortOnFail(run: WatchedRun, stderr: Writable): AbortOnFail {
  if (!run.options.abortOnFail) {
    return { signal: (outer) => outer, stop: () => {}, crossed: undefined };
  }
  const controller = new AbortController();
  let crossed: ThresholdResult[] | undefined;
  const watch = watchThresholds({
    clock: run.clock,
    thresholds: run.options.thresholds,
    view: () => ({ snapshot: run.snapshot(), series: run.series() }),
    onCrossed: (results) => {
      crossed = results;
      stderr.write(
        `stormlab: at ${clockText(run.clock.now() / 1000)} a threshold can no longer be met: ` +
          `${results.map(thresholdLine).join(', ')}; stopping the run (--abort-on-fail)\n`,
      );
      controller.abort(new Error('threshold crossed'));
    },
  });
  return {
    signal: (outer) => (outer ? AbortSignal.any([outer, controller.signal]) : controller.signal),
    stop: () => watch.cancel(),
    get crossed() {
      return crossed;
    },
  };
}
