/**
 * The usage-plan token bucket: `burst` tokens at most, `rate` tokens added per scenario second, full at
 * start. One request takes one token; a request that finds less than one token is refused and takes nothing.
 *
 * Tokens are kept in thousandths (rate per second times milliseconds), so integer times and rates give exact
 * answers: at rate 10 the bucket gains exactly one token every 100 ms.
 */
export interface TokenBucketOptions {
  /** Tokens per scenario second; above 0. */
  rate: number;
  /** Capacity in tokens; at least 1. */
  burst: number;
}

const EPSILON = 1e-6;

export class TokenBucket {
  private currentRate: number;
  readonly burst: number;
  private milliTokens: number;
  private last: number;

  constructor(options: TokenBucketOptions, now = 0) {
    if (!(options.rate > 0)) throw new RangeError(`rate must be above 0, got ${options.rate}`);
    if (!(options.burst >= 1)) throw new RangeError(`burst must be at least 1, got ${options.burst}`);
    this.currentRate = options.rate;
    this.burst = options.burst;
    this.milliTokens = options.burst * 1000;
    this.last = now;
  }

  /** Tokens per scenario second. */
  get rate(): number {
    return this.currentRate;
  }

  /** Changes the refill rate from `now` on; tokens gathered until `now` are kept (at the old rate). */
  setRate(rate: number, now: number): void {
    if (!(rate > 0)) throw new RangeError(`rate must be above 0, got ${rate}`);
    this.refill(now);
    this.currentRate = rate;
  }

  /** Tokens available at `now` (scenario ms), fractional. */
  tokens(now: number): number {
    this.refill(now);
    return this.milliTokens / 1000;
  }

  /** Takes one token if there is one; refuses without spending anything otherwise. */
  tryTake(now: number): boolean {
    this.refill(now);
    if (this.milliTokens + EPSILON < 1000) return false;
    this.milliTokens = Math.max(0, this.milliTokens - 1000);
    return true;
  }

  /**
   * Takes a token now or on credit, and returns the scenario ms until it is due (0 if it was there).
   * Reservations queue behind each other: at rate 9 and burst 1, three at once are due at 0, 111 and 222 ms.
   */
  reserve(now: number): number {
    this.refill(now);
    this.milliTokens -= 1000;
    return this.milliTokens >= -EPSILON ? 0 : -this.milliTokens / this.currentRate;
  }

  /** Gives back a reserved token that was not used (never above `burst`). */
  refund(now: number): void {
    this.refill(now);
    this.milliTokens = Math.min(this.burst * 1000, this.milliTokens + 1000);
  }

  /** Scenario ms from `now` until a token is available (0 if one is). */
  waitMs(now: number): number {
    this.refill(now);
    const missing = 1000 - this.milliTokens;
    return missing <= EPSILON ? 0 : missing / this.currentRate;
  }

  private refill(now: number): void {
    // A clock moved back (the lab rebases scenario time 0 after warm-up) restarts the count from there.
    if (now < this.last) this.last = now;
    if (now > this.last) {
      this.milliTokens = Math.min(this.burst * 1000, this.milliTokens + (now - this.last) * this.currentRate);
      this.last = now;
    }
  }
}
