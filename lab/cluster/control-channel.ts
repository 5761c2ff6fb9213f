import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { ClusterKeys } from './cluster-keys.js';

/** A live change made on one node that every node applies: the same keys the dashboard offers. */
export type ControlChange =
  | { kind: 'mode'; value: 'none' | 'queue' | 'throttle' }
  | { kind: 'load'; value: number }
  | { kind: 'queue-concurrency'; value: number }
  | { kind: 'throttle-rate'; value: number }
  | { kind: 'paused'; value: boolean };

export interface ControlMessage {
  change: ControlChange;
  /** The node that made the change. */
  from: string;
  /** Per-cluster sequence number: a late joiner's state and live messages agree on order. */
  seq: number;
  /** Redis server time when published, in ms: every node measures delivery delay on one clock. */
  publishedAtMs: number;
}

// The last value of each control is stored with the message, atomically, so a node that joins later (or
// reconnects after Redis restarted) starts from the cluster's current mode and load. Settings that must
// match at join (mode, queue concurrency, throttle rate) are updated with it.
const PUBLISH = `
local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local msg = cjson.encode({ change = cjson.decode(ARGV[1]), from = ARGV[2], seq = seq, publishedAtMs = ms })
redis.call('HSET', KEYS[2], ARGV[3], msg)
if ARGV[4] ~= '' then redis.call('HSET', KEYS[3], ARGV[3], ARGV[4]) end
redis.call('PUBLISH', KEYS[1], msg)
return msg
`;

/** Changes whose value is also a setting checked at join. */
const SETTING_OF: Partial<Record<ControlChange['kind'], string>> = {
  mode: 'mode',
  'queue-concurrency': 'queue-concurrency',
  'throttle-rate': 'throttle-rate',
};

export interface ControlEvents {
  /** A change from any node, this one included (so every node applies changes on one path). */
  change: [message: ControlMessage];
}

/**
 * Mode switches and load changes across a cluster, over Redis pub/sub: a change made on any node reaches
 * every node in one publish (milliseconds on a LAN; the contract is within a second). Needs its own
 * subscriber connection: a subscribed ioredis client can send nothing else.
 */
export class ControlChannel extends EventEmitter<ControlEvents> {
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly keys: ClusterKeys;
  private readonly node: string;

  constructor(options: { redis: Redis; subscriber: Redis; keys: ClusterKeys; node: string }) {
    super();
    this.redis = options.redis;
    this.subscriber = options.subscriber;
    this.keys = options.keys;
    this.node = options.node;
  }

  /** Subscribes, then returns the cluster's current controls (last value of each), oldest first. */
  async start(): Promise<ControlMessage[]> {
    this.subscriber.on('message', (channel: string, text: string) => {
      if (channel === this.keys.controlChannel) this.deliver(JSON.parse(text) as ControlMessage);
    });
    await this.subscriber.subscribe(this.keys.controlChannel);
    return this.current();
  }

  /** The last value of each control, oldest first. */
  async current(): Promise<ControlMessage[]> {
    const state = await this.redis.hgetall(this.keys.controlState);
    return Object.entries(state)
      .filter(([name]) => name !== 'seq')
      .map(([, text]) => JSON.parse(text) as ControlMessage)
      .sort((a, b) => a.seq - b.seq);
  }

  // A change published while start() subscribes may arrive both live and in current(): harmless, since
  // applying a control twice (the same mode, the same load) changes nothing.
  private deliver(message: ControlMessage): void {
    this.emit('change', message);
  }

  async publish(change: ControlChange): Promise<ControlMessage> {
    const setting = SETTING_OF[change.kind];
    const text = (await this.redis.eval(
      PUBLISH,
      3,
      this.keys.controlChannel,
      this.keys.controlState,
      this.keys.settings,
      JSON.stringify(change),
      this.node,
      change.kind,
      setting === undefined ? '' : String(change.value),
    )) as string;
    return JSON.parse(text) as ControlMessage;
  }

  /** Redis server time in ms, to measure how long a message took to arrive. */
  async serverTimeMs(): Promise<number> {
    const [s, us] = await this.redis.time();
    return Number(s) * 1000 + Math.floor(Number(us) / 1000);
  }

  async stop(): Promise<void> {
    await this.subscriber.unsubscribe(this.keys.controlChannel);
  }
}
