/**
 * The cluster through the real command: bad cluster input refused (exit 2, one line, nothing started), and two
 * `npm run lab` processes in queue mode sharing one redis-server and one outside courier keep one ledger.
 */
import t from 'tap';
import { rmSync } from 'node:fs';
import { labOptionsWith } from '../lab/config/parse-options.js';
import { ClusterKeys } from '../lab/cluster/cluster-keys.js';
import { clusterSettingsOf } from '../lab/cluster/cluster-settings.js';
import { NodeMembership } from '../lab/cluster/node-membership.js';
import { connectRedis } from '../lab/cluster/redis-connect.js';
import { parseRedisUrl } from '../lab/cluster/redis-url.js';
import { tempDir } from './helpers/capture.js';
import { ownRedis, redisSkip } from './helpers/cluster-redis.js';
import { runCli } from './helpers/run-cli.js';
import { nodeArgs, reportOf, startCourier } from './helpers/cluster-cli.js';

const skip = redisSkip(true);
const dir = tempDir('stormlab-cluster-lab-');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('bad cluster input is refused before anything starts', { skip }, async (t) => {
  const redis = await ownRedis(t);
  const client = await connectRedis(parseRedisUrl(redis.url)!);
  t.teardown(() => client.disconnect());
  // A live node "a" of a cluster running at speed 10 in queue mode.
  const live = new NodeMembership({
    redis: client,
    keys: new ClusterKeys(),
    node: 'a',
    settings: clusterSettingsOf(labOptionsWith({ mode: 'queue', speed: 10, scenario: 'smoke' })),
  });
  await live.join();
  t.teardown(() => live.leave());
  // Its built-in courier is the cluster's.
  const keys = new ClusterKeys();
  await client.hset(keys.courierOwner, 'node', 'a', 'url', 'http://127.0.0.1:9/slow');
  const base = ['--headless', '--scenario', 'smoke', '--log-file', 'none', '--cluster', redis.url];
  const cases: [string, string[], RegExp][] = [
    [
      'unreachable',
      ['--headless', '--cluster', 'redis://127.0.0.1:1', '--node', 'z'],
      /unreachable \(ECONNREFUSED\)/,
    ],
    [
      'name in use',
      [...base, '--mode', 'queue', '--node', 'a'],
      /^stormlab: option --node: got "a", a name a live node/,
    ],
    [
      'another speed',
      [...base, '--mode', 'queue', '--speed', '20', '--node', 'b'],
      /^stormlab: option --cluster: this node's --speed 20 \(the cluster runs 10\); allowed:/,
    ],
    ['another mode', [...base, '--node', 'c'], /--mode none \(the cluster runs queue\)/],
    [
      'a second built-in courier',
      [...base, '--mode', 'queue', '--node', 'd'],
      /^stormlab: option --courier-url: not given, but node "a" already runs the cluster's built-in courier; allowed: --courier-url http:\/\/127\.0\.0\.1:9\/slow \(that courier\)/,
    ],
    [
      'virtual engine',
      [...base, '--engine', 'virtual', '--node', 'e'],
      /^stormlab: option --cluster: got it with --engine virtual/,
    ],
  ];
  // All at once, each under a name of its own: a refused node may hold its name for a moment while it checks.
  const outcomes = await Promise.all(cases.map(([, args]) => runCli(args)));
  cases.forEach(([name, , pattern], i) => {
    const o = outcomes[i]!;
    t.equal(o.code, 2, `${name}: exit code 2`);
    t.equal(o.stdout, '', `${name}: nothing on stdout`);
    t.equal(o.stderr.trimEnd().split('\n').length, 1, `${name}: one line`);
    t.match(o.stderr, pattern, name);
  });
  // Nothing half-started: no refused node holds a lease or a place in the cluster.
  t.same(await client.smembers(keys.nodes), ['a'], 'only the live node is a member');
  for (const name of ['b', 'c', 'd', 'e'])
    t.equal(await client.exists(keys.lease(name)), 0, `no lease left for ${name}`);
  t.equal(await client.hget(keys.courierOwner, 'node'), 'a', "a's courier is still the cluster's");
});

t.test(
  'two lab processes in queue mode keep one ledger, and nothing is lost',
  { skip, timeout: 300_000 },
  async (t) => {
    const redis = await ownRedis(t);
    const courier = await startCourier(t, 10);
    const args = (node: string, seed: number): string[] =>
      nodeArgs(dir, { redis: redis.url, courier, node, seed, scenario: 'smoke', speed: 40 });
    const [a, b] = await Promise.all([runCli(args('a', 1)), runCli(args('b', 2))]);
    t.equal(a.code, 0, 'node a exits 0', { stderr: a.stderr });
    t.equal(b.code, 0, 'node b exits 0', { stderr: b.stderr });
    const reports = ['a', 'b'].map((n) => reportOf(dir, n));
    const accepted = reports.reduce((sum, r) => sum + r.orders.accepted, 0);
    // The node that finishes last sees the cluster's final totals; both see every order settled.
    for (const r of reports) {
      const c = r.cluster;
      t.equal(c.orders.accepted, accepted, `${c.node}: the cluster accepted what the nodes accepted`);
      t.match(c.orders, { lost: 0, deadLettered: 0, inFlight: 0, duplicates: 0, reaccepted: 0 });
      t.equal(c.orders.delivered, accepted, `${c.node}: every order delivered once, cluster-wide`);
      t.ok(c.peakConcurrency <= 1000 && c.peakConcurrency >= 10, `cluster peak ${c.peakConcurrency}`);
      t.equal(r.endedBy, 'drain', `${c.node} drained`);
      t.same(c.unsynced, {}, 'nothing failed to reach Redis');
      t.same(c.redisOutages, [], 'Redis was up throughout');
    }
    t.ok(a.stdout.includes('cluster (as node a ends): accepted'), 'the summary shows the cluster');
  },
);
