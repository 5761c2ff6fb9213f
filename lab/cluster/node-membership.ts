import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { ConfigError, describeValue } from '../config/config-error.js';
import type { ClusterKeys } from './cluster-keys.js';
import { describeDifferences, type ClusterSettings } from './cluster-settings.js';

/**
 * Real ms a lease lives unless renewed; a killed node's lease, and with it its slots, is gone after this.
 * Long enough to outlast the event-loop stalls of a busy host (a two-node run on a loaded 2-core machine saw
 * stalls of 9 s with a 3 s lease, and nodes lost their leases while alive).
 */
export const DEFAULT_LEASE_MS = 10_000;

// Joins atomically: refuses a name with a live lease, or settings that differ from the cluster's. A cluster
// whose last node left cleanly (or that never ran) is over: the first node to join wipes the prefix and
// starts a new run. A cluster whose nodes all died is resumed: its queue, ledger and settings are kept, so
// the messages a dead node held come back to the node that joins next.
const JOIN = `
local lease, nodes, settings, finished = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local token, leaseMs, leasePrefix, node, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if redis.call('EXISTS', lease) == 1 then return {'in-use', tostring(redis.call('PTTL', lease))} end
local live = 0
for _, n in ipairs(redis.call('SMEMBERS', nodes)) do
  if redis.call('EXISTS', leasePrefix .. n) == 1 then live = live + 1 else redis.call('SREM', nodes, n) end
end
local fresh = live == 0 and (redis.call('EXISTS', finished) == 1 or redis.call('EXISTS', settings) == 0)
if not fresh then
  local diffs = {}
  for i = 6, #ARGV, 2 do
    local have = redis.call('HGET', settings, ARGV[i])
    if have ~= ARGV[i + 1] then
      table.insert(diffs, ARGV[i]); table.insert(diffs, ARGV[i + 1]); table.insert(diffs, have or 'unset')
    end
  end
  if #diffs > 0 then
    local out = {'mismatch'}
    for _, d in ipairs(diffs) do table.insert(out, d) end
    return out
  end
else
  local cursor = '0'
  repeat
    local page = redis.call('SCAN', cursor, 'MATCH', prefix .. ':*', 'COUNT', 1000)
    cursor = page[1]
    for _, k in ipairs(page[2]) do redis.call('DEL', k) end
  until cursor == '0'
  for i = 6, #ARGV, 2 do redis.call('HSET', settings, ARGV[i], ARGV[i + 1]) end
end
redis.call('SET', lease, token, 'PX', leaseMs)
redis.call('SADD', nodes, node)
return {fresh and 'new' or (live == 0 and 'resumed' or 'joined'), tostring(live)}
`;

// 1: renewed; 2: the lease had expired (the node stalled past it) and was taken again; 3: the same, and the
// cluster's settings were gone too: Redis came back empty (a restart without persistence); 0: another
// process holds the name now.
const HEARTBEAT = `
local have = redis.call('GET', KEYS[1])
if have == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if have then return 0 end
local emptied = redis.call('EXISTS', KEYS[3]) == 0
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
for i = 4, #ARGV, 2 do redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[i + 1]) end
if emptied then return 3 end
return 2
`;

// The last node to leave cleanly ends the run (the next node to join starts a new one).
const LEAVE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) redis.call('SREM', KEYS[2], ARGV[2]) end
for _, n in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', ARGV[3] .. n) == 1 then return 0 end
end
redis.call('SET', KEYS[3], '1')
return 1
`;

export type JoinKind = 'new' | 'joined' | 'resumed';

export interface MembershipOptions {
  redis: Redis;
  keys: ClusterKeys;
  node: string;
  settings: ClusterSettings;
  /** @default DEFAULT_LEASE_MS (real ms) */
  leaseMs?: number;
}

export interface MembershipEvents {
  /**
   * The lease had vanished and was taken again: the node stalled past its lease, or (`emptied`) Redis came
   * back without the cluster's state (restarted with no persistence).
   */
  rejoined: [emptied: boolean];
  /** Another process holds this node's name now: this node must stop. */
  lost: [];
  /** A heartbeat could not reach Redis. */
  unreachable: [error: Error];
}

/**
 * A node's place in the cluster: a lease kept alive by a heartbeat (every third of the lease). Everything a
 * node holds in Redis (concurrency slots) is tied to the lease, so a killed node's share comes back when its
 * lease expires.
 */
export class NodeMembership extends EventEmitter<MembershipEvents> {
  readonly node: string;
  readonly token = randomUUID();
  readonly leaseMs: number;
  /** How this node joined: it started a new run, joined live nodes, or resumed a run whose nodes died. */
  joined: JoinKind | undefined;
  /** Live nodes found at join, this one not counted. */
  othersAtJoin = 0;
  rejoins = 0;
  heartbeatFailures = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly redis: Redis;
  private readonly keys: ClusterKeys;
  private readonly settingArgs: string[];

  constructor(options: MembershipOptions) {
    super();
    this.redis = options.redis;
    this.keys = options.keys;
    this.node = options.node;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.settingArgs = Object.entries(options.settings).flat();
  }

  /** Joins, or refuses (a ConfigError, exit 2) with the reason: the name in use, or settings that differ. */
  async join(): Promise<void> {
    const k = this.keys;
    const reply = (await this.redis.eval(
      JOIN,
      4,
      k.lease(this.node),
      k.nodes,
      k.settings,
      k.finished,
      this.token,
      this.leaseMs,
      k.leasePrefix,
      this.node,
      k.prefix,
      ...this.settingArgs,
    )) as string[];
    if (reply[0] === 'in-use') {
      throw new ConfigError(
        `option --node: got ${describeValue(this.node)}, a name a live node of this cluster holds (its lease ends in ${reply[1]} ms unless renewed); allowed: a name no live node uses`,
      );
    }
    if (reply[0] === 'mismatch') {
      const diffs = [];
      for (let i = 1; i + 2 < reply.length; i += 3) {
        diffs.push({ name: reply[i]!, ours: reply[i + 1]!, theirs: reply[i + 2]! });
      }
      throw new ConfigError(
        `option --cluster: this node's ${describeDifferences(diffs)}; allowed: the same run-shaping options as the cluster's live nodes`,
      );
    }
    this.joined = reply[0] as JoinKind;
    this.othersAtJoin = Number(reply[1]);
    this.timer = setInterval(() => void this.beat(), Math.max(50, Math.floor(this.leaseMs / 3)));
    // The heartbeat must not keep a finished process alive; the run's own work does that.
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    const k = this.keys;
    try {
      const r = await this.redis.eval(
        HEARTBEAT,
        3,
        k.lease(this.node),
        k.nodes,
        k.settings,
        this.token,
        this.leaseMs,
        this.node,
        ...this.settingArgs,
      );
      if (r === 2 || r === 3) {
        this.rejoins++;
        this.emit('rejoined', r === 3);
      } else if (r === 0) {
        this.stopHeartbeat();
        this.emit('lost');
      }
    } catch (err) {
      this.heartbeatFailures++;
      this.emit('unreachable', err as Error);
    }
  }

  /** A setting changed live (mode, queue concurrency, throttle rate): re-asserted after a Redis restart. */
  updateSetting(name: string, value: string): void {
    for (let i = 0; i < this.settingArgs.length; i += 2) {
      if (this.settingArgs[i] === name) this.settingArgs[i + 1] = value;
    }
  }

  private stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Gives the name back at once (a clean exit); a killed node's lease just expires. */
  async leave(): Promise<void> {
    this.stopHeartbeat();
    const k = this.keys;
    await this.redis.eval(
      LEAVE,
      3,
      k.lease(this.node),
      k.nodes,
      k.finished,
      this.token,
      this.node,
      k.leasePrefix,
    );
  }
}
