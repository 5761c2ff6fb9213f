/**
 * The recovery verdict (issue 11, item 3) on constructed series with literal expectations: one run that
 * recovers, one that stays stuck, and the edges of the rule.
 */
import t from 'tap';
import { recoveryVerdict, verdictText, type RecoverySeriesRow } from '../lab/faults/recovery.js';

/** Rows t = 1..n; `at(t)` gives the fields that differ from a calm second at 5 arrivals/s. */
function series(n: number, at: (t: number) => Partial<RecoverySeriesRow>): RecoverySeriesRow[] {
  return Array.from({ length: n }, (_, i) => ({
    t: i + 1,
    deliveredNow: 5,
    courier2xx: 5,
    courier429: 0,
    courier5xx: 1,
    courierOther: 0,
    retries: 1,
    inFlight: 3,
    loadRate: 5,
    ...at(i + 1),
  }));
}

const outage = { kind: 'courier-outage', value: '1', startS: 100, durationS: 30 };

t.test(
  'a run that recovers: the first 60-second window at 90% of the load starts 24 s after the trigger',
  async (t) => {
    // Nothing delivered from 101 to 160, then the calm 5 a second again.
    const rows = series(400, (s) =>
      s > 100 && s <= 160 ? { deliveredNow: 0, courier2xx: 0, courier5xx: 0 } : {},
    );
    const v = recoveryVerdict({ series: rows, faults: [outage] })!;
    // Window from 154 holds rows 155..214: 6 empty seconds and 54 at 5 = 270 / 60 = 4.5, exactly 90% of 5.
    t.equal(v.recovered, true);
    t.equal(v.atS, 154);
    t.equal(v.afterTriggerS, 24);
    t.equal(v.lastTriggerEndS, 130);
    t.equal(v.preTriggerGoodputPerS, 5);
    t.same(v.triggers[0], {
      kind: 'courier-outage',
      value: '1',
      startS: 100,
      endS: 130,
      before: {
        fromS: 40,
        toS: 100,
        offeredPerS: 5,
        goodputPerS: 5,
        courierUsefulPerS: 5,
        courierCallsPerS: 6,
      },
      during: {
        fromS: 100,
        toS: 130,
        offeredPerS: 5,
        goodputPerS: 0,
        courierUsefulPerS: 0,
        courierCallsPerS: 0,
      },
      // 131..400: 30 empty seconds of 270.
      after: {
        fromS: 130,
        toS: 400,
        offeredPerS: 5,
        goodputPerS: 4.444,
        courierUsefulPerS: 4.444,
        courierCallsPerS: 5.333,
      },
    });
    t.equal(verdictText(v), 'recovered 24 s after the trigger (at 154 s)');
  },
);

t.test('a run that stays stuck: the sustaining effect in figures', async (t) => {
  const rows = series(400, (s) =>
    s > 100
      ? {
          deliveredNow: 1,
          courier2xx: 1,
          courier429: 20,
          courier5xx: 4,
          retries: 20,
          inFlight: s === 400 ? 300 : 50,
        }
      : {},
  );
  const v = recoveryVerdict({
    series: rows,
    faults: [outage],
    wastedWork: { useful: { busyMs: 1000 }, wasted: { busyMs: 3000 } },
  })!;
  t.equal(v.recovered, false);
  t.equal(v.atS, null);
  t.equal(v.afterTriggerS, null);
  t.same(v.sustaining, { callsPerOrder: 5, wastedWorkShare: 0.75, retriesPerS: 20, inFlightAtEnd: 300 });
  t.equal(verdictText(v), 'stuck: 5.0 calls per order, 20.0 retries/s, 75% wasted work, 300 in flight');
});

t.test(
  'edges: no faults, no time left to hold, a pre-trigger level below the load, no offered load',
  async (t) => {
    t.equal(recoveryVerdict({ series: series(10, () => ({})), faults: [] }), null, 'no faults: no verdict');
    const short = recoveryVerdict({ series: series(180, () => ({})), faults: [outage] })!;
    t.equal(short.recovered, false, 'the run ended 50 s after the trigger: nothing held for 60 s');
    t.equal(short.sustaining.wastedWorkShare, null, 'no capacity model: no wasted share');
    // The system carried 3 of 5 a second before the trigger: coming back to 2.7 is recovery.
    const partial = recoveryVerdict({ series: series(300, () => ({ deliveredNow: 3 })), faults: [outage] })!;
    t.equal(partial.preTriggerGoodputPerS, 3);
    t.equal(partial.atS, 130);
    const idle = recoveryVerdict({
      series: series(300, (s) => (s > 100 ? { loadRate: 0, deliveredNow: 0 } : {})),
      faults: [outage],
    })!;
    t.equal(idle.recovered, false, 'no offered load after the trigger proves nothing');
    const early = recoveryVerdict({ series: series(300, () => ({})), faults: [{ ...outage, startS: 0 }] })!;
    t.equal(early.preTriggerGoodputPerS, null, 'a trigger at 0 has no before');
    t.equal(early.triggers[0]!.before, null);
    t.equal(early.atS, 30);
  },
);
