/**
 * Faults on the dashboard (issue 11, item 5): the status bar while a fault is on, the chart marker over
 * the seconds it was on, and the key that fires a 60-second courier outage now.
 */
import t from 'tap';
import type { SeriesRow } from '../lab/lab-view.js';
import { harness } from './fixtures/dashboard-harness.js';
import { faultSegment, keyOutage, withFaultMarker } from '../tui/fault-view.js';
import { statusSegments, WHOLE_RUN, type ChartModel } from '../tui/view-model.js';
import { actionFor, HELP_LINES } from '../tui/key-map.js';
import { faultText } from '../lab/faults/fault-spec.js';

const outage = { kind: 'courier-outage', value: '1', startS: 100, durationS: 60 };

t.test('the status bar names each fault on and the time it has left', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const base = h.session.snapshot();
  t.equal(faultSegment(base), undefined, 'nothing without faults');
  const snap = {
    ...base,
    t: 118,
    faults: {
      all: [outage],
      active: [outage, { kind: 'courier-latency', value: '5000-9000', startS: 110, durationS: 120 }],
    },
  };
  t.same(faultSegment(snap), {
    text: ' FAULT courier-outage 42s left, courier-latency=5000-9000 1m52s left ',
    priority: 0,
    tag: 'white-fg}{red-bg',
  });
  t.same(statusSegments(snap)[1], faultSegment(snap), 'right after the mode');
  const after = { ...base, t: 300, faults: { all: [outage], active: [], verdict: 'not recovered yet' } };
  t.same(faultSegment(after), { text: ' not recovered yet ', priority: 1, tag: 'black-fg}{yellow-bg' });
  const back = {
    ...after,
    faults: { ...after.faults, verdict: 'recovered 12 s after the trigger (at 172 s)' },
  };
  t.equal(faultSegment(back)!.tag, 'black-fg}{green-bg', 'the verdict once the trigger is over');
});

t.test('the chart marker sits at the top of the scale over the seconds the fault was on', async (t) => {
  const rows = Array.from({ length: 10 }, (_, i) => ({ t: 95 + i + 1 }) as SeriesRow); // seconds 96..105
  const model: ChartModel = { title: 'x', unit: 'u', x: [], series: [], maxY: 50, window: WHOLE_RUN };
  const marked = withFaultMarker(model, rows, WHOLE_RUN, 5, [outage]);
  // Buckets of two rows: 96-97, 98-99, 100-101, 102-103, 104-105; the outage starts at 100 s.
  t.same(marked.series.at(-1), {
    title: 'fault',
    colour: 'red',
    y: [0, 0, 50, 50, 50],
    readout: 'on',
    reference: true,
  });
  t.equal(
    withFaultMarker(model, rows, WHOLE_RUN, 5, [{ ...outage, startS: 300 }]),
    model,
    'no fault in view: as is',
  );
});

t.test("the key 'o' fires a 60-second courier outage at the current scenario second", async (t) => {
  t.same(actionFor('o', { full: 'o' }, { overlay: 'none', prompting: false }), { type: 'outage' });
  t.equal(faultText(keyOutage(123.7)), 'courier-outage@123+60');
  t.ok(HELP_LINES.some((l) => l.startsWith('o ')));
});
