import t from 'tap';
import { ClusterLedger, ledgerIdentityHolds } from '../lab/cluster/cluster-ledger.js';
import { redisSkip, testClient } from './helpers/cluster-redis.js';
import { startTogether } from './helpers/cluster-process.js';

// Two or three real processes on loopback sharing one redis-server: what the cluster shares holds across them.
const skip = redisSkip();

t.test('account concurrency: never above the limit across three processes', { skip }, async (t) => {
  const { url, prefix, keys, redis } = await testClient(t);
  const limit = 5;
  const spec = { role: 'concurrency' as const, url, prefix, limit, invocations: 60, parallel: 4 };
  const nodes = await startTogether(t, redis, prefix, [
    { ...spec, node: 'a' },
    { ...spec, node: 'b' },
    { ...spec, node: 'c' },
  ]);
  const done = await Promise.all(nodes.map((n) => n.waitFor('done')));
  // 12 callers for 5 slots: the limit is reached and callers are throttled, yet never exceeded.
  t.same(
    done.map((d) => d.violations),
    [0, 0, 0],
    'no invocation ever saw more than the limit running cluster-wide',
  );
  t.equal(Math.max(...done.map((d) => d.maxSeen as number)), limit, 'the limit was reached');
  t.ok(
    done.some((d) => (d.throttles as number) > 0),
    'callers were throttled',
  );
  t.same(
    done.map((d) => d.started),
    [60, 60, 60],
    'every invocation ran',
  );
  t.equal(await redis.get(keys.concurrencyPeak), String(limit), "the cluster's peak, as Redis counted it");
  const held = (await redis.hvals(keys.concurrencyHeld)).reduce((sum, v) => sum + Number(v), 0);
  t.equal(held, 0, 'every slot given back');
});

t.test('the orders ledger across three processes: settled once, duplicates counted', { skip }, async (t) => {
  const { url, prefix, keys, redis } = await testClient(t);
  const ids = (from: number, to: number): string[] =>
    Array.from({ length: to - from }, (_, i) => `o-${from + i}`);
  // a accepts 0..99, b 100..199, c 200..299 and, again, 0..9 (an ingress retry reaching another node).
  // Every node settles 0..49 as delivered (two duplicates each), a settles 50..59 lost, b 60..69 dead-lettered.
  const base = { role: 'ledger' as const, url, prefix };
  const delivered = ids(0, 50).map((id) => [id, 'delivered'] as [string, 'delivered']);
  const nodes = await startTogether(t, redis, prefix, [
    {
      ...base,
      node: 'a',
      ids: ids(0, 100),
      settle: [...delivered, ...ids(50, 60).map((id) => [id, 'lost'] as [string, 'lost'])],
    },
    {
      ...base,
      node: 'b',
      ids: ids(100, 200),
      settle: [...delivered, ...ids(60, 70).map((id) => [id, 'deadLettered'] as [string, 'deadLettered'])],
    },
    { ...base, node: 'c', ids: [...ids(200, 300), ...ids(0, 10)], settle: delivered },
  ]);
  await Promise.all(nodes.map((n) => n.waitFor('accepted')));
  await redis.rpush(`${prefix}:probe:go`, 'a', 'b', 'c');
  const done = await Promise.all(nodes.map((n) => n.waitFor('done')));
  await Promise.all(nodes.map((n) => n.exited));
  const settledByNodes = done.reduce((s, d) => s + (d.settled as number), 0);
  t.equal(settledByNodes, 70, 'each order settled by exactly one node');
  const totals = await new ClusterLedger({ redis, keys, node: 'test' }).totals();
  t.match(totals, {
    accepted: 300,
    delivered: 50,
    lost: 10,
    deadLettered: 10,
    inFlight: 230,
    duplicates: 100,
    reaccepted: 10,
    courierDeliveredIds: 50,
    deliveredWithoutCourier: 0,
  });
  t.ok(
    ledgerIdentityHolds(totals),
    'accepted = delivered + lost + deadLettered + inFlight (open ids counted apart)',
  );
  t.equal(await redis.hlen(keys.orderState), 300);
});
