/**
 * The SQS event source mapping's own scaling (aws-semantics 4.8, 4.14): it starts with 5 concurrent
 * invocations and, while messages remain, adds up to 300 a minute up to MaximumConcurrency; on function
 * errors and throttles it backs off by reducing concurrency.
 *
 * AWS gives the rate but not the step or the size of a back-off, so the lab takes the finest even step
 * (300 a minute is 5 each scenario second) and a back-off proportional to the trouble: a second in which
 * invocations failed or were throttled does not grow, and takes one off the limit per such invocation,
 * never below 2 (the lowest AWS goes). The scaler is stepped once a scenario second by its driver.
 */
export const ESM_START = 5;
export const ESM_PER_MINUTE = 300;
export const ESM_FLOOR = 2;

export interface EsmScalerOptions {
  /** ScalingConfig.MaximumConcurrency (or the adaptive limit's ceiling). */
  maxConcurrency: number;
  start?: number;
  perMinute?: number;
  floor?: number;
  /** Scenario ms of the first step's start (the run's start). */
  startedAt?: number;
}

export class EsmScaler {
  private current: number;
  private growth = 0;
  private troubles = 0;
  private lastStepAt: number;
  private max: number;
  private readonly floor: number;
  private readonly perSecond: number;

  constructor(o: EsmScalerOptions) {
    this.max = o.maxConcurrency;
    this.floor = Math.min(o.floor ?? ESM_FLOOR, this.max);
    this.current = Math.min(o.start ?? ESM_START, this.max);
    this.perSecond = (o.perMinute ?? ESM_PER_MINUTE) / 60;
    this.lastStepAt = o.startedAt ?? 0;
  }

  get limit(): number {
    return this.current;
  }

  get maxConcurrency(): number {
    return this.max;
  }

  /** Scenario ms at which the next step is due. */
  get nextStepAt(): number {
    return this.lastStepAt + 1000;
  }

  /** An invocation ended: failures (errors, timeouts) and throttles make the ESM back off. */
  onOutcome(outcome: 'ok' | 'failed' | 'throttled'): void {
    if (outcome !== 'ok') this.troubles++;
  }

  /**
   * Closes every whole second up to `now`: the first one carries the troubles counted since the last
   * step; a second grows the limit only when it had none and messages were waiting (`backlog`).
   */
  step(now: number, backlog: boolean): void {
    while (now - this.lastStepAt >= 1000) {
      this.lastStepAt += 1000;
      if (this.troubles > 0) {
        this.current = Math.max(this.floor, this.current - this.troubles);
        this.troubles = 0;
        this.growth = 0;
      } else if (backlog && this.current < this.max) {
        this.growth += this.perSecond;
        const whole = Math.floor(this.growth);
        this.growth -= whole;
        this.current = Math.min(this.max, this.current + whole);
      }
    }
  }

  /** A new MaximumConcurrency (the dashboard's keys, or an adaptive ceiling). */
  setMaxConcurrency(max: number): void {
    this.max = max;
    this.current = Math.min(this.current, max);
  }
}
