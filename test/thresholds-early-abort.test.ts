/**
 * `--abort-on-fail` (issue 13, item 3): which thresholds a live run has already crossed for good (a count
 * or peak past an upper bound; never a ratio, never a lower bound), and the once-a-second check on a
 * virtual clock that reports the first crossing at its exact scenario second.
 */
import t from 'tap';
import { decidableEarly, decidedCrossed } from '../lab/thresholds/early-abort.js';
import { parseThreshold } from '../lab/thresholds/parse-threshold.js';
import { watchThresholds } from '../lab/thresholds/threshold-watch.js';
import type { ThresholdResult } from '../lab/thresholds/evaluate-thresholds.js';
import { VirtualClock } from '../lab/time/clock.js';
import { rowWith, snapshotWith } from './helpers/lab-view-fixtures.js';

const snapshot = snapshotWith;
const row = rowWith;

const parse = (...exprs: string[]) => exprs.map((e) => parseThreshold(e));

t.test('only upper bounds on grow-only fields can be decided early', async (t) => {
  const verdicts = parse(
    'orders.lost == 0',
    'orders.lost < 3',
    'orders.lost <= 1',
    'orders.lost > 0',
    'orders.lost >= 5',
    'orders.lost != 2',
    'orders.inFlight < 1',
    'deliverySuccessRate >= 0.99',
    'courier.share429 < 0.05',
    'orders.lostShare == 0',
  ).map((x) => [x.expr, decidableEarly(x)]);
  t.same(verdicts, [
    ['orders.lost == 0', true],
    ['orders.lost < 3', true],
    ['orders.lost <= 1', true],
    ['orders.lost > 0', false],
    ['orders.lost >= 5', false],
    ['orders.lost != 2', false],
    ['orders.inFlight < 1', false],
    ['deliverySuccessRate >= 0.99', false],
    ['courier.share429 < 0.05', false],
    ['orders.lostShare == 0', false],
  ]);
});

t.test('crossed for good: a grow-only value past an upper bound', async (t) => {
  const view = {
    snapshot: snapshot(),
    series: [row(1, { queueDepth: 3, deliveryFailures: 2 }), row(2, { queueDepth: 7, deliveryFailures: 3 })],
  };
  const all = parse(
    'orders.lost == 0', // 2 > 0: crossed
    'orders.lost == 2', // equal now, may grow past: not yet
    'orders.lost < 2', // 2 >= 2: crossed
    'orders.lost <= 2', // not yet
    'peakConcurrency < 12', // 12: crossed
    'courier.byStatus.429 <= 24', // 25: crossed
    'courier.byStatus.504 == 0', // none yet
    'retries.http < 100',
    'cost.usd < 0.0001', // 0.000171: crossed
    'cost.gbSeconds <= 12.345', // 12.346 after rounding to 3 decimals, as the report does: crossed
    'queue.peakDepth < 7', // the series' peak is 7: crossed
    'functions.delivery.errors <= 4', // 5 failures in the series: crossed
    'deliverySuccessRate >= 0.99', // a ratio: never early
    'courier.share429 < 0.05', // a ratio: never early
  );
  t.same(decidedCrossed(all, view), [
    { expr: 'orders.lost == 0', value: 2, ok: false },
    { expr: 'orders.lost < 2', value: 2, ok: false },
    { expr: 'peakConcurrency < 12', value: 12, ok: false },
    { expr: 'courier.byStatus.429 <= 24', value: 25, ok: false },
    { expr: 'cost.usd < 0.0001', value: 0.000171, ok: false },
    { expr: 'cost.gbSeconds <= 12.345', value: 12.346, ok: false },
    { expr: 'queue.peakDepth < 7', value: 7, ok: false },
    { expr: 'functions.delivery.errors <= 4', value: 5, ok: false },
  ]);
  t.same(decidedCrossed(parse('orders.lost <= 2', 'queue.peakDepth < 8'), view), []);
});

t.test('the watch checks each scenario second and reports the first crossing once', async (t) => {
  const clock = new VirtualClock();
  // Orders are lost at scenario seconds 3.5 and 6.2: the limit "lost <= 1" is crossed at 6.2, seen at 7.
  const lostAt = [3500, 6200];
  const view = () => ({
    snapshot: snapshot({
      t: clock.now() / 1000,
      orders: {
        accepted: 10,
        delivered: 0,
        lost: lostAt.filter((ms) => ms <= clock.now()).length,
        deadLettered: 0,
        inFlight: 0,
        rejected: 0,
      },
    }),
    series: [],
  });
  const calls: { at: number; crossed: ThresholdResult[] }[] = [];
  watchThresholds({
    clock,
    thresholds: parse('orders.lost <= 1', 'deliverySuccessRate > 0.5'),
    view,
    onCrossed: (crossed) => calls.push({ at: clock.now(), crossed }),
  });
  await clock.advanceTo(20_000);
  t.same(calls, [{ at: 7000, crossed: [{ expr: 'orders.lost <= 1', value: 2, ok: false }] }]);
  t.equal(clock.pending(), 0, 'no timer left after the crossing');
});

t.test('no timer when nothing can be decided early; cancel stops the checks', async (t) => {
  const clock = new VirtualClock();
  const view = () => ({ snapshot: snapshot(), series: [] });
  watchThresholds({
    clock,
    thresholds: parse('deliverySuccessRate >= 0.99'),
    view,
    onCrossed: () => t.fail(),
  });
  t.equal(clock.pending(), 0);
  const watch = watchThresholds({
    clock,
    thresholds: parse('orders.lost < 100'),
    view,
    onCrossed: () => t.fail(),
  });
  await clock.advanceTo(3000);
  t.equal(clock.pending(), 1, 'one check waiting for the next second');
  watch.cancel();
  await clock.advanceTo(10_000);
  t.equal(clock.pending(), 0);
});
