/**
 * `--threshold FIELD OP NUMBER` (issue 13, item 3): parsed and checked against the known fields before a run
 * starts, repeatable on the command line and as a `thresholds:` list in a config file; a bad expression is
 * refused with one line naming it, what is wrong and the fields allowed.
 */
import t from 'tap';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLabOptions } from '../lab/config/parse-options.js';
import { parseThreshold } from '../lab/thresholds/parse-threshold.js';
import { tempDir } from './helpers/capture.js';
import { messageOf } from './helpers/probes.js';

const dir = tempDir('stormlab-thresholds-');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** What every refusal says is allowed, written out by hand: the contract of which fields a threshold names. */
const ALLOWED =
  'allowed: FIELD OP NUMBER, OP one of == != < <= > >=, FIELD one of ' +
  'orders.{accepted,delivered,lost,deadLettered,rejected,inFlight,duplicates,lostShare,deadLetteredShare}, ' +
  'deliverySuccessRate, peakConcurrency, courierCallsPerOrder, lastDeliveryS, durationS, ' +
  'functions.notify.{invocations,errors,throttles,timeouts,coldStarts,peakConcurrency,gbSeconds}, ' +
  'functions.delivery.{invocations,errors,throttles,timeouts,coldStarts,peakConcurrency,gbSeconds,errorShare}, ' +
  'courier.{requests,peakAdmittedPerSecond,outages,connectionErrors,deliveredIds,share429,share5xx}, ' +
  'courier.byStatus.{200,403,429,502,504,2xx,5xx,other}, retries.{http,async,redeliveries,asyncThrottled}, ' +
  'queue.{peakDepth,oldestAgeS,dlq,remaining}, cost.{requests,gbSeconds,usd}, ' +
  'logs.{notifyStart,deliveryComplete,deliveryFailed}, host.{eventLoopDelayP99Ms,cpuPctOfOneCore}';

t.test('good expressions, with or without spaces, every operator', async (t) => {
  t.same(parseThreshold('orders.lost == 0'), {
    expr: 'orders.lost == 0',
    field: 'orders.lost',
    op: '==',
    limit: 0,
  });
  t.same(parseThreshold('  peakConcurrency<=100 '), {
    expr: 'peakConcurrency <= 100',
    field: 'peakConcurrency',
    op: '<=',
    limit: 100,
  });
  t.same(parseThreshold('courier.share429 < .05'), {
    expr: 'courier.share429 < .05',
    field: 'courier.share429',
    op: '<',
    limit: 0.05,
  });
  t.same(parseThreshold('courier.byStatus.429>=1e3'), {
    expr: 'courier.byStatus.429 >= 1e3',
    field: 'courier.byStatus.429',
    op: '>=',
    limit: 1000,
  });
  t.equal(parseThreshold('deliverySuccessRate > 0.99').op, '>');
  t.equal(parseThreshold('cost.usd != -1').limit, -1);
});

t.test('bad expressions: one line naming the expression, the problem and the fields allowed', async (t) => {
  const cases: [string, string][] = [
    ['orders.lost = 0', 'got "orders.lost = 0", which compares with a single = (write ==)'],
    ['orders.lots == 0', 'got "orders.lots == 0", whose field "orders.lots" is not known'],
    ['orders == 0', 'got "orders == 0", whose field "orders" is not known'],
    ['orders.lost == zero', 'got "orders.lost == zero", whose limit "zero" is not a number'],
    ['orders.lost < 1e999', 'got "orders.lost < 1e999", whose limit "1e999" is not a number'],
    ['orders.lost == 0 1', 'got "orders.lost == 0 1", whose limit "0 1" is not a number'],
    ['== 0', 'got "== 0", which has no field before =='],
    ['orders.lost', 'got "orders.lost", which has no comparison'],
    ['orders.lost <', 'got "orders.lost <", which has no number after <'],
    ['orders.lost =< 1', 'got "orders.lost =< 1", which compares with a single = (write ==)'],
  ];
  for (const [expr, problem] of cases) {
    const message = messageOf(() => parseLabOptions(['--threshold', expr]));
    t.equal(message, `option --threshold: ${problem}; ${ALLOWED}`, expr);
    t.notMatch(message, /\n/, `${expr}: one line`);
  }
});

t.test('repeatable: every --threshold is kept, in order; none gives []', async (t) => {
  t.same(parseLabOptions([]).thresholds, []);
  const o = parseLabOptions([
    '--threshold',
    'orders.lost == 0',
    '--seed',
    '1',
    '--threshold=peakConcurrency < 50',
  ]);
  t.same(
    o.thresholds.map((x) => x.expr),
    ['orders.lost == 0', 'peakConcurrency < 50'],
  );
  // Other options still refuse a second value.
  t.equal(
    messageOf(() => parseLabOptions(['--seed', '1', '--seed', '2'])),
    'option --seed given twice',
  );
});

t.test(
  'in a config file: `thresholds:` (a list or one) or `threshold:`; the command line replaces them',
  async (t) => {
    const list = join(dir, 'list.yaml');
    writeFileSync(list, 'thresholds:\n  - orders.lost == 0\n  - courier.share429 < 0.05\n');
    t.same(
      parseLabOptions(['--config', list]).thresholds.map((x) => x.expr),
      ['orders.lost == 0', 'courier.share429 < 0.05'],
    );
    const one = join(dir, 'one.json');
    writeFileSync(one, JSON.stringify({ threshold: 'peakConcurrency <= 20' }));
    t.same(
      parseLabOptions(['--config', one]).thresholds.map((x) => x.expr),
      ['peakConcurrency <= 20'],
    );
    t.same(
      parseLabOptions(['--config', list, '--threshold', 'cost.usd < 1']).thresholds.map((x) => x.expr),
      ['cost.usd < 1'],
    );
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'thresholds:\n  - orders.lost == 0\n  - orders.lost >> 1\n');
    t.equal(
      messageOf(() => parseLabOptions(['--config', bad])),
      `config file ${JSON.stringify(bad)}: field thresholds[1]: got "orders.lost >> 1", whose limit "> 1" is not a number; ${ALLOWED}`,
    );
    const nested = join(dir, 'nested.yaml');
    writeFileSync(nested, 'thresholds:\n  - {orders.lost: 0}\n');
    t.equal(
      messageOf(() => parseLabOptions(['--config', nested])),
      `config file ${JSON.stringify(nested)}: field thresholds: got {"orders.lost":0}; allowed: a non-empty string, or a list of them`,
    );
  },
);

t.test('--abort-on-fail needs a threshold; --metrics-port must differ from --port', async (t) => {
  t.equal(
    messageOf(() => parseLabOptions(['--abort-on-fail'])),
    'option --abort-on-fail: got true with no --threshold; allowed: together with at least one --threshold',
  );
  t.equal(parseLabOptions(['--abort-on-fail', '--threshold', 'orders.lost == 0']).abortOnFail, true);
  t.equal(
    messageOf(() => parseLabOptions(['--port', '8080', '--metrics-port', '8080'])),
    'option --metrics-port: got 8080, the same port as --port; allowed: another port, or 0 to pick one',
  );
  t.equal(parseLabOptions(['--metrics-port', '0']).metricsPort, 0);
  t.equal(parseLabOptions([]).metricsPort, undefined);
});
