import type { Redis } from 'ioredis';
import type { ClusterKeys } from './cluster-keys.js';

// A node is gone when its lease is: killed (its heartbeat stopped), or stalled past its lease. Takes it out of
// the nodes and "load running" sets (so no drain waits on a load that will never end), then settles as lost
// the orders it accepted that are still open and not in the shared queue: they lived only in its memory (an
// asynchronous invoke's retries, an event not yet sent). Orders whose message is in the queue stay open: a
// live node's worker delivers them once the dead node's lock lapses. ARGV[3], when given, is a node leaving
// cleanly now: its own leftovers are settled the same way.
const REAP = `
local nodes, loads, state, open, totals = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local leasePrefix, jobPrefix, leaving = ARGV[1], ARGV[2], ARGV[3]
local gone, names = {}, {}
local function reap(n)
  redis.call('SREM', nodes, n)
  redis.call('SREM', loads, n)
  if not gone['open:' .. n] then gone['open:' .. n] = true; table.insert(names, n) end
end
for _, n in ipairs(redis.call('SMEMBERS', nodes)) do
  if redis.call('EXISTS', leasePrefix .. n) == 0 then reap(n) end
end
for _, n in ipairs(redis.call('SMEMBERS', loads)) do
  if redis.call('EXISTS', leasePrefix .. n) == 0 then reap(n) end
end
if leaving ~= '' then reap(leaving) end
local lost = 0
if #names > 0 then
  for _, id in ipairs(redis.call('SMEMBERS', open)) do
    if gone[redis.call('HGET', state, id) or ''] and redis.call('EXISTS', jobPrefix .. id) == 0 then
      redis.call('HSET', state, id, 'lost')
      redis.call('SREM', open, id)
      redis.call('HINCRBY', totals, 'lost', 1)
      redis.call('HINCRBY', totals, 'lostWithNode', 1)
      lost = lost + 1
    end
  end
end
return {lost, redis.call('SCARD', loads), unpack(names)}
`;

export interface ReapResult {
  /** Orders settled as lost now, because the node that held them is gone. */
  lost: number;
  /** Live nodes whose built-in load is still running. */
  loadsRunning: number;
  /** Nodes found gone by this call. */
  gone: string[];
}

/**
 * Clears up after nodes that are gone (see REAP above). Run by every live node at each refresh of the
 * cluster's totals, and by a node as it leaves; the Lua runs alone, so two nodes never reap one order twice.
 */
export class NodeReaper {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    /** BullMQ's key of a job is this prefix and the job id (the order's correlation id). */
    private readonly jobPrefix: string,
  ) {}

  async reap(leaving = ''): Promise<ReapResult> {
    const k = this.keys;
    const reply = (await this.redis.eval(
      REAP,
      5,
      k.nodes,
      k.loadsRunning,
      k.orderState,
      k.ordersOpen,
      k.orderTotals,
      k.leasePrefix,
      this.jobPrefix,
      leaving,
    )) as [number, number, ...string[]];
    const [lost, loadsRunning, ...gone] = reply;
    return { lost, loadsRunning, gone };
  }
}
