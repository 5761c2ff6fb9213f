import { setFlagsFromString } from 'node:v8';
import type { ResourceLimits } from 'node:worker_threads';

/**
 * The threads engine's young generation: semi-spaces of 2 MB, in the main thread and in every worker thread,
 * where V8 would grow them to 16 MB.
 *
 * Why: the threads engine runs on real time, and a scavenge stops its thread for as long as copying the
 * survivors takes. Grown to 16 MB semi-spaces, a scavenge of the main thread took 5 to 11 ms on this
 * machine, which at speed 10 is 50 to 110 ms of scenario: arrivals due in that time come at once, each takes
 * an environment of its own (a 400 ms cold start when none is idle), and answers wait. In queue mode, where
 * the delivery functions sit at their cap of 10 and the notify function adds its bursts, the peak
 * concurrency read 13 and 14 where the virtual engine reads 11; with 2 MB semi-spaces and the load's paced
 * catch-up (LoadGenerator.sendAt), 12 in four runs of five (issue 10's section). Smaller semi-spaces
 * collect more often, each pause a fraction as long. The
 * virtual engine wants the opposite, throughput (15% faster with V8's growth), and keeps V8's default.
 */

/** For worker threads, whose heap is set when they start: V8's young generation is 3 semi-spaces. */
export const WORKER_HEAP_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 6 };

/** How often the main thread's setting is applied again, real ms. */
const REAPPLY_MS = 1000;

/** From now until a thread starts: with a growth factor of 1, V8 never grows the semi-spaces. */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * Keeps the main thread's semi-spaces at the size they have (2 MB when the threads engine starts) until the
 * returned function is called. V8 reads its growth factor whenever it would grow them, and Node keeps its
 * flags writable; but a worker thread resets V8's flags as it starts (a crashed function worker replaced, the
 * courier restarted), so the factor is set again every second.
 */
export function holdYoungGenerationSmall(): () => void {
  keepYoungGenerationSmall();
  const timer = setInterval(keepYoungGenerationSmall, REAPPLY_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    setFlagsFromString('--semi-space-growth-factor=2');
  };
}
