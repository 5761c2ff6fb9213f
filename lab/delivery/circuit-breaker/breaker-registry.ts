import type { Clock } from '../../time/clock.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { ConsecutiveBreaker } from './consecutive-breaker.js';
import { SamplingBreaker } from './sampling-breaker.js';

export const BREAKER_MODES = ['off', 'consecutive', 'sampling'] as const;
export type BreakerMode = (typeof BREAKER_MODES)[number];
export const BREAKER_SCOPES = ['environment', 'shared'] as const;
export type BreakerScope = (typeof BREAKER_SCOPES)[number];

export interface BreakerParams {
  mode: Exclude<BreakerMode, 'off'>;
  scope: BreakerScope;
  /** consecutive: failures in a row that open the circuit. */
  threshold: number;
  /** sampling: share of failed calls that opens it. */
  failureRatio: number;
  /** sampling: the window, scenario seconds. */
  windowS: number;
  /** sampling: calls per second the window needs before it may open. */
  minRps: number;
  /** Scenario seconds an open circuit waits before a trial call. */
  halfOpenS: number;
}

export interface BreakerFigures {
  /** Breakers open or half-open now (0 or 1 when shared). */
  notClosed: number;
  /** Times any breaker opened. */
  opened: number;
  /** Calls refused at once, no courier request made. */
  refused: number;
}

/**
 * Who holds which breaker: one per execution environment (a breaker in the function's memory, as cockatiel
 * in a Lambda would be), or one for every invocation, as a breaker whose state lives in a shared store.
 */
export class BreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(
    private readonly clock: Clock,
    readonly params: BreakerParams,
  ) {}

  breakerFor(environmentId: string): CircuitBreaker {
    const key = this.params.scope === 'shared' ? '*' : environmentId;
    let b = this.breakers.get(key);
    if (!b) {
      b = new CircuitBreaker({
        clock: this.clock,
        halfOpenAfterMs: this.params.halfOpenS * 1000,
        strategy:
          this.params.mode === 'consecutive'
            ? new ConsecutiveBreaker(this.params.threshold)
            : new SamplingBreaker({
                threshold: this.params.failureRatio,
                durationMs: this.params.windowS * 1000,
                minimumRps: this.params.minRps,
              }),
      });
      this.breakers.set(key, b);
    }
    return b;
  }

  figures(): BreakerFigures {
    const f: BreakerFigures = { notClosed: 0, opened: 0, refused: 0 };
    for (const b of this.breakers.values()) {
      if (b.state !== 'closed') f.notClosed++;
      f.opened += b.counts.opened;
      f.refused += b.counts.refused;
    }
    return f;
  }
}
