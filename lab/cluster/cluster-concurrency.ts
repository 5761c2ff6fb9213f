import type { Redis } from 'ioredis';
import type { FunctionKey } from '../runtime/function-types.js';
import type { ClusterKeys } from './cluster-keys.js';

// Exact across processes because a Lua script runs alone: count what live nodes hold (a node without a lease
// holds nothing: its slots are taken back and counted), then take one slot if the total is under the limit.
// Returns the new total, or -1 (throttled).
const ACQUIRE = `
local held, peakKey, reclaimedKey = KEYS[1], KEYS[2], KEYS[3]
local node, limit, leasePrefix = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local total = 0
local flat = redis.call('HGETALL', held)
for i = 1, #flat, 2 do
  local n, c = flat[i], tonumber(flat[i + 1])
  if n ~= node and redis.call('EXISTS', leasePrefix .. n) == 0 then
    redis.call('HDEL', held, n)
    redis.call('INCRBY', reclaimedKey, c)
  else
    total = total + c
  end
end
if total >= limit then return -1 end
redis.call('HINCRBY', held, node, 1)
total = total + 1
local peak = tonumber(redis.call('GET', peakKey) or '0')
if total > peak then redis.call('SET', peakKey, total) end
return total
`;

// A slot already taken back (this node lost its lease meanwhile) is not returned twice: returns 0 then.
const RELEASE = `
local c = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if c <= 0 then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
return 1
`;

export interface ClusterConcurrencyOptions {
  redis: Redis;
  keys: ClusterKeys;
  node: string;
  limit: number;
}

/**
 * The account concurrency limit shared by every node: one counter per node in a Redis hash, tied to the
 * node's lease. Same contract as the local `AccountConcurrency`, but asynchronous (a round trip to Redis).
 * This node's own counts and peaks are kept locally for its report; the cluster's peak is in Redis.
 */
export class ClusterConcurrency {
  limit: number;
  peak = 0;
  readonly peakByFn: Record<FunctionKey, number> = { notify: 0, delivery: 0 };
  /** Releases that found their slot already taken back (the node's lease had expired). */
  lateReleases = 0;
  private total = 0;
  private readonly byFn: Record<FunctionKey, number> = { notify: 0, delivery: 0 };
  private readonly redis: Redis;
  private readonly keys: ClusterKeys;
  private readonly node: string;

  constructor(options: ClusterConcurrencyOptions) {
    this.redis = options.redis;
    this.keys = options.keys;
    this.node = options.node;
    this.limit = options.limit;
  }

  /** Reserves one execution cluster-wide; false (a throttle) when the account is at its limit. */
  async tryAcquire(fn: FunctionKey): Promise<boolean> {
    const k = this.keys;
    const total = (await this.redis.eval(
      ACQUIRE,
      3,
      k.concurrencyHeld,
      k.concurrencyPeak,
      k.concurrencyReclaimed,
      this.node,
      this.limit,
      k.leasePrefix,
    )) as number;
    if (total < 0) return false;
    this.total++;
    const n = ++this.byFn[fn];
    if (this.total > this.peak) this.peak = this.total;
    if (n > this.peakByFn[fn]) this.peakByFn[fn] = n;
    return true;
  }

  async release(fn: FunctionKey): Promise<void> {
    if (this.byFn[fn] <= 0) throw new Error(`release of ${fn} with no execution in progress`);
    this.total--;
    this.byFn[fn]--;
    const returned = await this.redis.eval(RELEASE, 1, this.keys.concurrencyHeld, this.node);
    if (returned === 0) this.lateReleases++;
  }

  /** This node's executions in progress. */
  get inUse(): number {
    return this.total;
  }

  of(fn: FunctionKey): number {
    return this.byFn[fn];
  }

  /** The cluster's executions in progress (a dead node's until the next acquire takes them back), its peak,
   * and the slots taken back from dead nodes so far. */
  async cluster(): Promise<{ inUse: number; peak: number; reclaimed: number }> {
    const k = this.keys;
    const [held, peak, reclaimed] = await Promise.all([
      this.redis.hvals(k.concurrencyHeld),
      this.redis.get(k.concurrencyPeak),
      this.redis.get(k.concurrencyReclaimed),
    ]);
    return {
      inUse: held.reduce((sum, v) => sum + Number(v), 0),
      peak: Number(peak ?? 0),
      reclaimed: Number(reclaimed ?? 0),
    };
  }
}
