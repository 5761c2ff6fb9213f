import t from 'tap';
import { VirtualClock } from '../lab/time/clock.js';
import { SeededRandom } from '../lab/time/random.js';

t.test('timers fire in time order, ties in the order they were set, cancelled ones never', async (t) => {
  const random = new SeededRandom(42);
  const clock = new VirtualClock();
  const fired: number[] = [];
  const expected: { at: number; n: number }[] = [];
  for (let n = 0; n < 5000; n++) {
    // Few distinct times, so that many timers tie.
    const at = Math.floor(random.next() * 50) * 10;
    const timer = clock.setTimeout(() => fired.push(n), at);
    if (random.next() < 0.3) timer.cancel();
    else expected.push({ at, n });
  }
  // Sorted by a separate computation: stable sort by time keeps the setting order among ties.
  expected.sort((a, b) => a.at - b.at);
  while (clock.fireNext()) {
    /* fire them all */
  }
  t.equal(fired.length, expected.length, 'every live timer fired once');
  t.same(
    fired,
    expected.map((e) => e.n),
    'in time order, ties as set',
  );
  t.equal(clock.nextAt(), undefined, 'none left');
});

t.test('timers set while firing keep the order, and a limit stops early', async (t) => {
  const clock = new VirtualClock();
  const log: string[] = [];
  clock.setTimeout(() => {
    log.push('a@10');
    clock.setTimeout(() => log.push('c@10'), 0);
    clock.setTimeout(() => log.push('d@15'), 5);
  }, 10);
  clock.setTimeout(() => log.push('b@10'), 10);
  clock.setTimeout(() => log.push('e@20'), 20);
  while (clock.fireNext(15)) {
    /* up to 15 */
  }
  t.same(log, ['a@10', 'b@10', 'c@10', 'd@15']);
  t.equal(clock.now(), 15);
  t.equal(clock.nextAt(), 20);
});
