import type { Redis } from 'ioredis';
import type { OrderOutcome } from '../pipeline/order-book.js';
import type { ClusterKeys } from './cluster-keys.js';

// An order is accepted once: a second accept of the same id is counted, not applied. Its state while open
// names the node that accepted it ("open:NODE"), so the orders a dead node took with it can be found.
const ACCEPT = `
if redis.call('HSETNX', KEYS[1], ARGV[1], 'open:' .. ARGV[2]) == 0 then
  redis.call('HINCRBY', KEYS[3], 'reaccepted', 1)
  return 0
end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[3], 'accepted', 1)
return 1
`;

// An order leaves "open" exactly once, whichever node settles it; any later settlement is a duplicate.
const SETTLE = `
local state, open, totals, delivered = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, outcome, nowMs = ARGV[1], ARGV[2], tonumber(ARGV[3])
if string.sub(redis.call('HGET', state, id) or '', 1, 5) ~= 'open:' then
  redis.call('HINCRBY', totals, 'duplicates', 1)
  return 0
end
redis.call('HSET', state, id, outcome)
redis.call('SREM', open, id)
redis.call('HINCRBY', totals, outcome, 1)
if outcome == 'delivered' then
  redis.call('SADD', delivered, id)
  local last = tonumber(redis.call('HGET', totals, 'lastDeliveredMs') or '-1')
  if nowMs > last then redis.call('HSET', totals, 'lastDeliveredMs', nowMs) end
end
return 1
`;

/** The cluster's orders, as every node reads them. */
export interface ClusterOrderTotals {
  accepted: number;
  delivered: number;
  lost: number;
  deadLettered: number;
  /** Accepted and not settled: counted from the set of open ids, apart from the counters. */
  inFlight: number;
  duplicates: number;
  /** Accepts of an id already accepted (an ingress retry that reached two nodes, say). */
  reaccepted: number;
  rejected: number;
  /** Of `lost`: orders a node took with it when it died or left (see node-reaper.ts). */
  lostWithNode: number;
  /** Distinct ids the courier answered 200, recorded on the courier's side. */
  courierDeliveredIds: number;
  /** Orders settled as delivered that the courier never answered 200: must be 0 (null: not checked). */
  deliveredWithoutCourier: number | null;
  /** Scenario ms of the last delivery, or undefined. */
  lastDeliveryMs: number | undefined;
}

/**
 * The orders ledger shared by a cluster: the same rules as the local `OrderBook` (accepted once, settled
 * once, duplicates counted), made atomic with Lua so two nodes settling one order (a message redelivered
 * after a node died) cannot both count it.
 */
export class ClusterLedger {
  private readonly redis: Redis;
  private readonly keys: ClusterKeys;
  private readonly node: string;

  /** `node`: this node's name, recorded with each order it accepts. */
  constructor(options: { redis: Redis; keys: ClusterKeys; node: string }) {
    this.redis = options.redis;
    this.keys = options.keys;
    this.node = options.node;
  }

  /** True when accepted now; false when this id was already accepted (counted in `reaccepted`). */
  async accept(id: string): Promise<boolean> {
    const k = this.keys;
    return (await this.redis.eval(ACCEPT, 3, k.orderState, k.ordersOpen, k.orderTotals, id, this.node)) === 1;
  }

  /** Settles an open order; false (a duplicate, counted) when it was already settled or never accepted. */
  async settle(id: string, outcome: OrderOutcome, nowMs: number): Promise<boolean> {
    const k = this.keys;
    const r = await this.redis.eval(
      SETTLE,
      4,
      k.orderState,
      k.ordersOpen,
      k.orderTotals,
      k.ordersDelivered,
      id,
      outcome,
      nowMs,
    );
    return r === 1;
  }

  async reject(): Promise<void> {
    await this.redis.hincrby(this.keys.orderTotals, 'rejected', 1);
  }

  /** The courier's side: it answered 200 to a call carrying this correlation id. */
  async courierDelivered(id: string): Promise<void> {
    await this.redis.sadd(this.keys.courierDelivered, id);
  }

  async isOpen(id: string): Promise<boolean> {
    return ((await this.redis.hget(this.keys.orderState, id)) ?? '').startsWith('open:');
  }

  /**
   * The cluster's orders. `crossCheck` also compares the delivered ids with the courier's (an SDIFF over every
   * delivered id: 13 ms and 8 ms of this process's CPU at 10,000 orders, so for the report, not for the
   * 100 ms refresh); without it `deliveredWithoutCourier` is null.
   */
  async totals(crossCheck = true): Promise<ClusterOrderTotals> {
    const k = this.keys;
    const batch = this.redis.multi().hgetall(k.orderTotals).scard(k.ordersOpen).scard(k.courierDelivered);
    if (crossCheck) batch.sdiff(k.ordersDelivered, k.courierDelivered);
    const [t, open, courier, missing] = (await batch.exec())!.map(([err, value]) => {
      if (err) throw err;
      return value;
    }) as [Record<string, string>, number, number, string[] | undefined];
    const n = (name: string): number => Number(t[name] ?? 0);
    return {
      accepted: n('accepted'),
      delivered: n('delivered'),
      lost: n('lost'),
      lostWithNode: n('lostWithNode'),
      deadLettered: n('deadLettered'),
      inFlight: open,
      duplicates: n('duplicates'),
      reaccepted: n('reaccepted'),
      rejected: n('rejected'),
      courierDeliveredIds: courier,
      deliveredWithoutCourier: missing === undefined ? null : missing.length,
      lastDeliveryMs: t.lastDeliveredMs === undefined ? undefined : Number(t.lastDeliveredMs),
    };
  }
}

/** The orders identity, with inFlight counted independently of the settlement counters. */
export function ledgerIdentityHolds(t: ClusterOrderTotals): boolean {
  return t.accepted === t.delivered + t.lost + t.deadLettered + t.inFlight;
}
