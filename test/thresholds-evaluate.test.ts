/**
 * Thresholds judged on a finished report (issue 13, item 3): plain and derived fields, every operator, a
 * field with no value, and the lines the summary prints. The reports are literal objects shaped like a run
 * report, as a sweep cell would pass one.
 */
import t from 'tap';
import { parseThreshold } from '../lab/thresholds/parse-threshold.js';
import { anyCrossed, evaluateThresholds, thresholdSummary } from '../lab/thresholds/evaluate-thresholds.js';

const REPORT = {
  orders: { accepted: 300, delivered: 291, lost: 6, deadLettered: 0, inFlight: 3, rejected: 0 },
  deliverySuccessRate: 0.97,
  peakConcurrency: 42,
  functions: {
    notify: { invocations: 300, errors: 0, peakConcurrency: 3 },
    delivery: { invocations: 400, errors: 100, timeouts: 2, peakConcurrency: 40 },
  },
  courier: { requests: 1200, byStatus: { '200': 291, '429': 800, '502': 100, '504': 9 } },
  courierCallsPerOrder: 4,
  cost: { requests: 700, gbSeconds: 1234.5, usd: 0.016601 },
  lastDeliveryS: null,
};

const judge = (...exprs: string[]) =>
  evaluateThresholds(
    REPORT,
    exprs.map((e) => parseThreshold(e)),
  );

t.test('plain fields, every operator', async (t) => {
  t.same(judge('orders.lost == 0', 'orders.lost != 0', 'peakConcurrency < 42', 'peakConcurrency <= 42'), [
    { expr: 'orders.lost == 0', value: 6, ok: false },
    { expr: 'orders.lost != 0', value: 6, ok: true },
    { expr: 'peakConcurrency < 42', value: 42, ok: false },
    { expr: 'peakConcurrency <= 42', value: 42, ok: true },
  ]);
  t.same(
    judge('deliverySuccessRate >= 0.99', 'deliverySuccessRate > 0.9', 'functions.delivery.errors < 101'),
    [
      { expr: 'deliverySuccessRate >= 0.99', value: 0.97, ok: false },
      { expr: 'deliverySuccessRate > 0.9', value: 0.97, ok: true },
      { expr: 'functions.delivery.errors < 101', value: 100, ok: true },
    ],
  );
  t.same(judge('cost.usd < 0.02', 'courierCallsPerOrder <= 3'), [
    { expr: 'cost.usd < 0.02', value: 0.016601, ok: true },
    { expr: 'courierCallsPerOrder <= 3', value: 4, ok: false },
  ]);
});

t.test('derived shares: 800/1200 429s, 109/1200 5xx, 6/300 lost, 100/400 delivery errors', async (t) => {
  t.same(
    judge(
      'courier.share429 < 0.05',
      'courier.share5xx < 0.1',
      'orders.lostShare <= 0.02',
      'orders.deadLetteredShare == 0',
      'functions.delivery.errorShare == 0.25',
    ),
    [
      { expr: 'courier.share429 < 0.05', value: 0.666667, ok: false },
      { expr: 'courier.share5xx < 0.1', value: 0.090833, ok: true },
      { expr: 'orders.lostShare <= 0.02', value: 0.02, ok: true },
      { expr: 'orders.deadLetteredShare == 0', value: 0, ok: true },
      { expr: 'functions.delivery.errorShare == 0.25', value: 0.25, ok: true },
    ],
  );
});

t.test('a status never answered counts 0; a field with no value fails', async (t) => {
  t.same(judge('courier.byStatus.403 == 0', 'courier.byStatus.429 > 799', 'lastDeliveryS < 600'), [
    { expr: 'courier.byStatus.403 == 0', value: 0, ok: true },
    { expr: 'courier.byStatus.429 > 799', value: 800, ok: true },
    { expr: 'lastDeliveryS < 600', value: null, ok: false },
  ]);
  // A report without the field at all (not a run report): no value, not a crash.
  t.same(
    evaluateThresholds({}, [parseThreshold('orders.lost == 0'), parseThreshold('courier.share429 < 1')]),
    [
      { expr: 'orders.lost == 0', value: null, ok: false },
      { expr: 'courier.share429 < 1', value: null, ok: false },
    ],
  );
  // No courier request at all: no share of them was a 429.
  t.same(
    evaluateThresholds({ courier: { requests: 0, byStatus: {} } }, [parseThreshold('courier.share429 == 0')]),
    [{ expr: 'courier.share429 == 0', value: 0, ok: true }],
  );
});

t.test('the summary lines and the verdict', async (t) => {
  const results = judge(
    'orders.lost == 0',
    'peakConcurrency <= 42',
    'courier.share429 < 0.05',
    'lastDeliveryS < 1',
  );
  t.equal(anyCrossed(results), true);
  t.equal(
    thresholdSummary(results),
    [
      'thresholds: 3 of 4 crossed (exit code 99)',
      '  ✗ orders.lost == 0 (value 6)',
      '  ✓ peakConcurrency <= 42 (value 42)',
      '  ✗ courier.share429 < 0.05 (value 0.6667)',
      '  ✗ lastDeliveryS < 1 (value none)',
    ].join('\n'),
  );
  const met = judge('orders.lost < 7');
  t.equal(anyCrossed(met), false);
  t.equal(thresholdSummary(met), 'thresholds: all 1 met\n  ✓ orders.lost < 7 (value 6)');
  t.equal(thresholdSummary([]), '');
  t.equal(anyCrossed(undefined), false);
});
