import t from 'tap';
import { once } from 'node:events';
import { ConfigError } from '../lab/config/config-error.js';
import { labOptionsWith } from '../lab/config/parse-options.js';
import { clusterSettingsOf } from '../lab/cluster/cluster-settings.js';
import { NodeMembership } from '../lab/cluster/node-membership.js';
import { NodeReaper } from '../lab/cluster/node-reaper.js';
import { ClusterLedger, ledgerIdentityHolds } from '../lab/cluster/cluster-ledger.js';
import { connectRedis } from '../lab/cluster/redis-connect.js';
import { parseRedisUrl } from '../lab/cluster/redis-url.js';
import { redisSkip, testClient } from './helpers/cluster-redis.js';

const skip = redisSkip();

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a refusal');
}

t.test('an unreachable Redis is refused with the address and how to start one', async (t) => {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  const message = await refusal(connectRedis(parseRedisUrl('redis://127.0.0.1:1')!));
  t.match(
    message,
    /^option --cluster: got "redis:\/\/127\.0\.0\.1:1", but Redis there is unreachable \(ECONNREFUSED\)/,
  );
  t.match(message, /redis-server --port 1/);
});

t.test('membership: names, settings, leases', { skip }, async (t) => {
  const { keys, redis } = await testClient(t);
  const settings = clusterSettingsOf(labOptionsWith({ speed: 10, mode: 'queue' }));
  const member = (node: string, s = settings, leaseMs = 600): NodeMembership =>
    new NodeMembership({ redis, keys, node, settings: s, leaseMs });

  // Left from an earlier run: a fresh cluster must not count it.
  await redis.hset(keys.orderTotals, 'accepted', 99);
  const a = member('a');
  await a.join();
  t.equal(a.joined, 'new');
  t.equal(a.othersAtJoin, 0);
  t.equal(await redis.hget(keys.orderTotals, 'accepted'), null, 'the first node wiped the last run');

  t.match(
    await refusal(member('a').join()),
    /^option --node: got "a", a name a live node of this cluster holds \(its lease ends in \d+ ms unless renewed\); allowed: a name no live node uses$/,
    'a live name is refused',
  );

  const other = clusterSettingsOf(labOptionsWith({ speed: 20, mode: 'none' }));
  t.equal(
    await refusal(member('b', other).join()),
    "option --cluster: this node's --speed 20 (the cluster runs 10), --mode none (the cluster runs queue); allowed: the same run-shaping options as the cluster's live nodes",
  );
  const b = member('b');
  await b.join();
  t.equal(b.othersAtJoin, 1, 'same settings join');
  t.equal(b.joined, 'joined');

  await b.leave();
  t.equal(await redis.exists(keys.lease('b')), 0, 'a clean leave gives the name back at once');
  // A killed node's heartbeat stops, so its lease (Redis' own PX) runs out.
  const c = member('c', settings, 300);
  await c.join();
  (c as unknown as { stopHeartbeat(): void }).stopHeartbeat();
  const expired = await redis.pttl(keys.lease('c'));
  t.ok(expired > 0 && expired <= 300, 'c holds a lease of at most 300 ms');
  // Its expiry is Redis' own PX: the lease running out is the key going, as here.
  await redis.del(keys.lease('c'));
  const c2 = member('c');
  await c2.join();
  t.equal(c2.joined, 'joined', 'the name of a dead node can be taken again');
  await a.leave();
  await c2.leave();
  t.equal(await redis.get(keys.finished), '1', 'the last node to leave cleanly ended the run');
  await redis.hset(keys.orderTotals, 'accepted', 7);
  const next = member('d');
  await next.join();
  t.equal(next.joined, 'new');
  t.equal(await redis.hget(keys.orderTotals, 'accepted'), null, 'a new run starts from nothing');
  await next.leave();
});

t.test('a run whose nodes all died is resumed by the next node, with its state', { skip }, async (t) => {
  const { keys, redis } = await testClient(t);
  const settings = clusterSettingsOf(labOptionsWith({ mode: 'queue' }));
  const dying = new NodeMembership({ redis, keys, node: 'a', settings, leaseMs: 100 });
  await dying.join();
  t.equal(dying.joined, 'new');
  await redis.hset(keys.orderTotals, 'accepted', 7);
  // Killed: its heartbeat stops and its lease runs out on Redis' clock.
  (dying as unknown as { stopHeartbeat(): void }).stopHeartbeat();
  await redis.del(keys.lease('a'));
  const other = clusterSettingsOf(labOptionsWith({ mode: 'none' }));
  t.match(
    await refusal(new NodeMembership({ redis, keys, node: 'b', settings: other }).join()),
    /--mode none \(the cluster runs queue\)/,
    'a resumed run keeps its settings',
  );
  const b = new NodeMembership({ redis, keys, node: 'b', settings });
  await b.join();
  t.equal(b.joined, 'resumed');
  t.equal(await redis.hget(keys.orderTotals, 'accepted'), '7', "the dead run's orders are kept");
  await b.leave();
});

t.test('a heartbeat after Redis lost the lease takes it again and says so', { skip }, async (t) => {
  const { keys, redis } = await testClient(t);
  const settings = clusterSettingsOf(labOptionsWith({}));
  const a = new NodeMembership({ redis, keys, node: 'a', settings, leaseMs: 150 });
  await a.join();
  // The lease alone gone: the node stalled past it.
  await redis.del(keys.lease('a'));
  t.same(await once(a, 'rejoined'), [false], 'the settings were still there');
  // Lease and settings gone: Redis came back empty.
  await redis.del(keys.lease('a'), keys.settings);
  t.same(await once(a, 'rejoined'), [true], 'an emptied Redis is told apart');
  t.equal(await redis.get(keys.lease('a')), a.token);
  t.equal(await redis.hget(keys.settings, 'speed'), '10', 'settings re-asserted');
  t.equal(a.rejoins, 2);
  await a.leave();
});

t.test(
  'a dead node leaves the load-running set, and the orders only it held are lost, counted',
  { skip },
  async (t) => {
    const { keys, redis } = await testClient(t);
    const settings = clusterSettingsOf(labOptionsWith({ mode: 'queue' }));
    const nodes = ['dead', 'live', 'leaving'].map(
      (node) => new NodeMembership({ redis, keys, node, settings, leaseMs: 60_000 }),
    );
    for (const m of nodes) await m.join();
    t.teardown(() => Promise.all(nodes.map((m) => m.leave())));
    await redis.sadd(keys.loadsRunning, 'dead', 'live', 'leaving');
    const ledger = (node: string): ClusterLedger => new ClusterLedger({ redis, keys, node });
    // dead accepted d-0..d-5: d-0 and d-1 settled, d-2 and d-3 have a message in the shared queue (BullMQ's
    // job key), d-4 and d-5 lived only in its memory. live accepted l-0, leaving accepted v-0 and v-1.
    for (let i = 0; i < 6; i++) await ledger('dead').accept(`d-${i}`);
    await ledger('live').accept('l-0');
    for (const id of ['v-0', 'v-1']) await ledger('leaving').accept(id);
    await ledger('live').settle('d-0', 'delivered', 1);
    await ledger('live').settle('d-1', 'delivered', 2);
    for (const id of ['d-2', 'd-3', 'v-1']) await redis.hset(keys.bullJobPrefix + id, 'data', '{}');
    const reaper = new NodeReaper(redis, keys, keys.bullJobPrefix);
    t.same(await reaper.reap(), { lost: 0, loadsRunning: 3, gone: [] }, 'nothing to reap while all live');
    // Killed: its heartbeat stops and its lease runs out on Redis' clock.
    (nodes[0] as unknown as { stopHeartbeat(): void }).stopHeartbeat();
    await redis.del(keys.lease('dead'));
    t.same(await reaper.reap(), { lost: 2, loadsRunning: 2, gone: ['dead'] });
    t.same(await reaper.reap(), { lost: 0, loadsRunning: 2, gone: [] }, 'reaped once');
    t.same(
      (await redis.smembers(keys.ordersOpen)).sort(),
      ['d-2', 'd-3', 'l-0', 'v-0', 'v-1'],
      "the dead node's queued orders stay open for a live node to deliver",
    );
    await nodes[2]!.leave();
    t.same(await reaper.reap('leaving'), { lost: 1, loadsRunning: 1, gone: ['leaving'] }, 'a node leaving');
    const totals = await ledger('live').totals();
    t.match(totals, { accepted: 9, delivered: 2, lost: 3, lostWithNode: 3, inFlight: 4, duplicates: 0 });
    t.ok(ledgerIdentityHolds(totals));
    t.same(await redis.smembers(keys.loadsRunning), ['live']);
  },
);
