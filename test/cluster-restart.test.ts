/**
 * Redis restarted under two `npm run lab` processes in queue mode: they reconnect, each reports the outage, and
 * the cluster's ledger still accounts for every order.
 */
import t from 'tap';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ledgerIdentityHolds } from '../lab/cluster/cluster-ledger.js';
import { tempDir } from './helpers/capture.js';
import { nodeArgs, reportOf, startCourier } from './helpers/cluster-cli.js';
import { ownRedis, redisSkip } from './helpers/cluster-redis.js';
import { startCli } from './helpers/run-cli.js';

const skip = redisSkip(true);
const dir = tempDir('stormlab-cluster-restart-');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test(
  'Redis restarted mid-run: nodes reconnect, the outage is reported, nothing is lost',
  { skip, timeout: 300_000 },
  async (t) => {
    // A Redis that keeps its data across a restart (append-only file, fsync on every write).
    const redis = await ownRedis(t, { appendOnly: true });
    const courier = await startCourier(t, 20);
    // Two minutes at 3 orders a second: the outage falls in the middle of the load.
    const scenario = join(dir, 'steady.yml');
    writeFileSync(scenario, 'config:\n  phases:\n    - duration: 120\n      arrivalRate: 3\n');
    const nodes = ['a', 'b'].map((node, i) =>
      startCli(nodeArgs(dir, { redis: redis.url, courier, node, seed: i + 1, scenario, speed: 20 })),
    );
    t.teardown(() => nodes.forEach((n) => n.child.kill('SIGKILL')));
    // Node a's progress line at scenario minute 1.
    await nodes[0]!.waitFor('stderr', /^\[01:00\]/m);
    // Down for 1 real second (20 scenario seconds), then back with its data.
    await redis.restart(1000);
    const outcomes = await Promise.all(nodes.map((n) => n.done));
    outcomes.forEach((o, i) => t.equal(o.code, 0, `node ${i} exits 0`, { stderr: o.stderr }));
    const reports = ['a', 'b'].map((n) => reportOf(dir, n));
    const accepted = reports.reduce((sum, r) => sum + r.orders.accepted, 0);
    for (const r of reports) {
      const c = r.cluster;
      t.equal(r.endedBy, 'drain', `${c.node} drained`);
      t.equal(c.redisOutages.length, 1, `${c.node} saw one outage`);
      const [outage] = c.redisOutages;
      t.ok(outage!.endS! > outage!.startS, `${c.node}: down from ${outage!.startS} s to ${outage!.endS} s`);
      t.same(c.stateLost, [], 'Redis came back with its data');
      t.equal(c.ledgerWrites.pending, 0, 'every ledger write made it, late or not');
    }
    const last = reports.map((r) => r.cluster.orders).sort((x, y) => y.delivered - x.delivered)[0]!;
    t.ok(ledgerIdentityHolds(last), 'accepted = delivered + lost + deadLettered + inFlight');
    // Shared calls that failed meanwhile are counted by kind; an order is never dropped without a count.
    const failed = reports.reduce(
      (n, r) => n + Object.values(r.cluster.unsynced).reduce((a, b) => a + b, 0),
      0,
    );
    t.match(last, { accepted, lost: 0, inFlight: 0, deadLettered: 0 }, `shared calls failed: ${failed}`);
    t.equal(last.delivered, accepted, 'every accepted order delivered');
  },
);
