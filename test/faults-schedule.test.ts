/**
 * The fault schedule (issue 11, item 1) on a virtual clock: windows open and close at exact scenario times,
 * overlapping faults of one kind follow the latest-started rule, every change is logged and listed.
 */
import t from 'tap';
import { VirtualClock } from '../lab/time/clock.js';
import { FaultSchedule, type FaultTarget } from '../lab/faults/fault-schedule.js';
import { parseFaultText } from '../lab/faults/fault-spec.js';

/** Records each call with the virtual time it came at. */
function recordingTarget(clock: VirtualClock): { target: FaultTarget; calls: string[] } {
  const calls: string[] = [];
  const at = (what: string): void => {
    calls.push(`${clock.now()} ${what}`);
  };
  return {
    calls,
    target: {
      setCourierUp: (up) => at(`up=${up}`),
      setCourierLatency: (r) => at(`latency=${r ? `${r.minMs}-${r.maxMs}` : 'configured'}`),
      setCourierFailureRate: (rate) => at(`failure=${rate ?? 'configured'}`),
      setCourierRate: (rate) => at(`rate=${rate ?? 'configured'}`),
      setLoadFactor: (f) => at(`load=${f ?? 'configured'}`),
    },
  };
}

t.test('each kind applies at its start and reverts at its end, to the millisecond', async (t) => {
  const clock = new VirtualClock();
  const { target, calls } = recordingTarget(clock);
  const logs: string[] = [];
  const schedule = new FaultSchedule({
    clock,
    target,
    log: (level, m) => logs.push(`${clock.now()} ${level} ${m}`),
  });
  for (const text of [
    'courier-outage@10+5',
    'courier-latency=5000-9000@600+120',
    'courier-failure-rate=0.5@1.5+0.25',
    'courier-rate=2@20+10',
    'load=3@0+30',
  ]) {
    schedule.add(parseFaultText(text));
  }
  await clock.advanceTo(9_999);
  t.same(calls, ['0 load=3', '1500 failure=0.5', '1750 failure=configured'], 'nothing else before 10 s');
  await clock.advanceTo(10_000);
  t.equal(calls.at(-1), '10000 up=false', 'the outage opens at exactly 10 000 ms');
  t.same(
    schedule.active().map((f) => f.kind),
    ['courier-outage', 'load'],
  );
  await clock.advanceTo(14_999);
  t.equal(calls.at(-1), '10000 up=false', 'still down 1 ms before its end');
  await clock.advanceTo(1_000_000);
  t.same(calls, [
    '0 load=3',
    '1500 failure=0.5',
    '1750 failure=configured',
    '10000 up=false',
    '15000 up=true',
    '20000 rate=2',
    '30000 rate=configured',
    '30000 load=configured',
    '600000 latency=5000-9000',
    '720000 latency=configured',
  ]);
  t.same(schedule.active(), []);
  t.equal(logs[0], '0 WARN fault on: load=3@0+30');
  t.equal(logs[1], '1500 WARN fault on: courier-failure-rate=0.5@1.5+0.25');
  t.equal(logs.at(-1), '720000 INFO fault off: courier-latency=5000-9000@600+120');
  t.equal(logs.length, 10, 'one line per apply and per revert');
  t.same(schedule.list()[1], { kind: 'courier-latency', value: '5000-9000', startS: 600, durationS: 120 });
});

t.test(
  'overlapping faults of one kind: the latest-started wins, then the one still on, then the configured value',
  async (t) => {
    const clock = new VirtualClock();
    const { target, calls } = recordingTarget(clock);
    const schedule = new FaultSchedule({ clock, target });
    schedule.add(parseFaultText('load=2@10+100')); // 10..110
    schedule.add(parseFaultText('load=5@20+30')); // 20..50
    schedule.add(parseFaultText('load=4@100+20')); // 100..120
    schedule.add(parseFaultText('courier-outage@0+10'));
    schedule.add(parseFaultText('courier-outage@5+10')); // the two outages join: down 0..15
    await clock.runAll();
    t.same(calls, [
      '0 up=false',
      '10000 load=2',
      '15000 up=true',
      '20000 load=5',
      '50000 load=2',
      '100000 load=4',
      '120000 load=configured',
    ]);
  },
);

t.test(
  'a fault added mid-run opens at once; a window already past is listed but never applied',
  async (t) => {
    const clock = new VirtualClock();
    const { target, calls } = recordingTarget(clock);
    const schedule = new FaultSchedule({ clock, target });
    await clock.advanceTo(42_000);
    schedule.add(parseFaultText('courier-outage@42+60'));
    schedule.add(parseFaultText('load=2@1+2'));
    await clock.advanceTo(101_999);
    t.same(calls, ['42000 up=false']);
    await clock.advanceTo(102_000);
    t.same(calls, ['42000 up=false', '102000 up=true']);
    t.equal(schedule.list().length, 2);
  },
);

t.test('stop cancels what has not happened', async (t) => {
  const clock = new VirtualClock();
  const { target, calls } = recordingTarget(clock);
  const schedule = new FaultSchedule({ clock, target });
  schedule.add(parseFaultText('load=2@1+2'));
  await clock.advanceTo(1500);
  schedule.stop();
  await clock.runAll();
  t.same(calls, ['1000 load=2']);
  t.equal(clock.pending(), 0);
});
