import type { Redis } from 'ioredis';
import { ConfigError, describeValue } from '../config/config-error.js';
import type { LabOptions } from '../config/parse-options.js';
import { ClusterConcurrency } from './cluster-concurrency.js';
import { ClusterKeys } from './cluster-keys.js';
import { ClusterLedger } from './cluster-ledger.js';
import type { ClusterOptions } from './cluster-options.js';
import { ClusterQueue, type ClusterQueueOptions } from './cluster-queue.js';
import { clusterSettingsOf } from './cluster-settings.js';
import { ClusterThrottle } from './cluster-throttle.js';
import { ControlChannel } from './control-channel.js';
import { NodeMembership } from './node-membership.js';
import { NodeReaper } from './node-reaper.js';
import { connectRedis } from './redis-connect.js';

// The cluster has one courier (DESIGN section 11). A node without --courier-url runs its built-in courier as
// the cluster's, unless a live node already does: then it is refused, with that courier's address if known.
const CLAIM_COURIER = `
local owner = redis.call('HGET', KEYS[1], 'node')
if owner and owner ~= ARGV[1] and redis.call('EXISTS', ARGV[2] .. owner) == 1 then
  return {owner, redis.call('HGET', KEYS[1], 'url') or ''}
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'node', ARGV[1])
return {}
`;

export interface JoinOptions {
  /** Key prefix of the cluster. @default 'stormlab' */
  prefix?: string;
  /** Real ms of the heartbeat lease. */
  leaseMs?: number;
}

/**
 * This process as one node of a cluster: joined (or refused, exit 2, with nothing left open), with the
 * shared parts ready to use. Work that could not reach Redis is counted by cause in `unsynced`, never
 * dropped silently.
 */
export class ClusterNode {
  /** Ledger writes and shared calls that failed (Redis away), by what they were. */
  readonly unsynced: Record<string, number> = {};
  readonly concurrency: ClusterConcurrency;
  readonly ledger: ClusterLedger;
  readonly control: ControlChannel;
  readonly reaper: NodeReaper;
  private throttle: ClusterThrottle | undefined;
  private queues: ClusterQueue<unknown>[] = [];

  private constructor(
    readonly options: LabOptions,
    readonly cluster: ClusterOptions,
    readonly keys: ClusterKeys,
    readonly redis: Redis,
    private readonly subscriber: Redis,
    readonly membership: NodeMembership,
  ) {
    this.concurrency = new ClusterConcurrency({
      redis,
      keys,
      node: cluster.node,
      limit: options.concurrencyLimit,
    });
    this.ledger = new ClusterLedger({ redis, keys, node: cluster.node });
    this.control = new ControlChannel({ redis, subscriber, keys, node: cluster.node });
    this.reaper = new NodeReaper(redis, keys, keys.bullJobPrefix);
  }

  static async join(options: LabOptions, join: JoinOptions = {}): Promise<ClusterNode> {
    const cluster = options.cluster!;
    const keys = new ClusterKeys(join.prefix);
    const redis = await connectRedis(cluster.redis);
    let subscriber: Redis | undefined;
    try {
      const membership = new NodeMembership({
        redis,
        keys,
        node: cluster.node,
        settings: clusterSettingsOf(options),
        leaseMs: join.leaseMs,
      });
      await membership.join();
      subscriber = await connectRedis(cluster.redis);
      return new ClusterNode(options, cluster, keys, redis, subscriber, membership);
    } catch (err) {
      redis.disconnect();
      subscriber?.disconnect();
      throw err;
    }
  }

  get name(): string {
    return this.cluster.node;
  }

  /**
   * Makes this node's built-in courier the cluster's, or refuses (exit 2) when a live node's already is: two
   * built-in couriers would give the cluster two usage plans.
   */
  async claimCourier(): Promise<void> {
    const k = this.keys;
    const reply = (await this.redis.eval(
      CLAIM_COURIER,
      1,
      k.courierOwner,
      this.name,
      k.leasePrefix,
    )) as string[];
    if (reply.length === 0) return;
    const [owner, url] = reply;
    throw new ConfigError(
      `option --courier-url: not given, but node ${describeValue(owner)} already runs the cluster's built-in courier; allowed: --courier-url ${url ? `${url} (that courier)` : "URL of the cluster's courier (node " + owner + ' prints it when it starts)'}, or one \`npm run courier\` for every node`,
    );
  }

  /** Where this node's built-in courier, the cluster's, listens. */
  async announceCourier(url: string): Promise<void> {
    await this.redis.hset(this.keys.courierOwner, 'url', url);
  }

  /** Counts a shared operation that failed, by its kind. */
  lost(kind: string): void {
    this.unsynced[kind] = (this.unsynced[kind] ?? 0) + 1;
  }

  /** The cluster's throttle (bottleneck on Redis), made once. */
  sharedThrottle(): ClusterThrottle {
    this.throttle ??= new ClusterThrottle({
      redis: this.cluster.redis,
      id: this.keys.throttleId,
      rate: this.options.throttleRate,
      burst: this.options.throttleBurst,
      speed: this.options.speed,
      clear: this.membership.joined === 'new',
    });
    return this.throttle;
  }

  /** The cluster's queue (BullMQ) with this node's consumer. */
  sharedQueue<T>(
    handlers: Pick<ClusterQueueOptions<T>, 'handler' | 'onDeadLetter' | 'onExpired'>,
  ): ClusterQueue<T> {
    const o = this.options;
    const queue = new ClusterQueue<T>({
      redis: this.cluster.redis,
      prefix: this.keys.bullPrefix,
      speed: o.speed,
      maxConcurrency: o.queueConcurrency,
      visibilityTimeoutS: o.visibilityTimeoutS,
      maxReceiveCount: o.maxReceiveCount,
      retentionS: o.retentionS,
      ...handlers,
    });
    this.queues.push(queue as ClusterQueue<unknown>);
    return queue;
  }

  /** Closes the shared parts and gives the node's name back. */
  async leave(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close().catch(() => undefined)));
    await this.throttle?.stop().catch(() => undefined);
    await this.control.stop().catch(() => undefined);
    await this.membership.leave().catch(() => undefined);
    // What this node still held in memory is lost with it (counted in the ledger's lostWithNode).
    await this.reaper.reap(this.name).catch(() => this.lost('reap'));
    this.subscriber.disconnect();
    this.redis.disconnect();
  }
}
