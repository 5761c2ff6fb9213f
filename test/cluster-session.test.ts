/**
 * The dashboard's session on a cluster node: its keys reach the other nodes, its snapshot shows the cluster's
 * orders, a restart is refused, and finishing leaves the cluster.
 */
import t from 'tap';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { labOptionsWith } from '../lab/config/parse-options.js';
import { ClusterKeys } from '../lab/cluster/cluster-keys.js';
import { ClusterLedger } from '../lab/cluster/cluster-ledger.js';
import { ClusterLabSession } from '../lab/cluster/cluster-session.js';
import { ControlChannel, type ControlMessage } from '../lab/cluster/control-channel.js';
import { connectRedis } from '../lab/cluster/redis-connect.js';
import { parseRedisUrl } from '../lab/cluster/redis-url.js';
import { tempDir } from './helpers/capture.js';
import { ownRedis, redisSkip } from './helpers/cluster-redis.js';

const skip = redisSkip(true);
const dir = tempDir('stormlab-cluster-session-');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('a dashboard on a cluster node', { skip, timeout: 120_000 }, async (t) => {
  const server = await ownRedis(t);
  const address = parseRedisUrl(server.url)!;
  const keys = new ClusterKeys();
  const session = await ClusterLabSession.start(
    labOptionsWith({
      scenario: 'smoke',
      mode: 'queue',
      speed: 10,
      loadFactor: 0.5,
      logFile: 'none',
      report: join(dir, 'a.json'),
      cluster: { redis: address, node: 'a' },
    }),
  );
  let finished = false;
  t.teardown(() => (finished ? undefined : session.finish('quit')));
  // Another node's ears: what this node's keys publish.
  const redis = await connectRedis(address);
  const subscriber = await connectRedis(address);
  t.teardown(() => {
    redis.disconnect();
    subscriber.disconnect();
  });
  const other = new ControlChannel({ redis, subscriber, keys, node: 'b' });
  await other.start();
  const next = async (): Promise<ControlMessage['change']> =>
    ((await once(other, 'change')) as [ControlMessage])[0].change;

  let heard = next();
  session.setMode('none');
  t.same(await heard, { kind: 'mode', value: 'none' }, 'a mode key reaches the cluster');
  t.equal(session.snapshot().mode, 'none');
  heard = next();
  session.setQueueConcurrency(4);
  t.same(await heard, { kind: 'queue-concurrency', value: 4 });
  t.equal(await redis.hget(`${keys.bullPrefix}:orders:meta`, 'concurrency'), '4', "BullMQ's global cap");
  t.equal(session.snapshot().queueConcurrency, 4, 'the dashboard shows the new cap');
  heard = next();
  // This node's factor 0.5 (its share) to 1: the others double theirs.
  session.setLoadFactor(1);
  t.same(await heard, { kind: 'load', value: 2 });
  t.equal(session.snapshot().loadFactor, 1);

  await t.rejects(session.restart(), /not in a cluster: stop every node and start them again/);

  // An order node b accepted: the cluster's ledger has it, this node's book does not.
  await new ClusterLedger({ redis, keys, node: 'b' }).accept('from-b');
  const report = (await session.finish('quit')) as unknown as {
    orders: { accepted: number };
    cluster: { orders: { accepted: number; inFlight: number } };
  };
  finished = true;
  t.equal(report.cluster.orders.accepted, report.orders.accepted + 1, "the cluster's orders include b's");
  const shown = session.snapshot().orders;
  t.equal(shown.accepted, report.cluster.orders.accepted, "the snapshot shows the cluster's orders");
  t.equal(shown.inFlight, report.cluster.orders.inFlight);
  t.equal(await redis.exists(keys.lease('a')), 0, 'finishing left the cluster');
});
