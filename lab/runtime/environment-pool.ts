/**
 * Logical execution environments of one function: created with a cold start, kept warm while idle, and
 * reclaimed once idle for longer than `idleMs`. Threads are physical and few; environments are only counted.
 */
export interface Environment {
  id: string;
  lastUsedAt: number;
}

export class EnvironmentPool {
  private idle: Environment[] = [];
  private nextId = 1;
  created = 0;
  reclaimed = 0;

  constructor(
    private readonly prefix: string,
    private readonly idleMs: number,
  ) {}

  /** A warm environment if one is idle (the most recently used), else a new one that needs init. */
  take(now: number): { env: Environment; cold: boolean } {
    this.reclaimIdle(now);
    const env = this.idle.pop();
    if (env) return { env, cold: false };
    this.created++;
    return { env: { id: `${this.prefix}-${this.nextId++}`, lastUsedAt: now }, cold: true };
  }

  /** Back to idle after an invocation ends normally. */
  give(env: Environment, now: number): void {
    env.lastUsedAt = now;
    this.idle.push(env);
  }

  /** A timed-out or crashed environment is thrown away: the next invocation on it would start cold. */
  discard(_env: Environment): void {
    this.reclaimed++;
  }

  idleCount(now: number): number {
    this.reclaimIdle(now);
    return this.idle.length;
  }

  private reclaimIdle(now: number): void {
    // idle is ordered by lastUsedAt (pushed in time order), so the stale ones are at the front.
    let stale = 0;
    while (stale < this.idle.length && now - this.idle[stale]!.lastUsedAt > this.idleMs) stale++;
    if (stale > 0) {
      this.idle.splice(0, stale);
      this.reclaimed += stale;
    }
  }
}
