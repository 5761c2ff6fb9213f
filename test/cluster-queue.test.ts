import t from 'tap';
import type { Redis } from 'ioredis';
import { ClusterKeys } from '../lab/cluster/cluster-keys.js';
import { ClusterLedger, ledgerIdentityHolds } from '../lab/cluster/cluster-ledger.js';
import { ClusterQueue } from '../lab/cluster/cluster-queue.js';
import { connectRedis } from '../lab/cluster/redis-connect.js';
import { parseRedisUrl } from '../lab/cluster/redis-url.js';
import { redisSkip, testRedis } from './helpers/cluster-redis.js';
import type { NodeSpec } from './fixtures/cluster-node.js';
import { startNodes } from './helpers/cluster-process.js';

// The queue of queue mode on BullMQ, consumed by real processes sharing one redis-server.
const skip = redisSkip();
const speed = 20;
const visibilityTimeoutS = 30;
/** The visibility timeout in real ms at this speed. */
const VT_MS = (visibilityTimeoutS * 1000) / speed;

interface Harness {
  redis: Redis;
  keys: ClusterKeys;
  ledger: ClusterLedger;
  producer: ClusterQueue<{ id: string }>;
  /** A consumer node's spec, but for its name and behaviour. */
  base: Omit<NodeSpec, 'node'>;
  /** Resolves when these ids have all been settled by some node (each node publishes what it settles). */
  settled(ids: string[]): Promise<void>;
}

async function harness(t: { teardown(fn: () => unknown): void }, cap: number): Promise<Harness> {
  const { url, prefix } = await testRedis();
  const address = parseRedisUrl(url)!;
  const redis = await connectRedis(address);
  const subscriber = await connectRedis(address);
  const keys = new ClusterKeys(prefix);
  const producer = new ClusterQueue<{ id: string }>({
    redis: address,
    prefix: keys.bullPrefix,
    speed,
    maxConcurrency: cap,
    visibilityTimeoutS,
    maxReceiveCount: undefined,
    retentionS: 345600,
    handler: () => Promise.resolve('done'),
    consume: false,
  });
  await producer.ready();
  const seen = new Set<string>();
  const waiters: (() => void)[] = [];
  subscriber.on('message', (_channel: string, id: string) => {
    seen.add(id);
    for (const w of waiters.splice(0)) w();
  });
  await subscriber.subscribe(`${prefix}:probe:settled`);
  t.teardown(async () => {
    await producer.close();
    redis.disconnect();
    subscriber.disconnect();
  });
  return {
    redis,
    keys,
    ledger: new ClusterLedger({ redis, keys, node: 'producer' }),
    producer,
    base: { role: 'queue', url, prefix, cap, speed, visibilityTimeoutS },
    settled: (ids) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (ids.every((id) => seen.has(id))) resolve();
          else waiters.push(check);
        };
        check();
      }),
  };
}

async function send(h: Harness, ids: string[]): Promise<void> {
  for (const id of ids) {
    await h.ledger.accept(id);
    await h.producer.send(id, { id });
  }
}

const idsOf = (n: number): string[] => Array.from({ length: n }, (_, i) => `m-${i}`);

t.test(
  'two consumer processes: MaximumConcurrency held cluster-wide, failures back after VT',
  { skip },
  async (t) => {
    const cap = 3;
    const h = await harness(t, cap);
    const base = h.base;
    const failFirst = ['m-2', 'm-7', 'm-11'];
    const nodes = startNodes(t, [
      { ...base, node: 'a', holdMs: 30, failFirst },
      { ...base, node: 'b', holdMs: 30, failFirst },
    ]);
    await Promise.all(nodes.map((n) => n.waitFor('ready')));
    const ids = idsOf(24);
    await send(h, ids);
    await h.settled(ids);
    const finals = await Promise.all(nodes.map((n) => n.stop()));
    t.same(
      finals.map((f) => f.violations),
      [0, 0],
      'no invocation saw more than MaximumConcurrency running across both nodes',
    );
    t.equal(Math.max(...finals.map((f) => f.maxSeen as number)), cap, 'the cap was reached');
    const receives = finals.flatMap(
      (f) => f.receives as { id: string; receiveCount: number; atMs: number }[],
    );
    t.ok(
      finals.every((f) => (f.receives as unknown[]).length > 0),
      'both nodes received messages',
    );
    for (const id of failFirst) {
      const r = receives.filter((x) => x.id === id).sort((x, y) => x.receiveCount - y.receiveCount);
      t.same(
        r.map((x) => x.receiveCount),
        [1, 2],
        `${id} received twice`,
      );
      const backAfterMs = r[1]!.atMs - r[0]!.atMs;
      // SQS: a failed message is visible again VT after it was received (ms resolution of Date.now).
      t.ok(backAfterMs >= VT_MS - 2, `${id} came back ${backAfterMs} ms after its receive (VT ${VT_MS} ms)`);
    }
    t.equal(receives.length, 24 + failFirst.length, 'every other message received once');
    const totals = await h.ledger.totals();
    t.match(totals, {
      accepted: 24,
      delivered: 24,
      inFlight: 0,
      duplicates: 0,
      courierDeliveredIds: 24,
      deliveredWithoutCourier: 0,
    });
    t.ok(ledgerIdentityHolds(totals));
    t.same(await h.producer.counts(), { visible: 0, inFlight: 0, delayed: 0, deadLettered: 0 });
  },
);

t.test(
  "a killed node's leased messages come back after VT on another node; nothing lost",
  { skip },
  async (t) => {
    const cap = 2;
    const h = await harness(t, cap);
    const base = h.base;
    const [doomed] = startNodes(t, [{ ...base, node: 'doomed', hang: true }]);
    await doomed!.waitFor('ready');
    const ids = idsOf(6);
    await send(h, ids);
    // It takes the whole cap and hangs on both messages, then dies without a word.
    const held = await Promise.all([
      doomed!.waitFor('received'),
      doomed!.waitFor('received', (l) => l.id !== 'm-0'),
    ]);
    const heldIds = held.map((l) => l.id as string).sort();
    doomed!.kill();
    await doomed!.exited;
    const killedAt = Date.now();
    const [survivor] = startNodes(t, [{ ...base, node: 'survivor', holdMs: 5 }]);
    await h.settled(ids);
    const final = await survivor!.stop();
    const receives = final.receives as { id: string; receiveCount: number; atMs: number }[];
    for (const id of heldIds) {
      const r = receives.find((x) => x.id === id)!;
      t.equal(r.receiveCount, 2, `${id}: its second receive, on the survivor`);
      // The lock lapses VT after its last renewal (at most VT/2 before the kill) and a stalled check finds it.
      t.ok(
        r.atMs - killedAt >= VT_MS / 2 - 2,
        `${id} back ${r.atMs - killedAt} ms after the kill (VT ${VT_MS} ms)`,
      );
    }
    const totals = await h.ledger.totals();
    t.match(totals, { accepted: 6, delivered: 6, inFlight: 0, duplicates: 0, deliveredWithoutCourier: 0 });
    t.same(await h.producer.counts(), { visible: 0, inFlight: 0, delayed: 0, deadLettered: 0 });
  },
);
