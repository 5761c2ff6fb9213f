/**
 * The speed a run really goes at, as the dashboard sees it: scenario seconds per real second over the last
 * few real seconds of frames. The virtual engine paces to --speed but falls behind when the CPU cannot keep
 * up (the storm's peak at speed 1000 on a busy machine); the status bar then says so, rather than claim a
 * speed the run is not reaching.
 */

/** Real ms of frames the speed is measured over. */
const WINDOW_MS = 3000;
/** Real ms of frames needed before a figure is given. */
const MIN_SPAN_MS = 1000;

export class SpeedMeter {
  private samples: { wallMs: number; t: number }[] = [];

  /** Records a frame (real ms, scenario seconds); returns scenario seconds per real second, when known. */
  sample(wallMs: number, t: number): number | undefined {
    const last = this.samples.at(-1);
    // A restart starts scenario time again: the old frames say nothing about the new run.
    if (last && (t < last.t || wallMs < last.wallMs)) this.samples = [];
    this.samples.push({ wallMs, t });
    while (this.samples.length > 2 && wallMs - this.samples[1]!.wallMs >= WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const spanMs = wallMs - first.wallMs;
    if (spanMs < MIN_SPAN_MS) return undefined;
    return (t - first.t) / (spanMs / 1000);
  }

  reset(): void {
    this.samples = [];
  }
}

/** Below this share of --speed, the status bar shows the speed reached. */
export const BEHIND_SHARE = 0.9;
