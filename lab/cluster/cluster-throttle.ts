import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import { ioredisOptions, type RedisAddress } from './redis-url.js';

/**
 * Real ms between grants for a rate in calls per scenario second at a speed. Bottleneck times everything on
 * the Redis server's clock in real ms, so the scenario rate is compressed here; measured exact by the first
 * round (450.2 grants a second against 450 wanted, two processes sharing one limiter).
 */
export function minTimeMs(rate: number, speed: number): number {
  return 1000 / (rate * speed);
}

/** Bottleneck's settings for a token bucket of `rate` per scenario second and capacity `burst`. */
export function bottleneckSettings(
  rate: number,
  burst: number,
  speed: number,
): Bottleneck.ConstructorOptions {
  const interval = minTimeMs(rate, speed);
  // Burst 1 (the default) is a grant every `interval` ms: bottleneck's minTime, which schedules the next grant
  // from the last one's due time, not from when it ran, so it does not drift. A larger burst is a reservoir
  // topped up by one every interval, up to the burst (bottleneck's reservoir increase, also on Redis time).
  if (burst === 1) return { minTime: interval, maxConcurrent: null, reservoir: null };
  return {
    minTime: 0,
    maxConcurrent: null,
    reservoir: burst,
    reservoirIncreaseAmount: 1,
    reservoirIncreaseInterval: interval,
    reservoirIncreaseMaximum: burst,
  };
}

export interface ClusterThrottleOptions {
  redis: RedisAddress;
  /** Bottleneck's limiter id: every node of a cluster names the same one. */
  id: string;
  rate: number;
  burst: number;
  speed: number;
  /** True on the first node of a fresh cluster: wipes the last run's limiter state. */
  clear: boolean;
}

/**
 * The client-side throttle shared by a cluster: bottleneck on its Redis datastore. Every node's courier calls
 * draw from one limiter, so the cluster as a whole keeps the rate. Differs from the local `ClientThrottle` in
 * one way: a waiter that gives up (its invocation timed out) still spends its grant when its turn comes,
 * since bottleneck cannot withdraw a queued job; those are counted in `abandoned`.
 */
export class ClusterThrottle {
  granted = 0;
  abandoned = 0;
  /** Grants that failed because Redis could not be reached. */
  failed = 0;
  private readonly limiter: Bottleneck;
  private readonly speed: number;
  private burst: number;

  constructor(options: ClusterThrottleOptions) {
    this.speed = options.speed;
    this.burst = options.burst;
    this.limiter = new Bottleneck({
      ...bottleneckSettings(options.rate, options.burst, options.speed),
      id: options.id,
      datastore: 'ioredis',
      Redis,
      clientOptions: { ...ioredisOptions(options.redis), enableOfflineQueue: true },
      clearDatastore: options.clear,
      // Jobs resolve at once; only their start time matters, so no job is ever expired or tracked when done.
      trackDoneStatus: false,
    });
    this.limiter.on('error', () => {
      this.failed++;
    });
  }

  /** Resolves when connected and the limiter's settings are in Redis. */
  async ready(): Promise<void> {
    await this.limiter.ready();
  }

  /** Waits for a grant. Rejects with signal.reason when aborted (the grant is spent anyway, see above). */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const grant = this.limiter
      .schedule(() => Promise.resolve())
      .then(
        () => {
          this.granted++;
        },
        (err: unknown) => {
          this.failed++;
          throw err;
        },
      );
    if (!signal) return grant;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.abandoned++;
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      grant.then(
        () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }

  /** Changes the rate for the whole cluster (the settings live in Redis). */
  async setRate(rate: number): Promise<void> {
    await this.limiter.updateSettings(bottleneckSettings(rate, this.burst, this.speed));
  }

  /** Waiting callers on this node. */
  get waiting(): number {
    return this.limiter.counts().QUEUED;
  }

  async stop(): Promise<void> {
    await this.limiter.disconnect(true);
  }
}
