import t from 'tap';
import { CourierStats } from '../lab/courier/courier-stats.js';

t.test('counts by status, with the report statuses always present', async (t) => {
  const stats = new CourierStats();
  t.same(stats.snapshot(), {
    requests: 0,
    received: 0,
    byStatus: { '200': 0, '403': 0, '429': 0, '502': 0, '504': 0 },
    admitted: 0,
    peakAdmittedPerSecond: 0,
    work: { useful: { requests: 0, busyMs: 0 }, wasted: { requests: 0, busyMs: 0 } },
  });
  for (const status of [200, 200, 429, 404, 413, 418, 999, -1]) {
    stats.received();
    stats.answered(status);
  }
  const s = stats.snapshot();
  t.same(s.byStatus, { '200': 2, '403': 0, '404': 1, '413': 1, '429': 1, '502': 0, '504': 0, other: 3 });
  t.equal(s.requests, 8);
  t.equal(s.received, 8);
});

t.test('peak admitted per scenario second', async (t) => {
  const stats = new CourierStats();
  // 10 at t = 0, then one each 100 ms: 10 in second 0 (0..999 ms holds 0 and 100..900), then 10 a second.
  for (let i = 0; i < 10; i++) stats.admitted(0);
  for (let ms = 100; ms < 5000; ms += 100) stats.admitted(ms);
  t.equal(stats.snapshot().admitted, 59);
  t.equal(stats.snapshot().peakAdmittedPerSecond, 19, 'second 0: the burst of 10 plus 9 refills');
  for (let i = 0; i < 25; i++) stats.admitted(7000 + i);
  t.equal(stats.snapshot().peakAdmittedPerSecond, 25, 'a later, bigger second raises the peak');
  stats.admitted(8000);
  t.equal(stats.snapshot().peakAdmittedPerSecond, 25, 'a new second starts its own count');
});

t.test(
  'two views of one buffer see the same counts (the worker writes, the main thread reads)',
  async (t) => {
    const main = new CourierStats();
    const worker = new CourierStats(main.buffer);
    worker.admitted(1500);
    worker.answered(502);
    t.equal(main.snapshot().admitted, 1);
    t.equal(main.snapshot().byStatus['502'], 1);
    t.equal(main.snapshot().peakAdmittedPerSecond, 1);
    worker.work(true, 1500);
    worker.work(false, 250.5);
    worker.work(false, 100);
    t.same(main.snapshot().work, {
      useful: { requests: 1, busyMs: 1500 },
      wasted: { requests: 2, busyMs: 350.5 },
    });
    t.throws(() => new CourierStats(new SharedArrayBuffer(8)), RangeError, 'too small a buffer is refused');
  },
);
