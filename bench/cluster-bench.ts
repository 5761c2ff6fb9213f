/**
 * The cluster's shared parts across real processes on one private redis-server (`npm run bench -- --only
 * cluster`):
 * - the shared throttle (bottleneck on Redis, rate 9 per scenario second) at speeds 1, 10 and 50, two nodes
 *   drawing grants as fast as they are given: grants per scenario second over the run, its error against the
 *   rate, and the worst 10-second window;
 * - the queue (BullMQ, MaximumConcurrency 10) drained by one node and by two: messages per real second from
 *   the release of a paused queue to the last message settled in the ledger (each message is an INCR/DECR
 *   probe, a ledger settle and a publish, about what the lab adds per delivery), with no handler time and
 *   with 200 ms a message (where the cap, not Redis, is the bound: 50 a second at most).
 * Skipped, with the reason, when there is no redis-server.
 */
import type { Redis } from 'ioredis';
import { ClusterKeys } from '../lab/cluster/cluster-keys.js';
import { ClusterLedger } from '../lab/cluster/cluster-ledger.js';
import { ClusterQueue } from '../lab/cluster/cluster-queue.js';
import { redisServerAvailable, startPrivateRedis } from '../lab/cluster/private-redis.js';
import { connectRedis } from '../lab/cluster/redis-connect.js';
import { parseRedisUrl, type RedisAddress } from '../lab/cluster/redis-url.js';
import { NodeProcess } from '../test/helpers/cluster-process.js';
import { round, type BenchContext, type Figures } from './bench-utils.js';

const RATE = 9;
const SPEEDS = [1, 10, 50] as const;
const QUEUE_CAP = 10;

async function throttleFigures(
  url: string,
  redis: Redis,
  speed: number,
  seconds: number,
): Promise<{ perS: number; errorPct: number; worstWindow: number }> {
  const prefix = `bench-thr-${speed}`;
  const grants = Math.round((RATE * speed * seconds) / 2);
  const spec = { role: 'throttle' as const, url, prefix, rate: RATE, speed, grants };
  const nodes = [new NodeProcess({ ...spec, node: 'a' }), new NodeProcess({ ...spec, node: 'b' })];
  await Promise.all(nodes.map((n) => n.waitFor('ready')));
  await redis.rpush(`${prefix}:probe:go`, 'a', 'b');
  const done = await Promise.all(nodes.map((n) => n.waitFor('done')));
  await Promise.all(nodes.map((n) => n.exited));
  const all = done.flatMap((d) => d.grants as number[]).sort((x, y) => x - y);
  const s = all.map((g) => ((g - all[0]!) * speed) / 1000);
  const perS = (s.length - 1) / s.at(-1)!;
  let worst = 0;
  let j = 0;
  for (let i = 0; i < s.length && s[i]! + 10 <= s.at(-1)!; i++) {
    while (j < s.length && s[j]! < s[i]! + 10) j++;
    worst = Math.max(worst, Math.abs(j - i - RATE * 10));
  }
  return {
    perS: round(perS, 3),
    errorPct: round((Math.abs(perS - RATE) / RATE) * 100, 2),
    worstWindow: worst,
  };
}

async function queueThroughput(
  url: string,
  address: RedisAddress,
  nodes: number,
  messages: number,
  holdMs: number,
): Promise<number> {
  const prefix = `bench-q-${nodes}-${holdMs}`;
  const keys = new ClusterKeys(prefix);
  const redis = await connectRedis(address);
  const subscriber = await connectRedis(address);
  const ledger = new ClusterLedger({ redis, keys, node: 'bench' });
  const common = { redis: address, prefix: keys.bullPrefix, speed: 10, maxConcurrency: QUEUE_CAP };
  const sqs = { visibilityTimeoutS: 150, maxReceiveCount: undefined, retentionS: 345600 };
  const producer = new ClusterQueue<{ id: string }>({
    ...common,
    ...sqs,
    handler: () => Promise.resolve('done'),
    consume: false,
  });
  await producer.ready();
  const base = { role: 'queue' as const, url, prefix, cap: QUEUE_CAP, speed: 10, ...sqs, holdMs };
  const procs = Array.from({ length: nodes }, (_, i) => new NodeProcess({ ...base, node: `n${i}` }));
  await Promise.all(procs.map((p) => p.waitFor('ready')));
  await producer.pause();
  for (let i = 0; i < messages; i++) {
    await ledger.accept(`q-${i}`);
    await producer.send(`q-${i}`, { id: `q-${i}` });
  }
  let settled = 0;
  const allSettled = new Promise<number>((resolve) => {
    subscriber.on('message', () => {
      if (++settled === messages) resolve(performance.now());
    });
  });
  await subscriber.subscribe(`${prefix}:probe:settled`);
  const start = performance.now();
  await producer.resume();
  const end = await allSettled;
  await Promise.all(procs.map((p) => p.stop()));
  await producer.close();
  redis.disconnect();
  subscriber.disconnect();
  return round(messages / ((end - start) / 1000), 1);
}

export default async function clusterBench(ctx: BenchContext): Promise<Figures> {
  if (!redisServerAvailable()) {
    return { 'cluster.skipped': 'no redis-server on the PATH (apt-get install redis-server)' };
  }
  const server = await startPrivateRedis();
  const address = parseRedisUrl(server.url)!;
  const redis = await connectRedis(address);
  const figures: Figures = {};
  try {
    for (const speed of SPEEDS) {
      // Long enough for several 10-second windows at every speed.
      const seconds = speed === 1 ? (ctx.full ? 60 : 25) : ctx.full ? 20 : 6;
      ctx.log(`cluster: shared throttle at speed ${speed}, two nodes, ${seconds} s`);
      const f = await throttleFigures(server.url, redis, speed, seconds);
      figures[`cluster.throttle.speed${speed}.grantsPerScenarioS`] = f.perS;
      figures[`cluster.throttle.speed${speed}.errorPct`] = f.errorPct;
      figures[`cluster.throttle.speed${speed}.worstWindowOff`] = f.worstWindow;
    }
    // With no handler time, then with 200 ms a message (10 slots: at most 50 a second, whatever the nodes).
    for (const holdMs of [0, 200]) {
      const messages = holdMs === 0 ? (ctx.full ? 3000 : 800) : ctx.full ? 1500 : 500;
      for (const nodes of [1, 2]) {
        ctx.log(`cluster: queue throughput, ${nodes} node(s), ${messages} messages of ${holdMs} ms`);
        figures[`cluster.queue.hold${holdMs}ms.nodes${nodes}.messagesPerS`] = await queueThroughput(
          server.url,
          address,
          nodes,
          messages,
          holdMs,
        );
      }
    }
  } finally {
    redis.disconnect();
    await server.stop();
  }
  return figures;
}
