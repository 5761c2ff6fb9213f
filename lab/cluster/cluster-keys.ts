/** BullMQ's name of the cluster's queue (its keys are `bullPrefix:orders:...`). */
export const QUEUE_NAME = 'orders';

/**
 * Every Redis key a cluster uses, in one place, under one prefix (default `stormlab`), so several clusters
 * (or tests) can share a server without seeing each other. BullMQ and bottleneck add their own keys under
 * the same prefix.
 */
export class ClusterKeys {
  constructor(readonly prefix = 'stormlab') {}

  /** A node's heartbeat lease: its value is the node's join token; it expires unless renewed. */
  lease(node: string): string {
    return `${this.prefix}:node:${node}`;
  }
  /** Lease keys start with this; Lua scripts build a node's lease key from it. */
  get leasePrefix(): string {
    return `${this.prefix}:node:`;
  }
  /** Names of nodes that joined (live or not: a dead one is removed when found with no lease). */
  get nodes(): string {
    return `${this.prefix}:nodes`;
  }
  /** Set when the last node left cleanly: the run is over, and the next node to join starts a new one. */
  get finished(): string {
    return `${this.prefix}:finished`;
  }
  /** Nodes whose built-in load is still running: the cluster is not drained while any is. */
  get loadsRunning(): string {
    return `${this.prefix}:loads-running`;
  }
  /** The run-shaping settings the first node set, as canonical JSON. */
  get settings(): string {
    return `${this.prefix}:settings`;
  }
  /** Account concurrency held, by node (hash node -> executions). */
  get concurrencyHeld(): string {
    return `${this.prefix}:concurrency:held`;
  }
  /** Cluster-wide peak of account concurrency. */
  get concurrencyPeak(): string {
    return `${this.prefix}:concurrency:peak`;
  }
  /** Slots taken back from nodes whose lease expired. */
  get concurrencyReclaimed(): string {
    return `${this.prefix}:concurrency:reclaimed`;
  }
  /** Order id -> state (open, delivered, lost, deadLettered). */
  get orderState(): string {
    return `${this.prefix}:orders:state`;
  }
  /** Ids of orders accepted and not yet settled: counted apart from the totals, to check them. */
  get ordersOpen(): string {
    return `${this.prefix}:orders:open`;
  }
  /** Ids of orders settled as delivered. */
  get ordersDelivered(): string {
    return `${this.prefix}:orders:delivered`;
  }
  /** Counters: accepted, delivered, lost, deadLettered, duplicates, reaccepted, rejected. */
  get orderTotals(): string {
    return `${this.prefix}:orders:totals`;
  }
  /** Correlation ids the courier answered 200, written on the courier's side of the call. */
  get courierDelivered(): string {
    return `${this.prefix}:courier:delivered`;
  }
  /** The node whose built-in courier is the cluster's (`node`, and `url` once it listens). */
  get courierOwner(): string {
    return `${this.prefix}:courier:owner`;
  }
  /** The control channel (pub/sub) and the last value of each control, for nodes that join later. */
  get controlChannel(): string {
    return `${this.prefix}:control`;
  }
  get controlState(): string {
    return `${this.prefix}:control:state`;
  }
  /** BullMQ's key prefix and queue name; bottleneck's limiter id. */
  get bullPrefix(): string {
    return `${this.prefix}:bull`;
  }
  /** BullMQ's key of one job is this and the job's id (an order's correlation id). */
  get bullJobPrefix(): string {
    return `${this.bullPrefix}:${QUEUE_NAME}:`;
  }
  get throttleId(): string {
    return `${this.prefix}:throttle`;
  }
}
