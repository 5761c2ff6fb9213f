import t from 'tap';
import { SqsQueue, type SqsMessage } from '../lab/flow/sqs-queue.js';
import { VirtualClock } from '../lab/time/clock.js';
import { SeededRandom } from '../lab/time/random.js';

const S = 1000;

function queueOn(
  options: { visibilityTimeoutS?: number; retentionS?: number; maxReceiveCount?: number } = {},
) {
  const clock = new VirtualClock();
  const queue = new SqsQueue<string>({ clock, ...options });
  return { clock, queue };
}

t.test('receive hands out the oldest visible message and hides it for the visibility timeout', (t) => {
  const { queue } = queueOn({ visibilityTimeoutS: 150 });
  t.same([queue.send('a', 0), queue.send('b', 0, 'queue'), queue.send('c', 10)], ['m-1', 'm-2', 'm-3']);
  t.equal(queue.get('m-2')?.tag, 'queue', 'the tag is kept');

  const first = queue.receive(20)!;
  t.match(first, { id: 'm-1', body: 'a', sentAt: 0, receiveCount: 1, visibleAt: 150 * S + 20 });
  t.equal(queue.visibleCount(20), 2);
  t.equal(queue.inFlightCount(20), 1);
  t.equal(queue.size, 3);

  t.equal(queue.receive(30)?.id, 'm-2');
  t.equal(queue.receive(30)?.id, 'm-3');
  t.equal(queue.receive(40), undefined, 'nothing visible');
  t.equal(queue.nextVisibleAt(), 150 * S + 20, 'a poller can sleep until m-1 reappears');

  t.equal(queue.receive(150 * S + 19), undefined, 'still invisible 1 ms before the timeout');
  const again = queue.receive(150 * S + 20)!;
  t.match(again, { id: 'm-1', receiveCount: 2, visibleAt: 300 * S + 20 });
  t.same(queue.totals, { sent: 3, deleted: 0, expired: 0, deadLettered: 0, receives: 4, redeliveries: 1 });
  t.end();
});

t.test('messages that reappear queue up by the time they became visible, then by send order', (t) => {
  const { queue } = queueOn({ visibilityTimeoutS: 10 });
  queue.send('a', 0);
  queue.send('b', 0);
  queue.receive(0); // a until 10 s
  queue.receive(5 * S); // b until 15 s
  queue.send('c', 12 * S); // a reappeared at 10 s, before c was sent
  t.same(
    [queue.receive(20 * S)?.body, queue.receive(20 * S)?.body, queue.receive(20 * S)?.body],
    ['a', 'c', 'b'],
  );
  t.end();
});

t.test('delete and changeVisibility', (t) => {
  const { queue } = queueOn({ visibilityTimeoutS: 150 });
  const a = queue.send('a', 0);
  const b = queue.send('b', 0);
  t.equal(queue.changeVisibility(a, 5, 0), false, 'a visible message is not in flight');
  queue.receive(0);
  t.equal(queue.changeVisibility(a, 5, 1 * S), true);
  t.equal(queue.get(a)?.visibleAt, 6 * S);
  t.equal(queue.nextVisibleAt(), 0, 'b is visible already');
  t.equal(queue.receive(1 * S)?.id, b);
  t.equal(queue.receive(5999), undefined);
  t.equal(queue.receive(6 * S)?.id, a, 'visible again at the new time');
  t.equal(queue.changeVisibility(a, 0, 7 * S), true, '0 makes it visible at once');
  t.equal(queue.visibleCount(7 * S), 1);
  t.throws(() => queue.changeVisibility(a, 43_201, 7 * S), RangeError);
  t.throws(() => queue.changeVisibility(a, -1, 7 * S), RangeError);

  t.equal(queue.delete(a), true, 'a visible message can be deleted');
  t.equal(queue.delete(b), true, 'so can one in flight');
  t.equal(queue.delete(b), false, 'but only once');
  t.equal(queue.delete('nope'), false);
  t.equal(queue.size, 0);
  t.equal(queue.visibleCount(7 * S), 0);
  t.equal(queue.inFlightCount(7 * S), 0);
  t.equal(queue.nextVisibleAt(), undefined);
  t.equal(queue.receive(1000 * S), undefined);
  t.equal(queue.totals.deleted, 2);
  t.end();
});

t.test('maxReceiveCount moves a message to the DLQ on the receive after its last allowed one', (t) => {
  const { queue } = queueOn({ visibilityTimeoutS: 150, maxReceiveCount: 3 });
  const dead: [string, number, number][] = [];
  queue.on('deadLettered', (m, now) => dead.push([m.id, m.receiveCount, now]));
  const id = queue.send('a', 0);
  queue.send('b', 0);
  for (let i = 0; i < 3; i++) {
    const m = queue.receive(i * 150 * S)!;
    t.equal(m.id, id);
    t.equal(m.receiveCount, i + 1);
    if (i === 0) queue.delete(queue.receive(0)!.id); // b succeeds at once
  }
  t.equal(queue.receive(450 * S - 1), undefined);
  t.equal(queue.receive(450 * S), undefined, 'the fourth receive dead-letters it instead');
  t.same(dead, [[id, 3, 450 * S]]);
  t.equal(queue.dlqCount, 1);
  t.equal(queue.deadLetters()[0]?.body, 'a');
  t.equal(queue.size, 0);
  t.equal(queue.get(id), undefined);
  t.match(queue.totals, { sent: 2, deleted: 1, deadLettered: 1, receives: 4, redeliveries: 2 });
  t.end();
});

t.test('a dead-lettered message makes way for the next visible one in the same receive', (t) => {
  const { queue } = queueOn({ visibilityTimeoutS: 10, maxReceiveCount: 1 });
  queue.send('a', 0);
  queue.receive(0);
  queue.send('b', 12 * S); // a became visible again at 10 s, ahead of b
  t.equal(queue.receive(12 * S)?.body, 'b', 'a went to the DLQ, b came out');
  t.equal(queue.dlqCount, 1);
  t.end();
});

t.test('retention: messages past their age are expired (lost), lazily or on sweep', (t) => {
  const { queue } = queueOn({ visibilityTimeoutS: 150, retentionS: 60 });
  const expired: [string, number][] = [];
  queue.on('expired', (m, now) => expired.push([m.body, now]));
  queue.send('a', 0);
  queue.send('b', 0);
  queue.send('c', 30 * S);
  queue.send('held', 40 * S);
  t.equal(queue.oldestAgeS(50 * S), 50);
  t.equal(queue.sweep(60 * S - 1), 0);
  t.equal(queue.sweep(60 * S), 2, 'a and b reach 60 s of age');
  t.same(expired, [
    ['a', 60 * S],
    ['b', 60 * S],
  ]);
  t.equal(queue.oldestAgeS(60 * S), 30);
  t.equal(queue.receive(89 * S)?.body, 'c');
  t.equal(queue.receive(89 * S)?.body, 'held', 'received before its expiry');
  t.equal(queue.receive(90 * S), undefined, 'nothing else visible: c is in flight');
  // c (in flight, 90 s old) is not expired while someone may still delete it; its invocation succeeds.
  t.equal(queue.sweep(100 * S), 0);
  t.equal(queue.oldestAgeS(100 * S), 70, 'the oldest in-flight message still counts');
  t.equal(queue.delete(queue.get('m-3')!.id), true, 'the in-flight message past retention can be deleted');
  // held failed: it expires as soon as its visibility timeout ends, instead of reappearing.
  t.equal(queue.receive(89 * S + 150 * S), undefined, 'held expired when it would have reappeared');
  t.same(expired.at(-1), ['held', 239 * S]);
  t.same(queue.totals, { sent: 4, deleted: 1, expired: 3, deadLettered: 0, receives: 2, redeliveries: 0 });
  t.equal(queue.size, 0);
  t.equal(queue.oldestAgeS(240 * S), 0);
  t.end();
});

t.test('options are validated where they enter', (t) => {
  const clock = new VirtualClock();
  t.throws(
    () => new SqsQueue({ clock, visibilityTimeoutS: -1 }),
    /visibilityTimeoutS must be from 0 to 43200, got -1/,
  );
  t.throws(() => new SqsQueue({ clock, retentionS: 0 }), /retentionS must be above 0, got 0/);
  t.throws(
    () => new SqsQueue({ clock, maxReceiveCount: 0 }),
    /maxReceiveCount must be an integer from 1 and up, got 0/,
  );
  const q = new SqsQueue<number>({ clock, idPrefix: 'o-' });
  t.equal(q.visibilityTimeoutS, 150, 'default visibility timeout');
  t.equal(q.retentionS, 345_600, 'default retention, 4 days');
  t.equal(q.maxReceiveCount, undefined);
  t.equal(q.send(1), 'o-1', 'now defaults to the clock');
  t.equal(q.get('o-1')?.sentAt, 0);
  t.end();
});

/** A plain-array model of the same rules, scanned on every call: slow but obviously right. */
class ModelQueue {
  msgs: { id: string; sentAt: number; rc: number; visibleAt: number; seq: number }[] = [];
  dlq = 0;
  expired = 0;
  seq = 0;
  constructor(
    readonly vt: number,
    readonly retention: number,
    readonly mrc: number | undefined,
  ) {}
  send(now: number): void {
    this.seq++;
    this.msgs.push({ id: `m-${this.seq}`, sentAt: now, rc: 0, visibleAt: now, seq: this.seq });
  }
  sweep(now: number): void {
    const keep = this.msgs.filter((m) => !(m.sentAt + this.retention <= now && m.visibleAt <= now));
    this.expired += this.msgs.length - keep.length;
    this.msgs = keep;
  }
  receive(now: number): { id: string; rc: number } | undefined {
    this.sweep(now);
    for (;;) {
      const visible = this.msgs
        .filter((m) => m.visibleAt <= now)
        .sort((a, b) => a.visibleAt - b.visibleAt || a.seq - b.seq);
      const m = visible[0];
      if (!m) return undefined;
      if (this.mrc !== undefined && m.rc >= this.mrc) {
        this.msgs = this.msgs.filter((x) => x !== m);
        this.dlq++;
        continue;
      }
      m.rc++;
      m.visibleAt = now + this.vt;
      return { id: m.id, rc: m.rc };
    }
  }
}

t.test('random operations agree with a plain-array model', (t) => {
  for (const seed of [1, 2, 3, 4]) {
    const rnd = new SeededRandom(seed);
    const vt = 1 + Math.floor(rnd.uniform(0, 20));
    const retention = 60 + Math.floor(rnd.uniform(0, 120));
    const mrc = seed % 2 === 0 ? 1 + Math.floor(rnd.uniform(0, 2)) : undefined;
    const clock = new VirtualClock();
    const queue = new SqsQueue<number>({
      clock,
      visibilityTimeoutS: vt,
      retentionS: retention,
      maxReceiveCount: mrc,
    });
    const model = new ModelQueue(vt * S, retention * S, mrc);
    let now = 0;
    const held: SqsMessage<number>[] = [];
    let mismatches = 0;
    for (let step = 0; step < 3000; step++) {
      now += Math.floor(rnd.uniform(0, 400));
      const r = rnd.next();
      if (r < 0.35) {
        queue.send(step, now);
        model.send(now);
      } else if (r < 0.65) {
        const got = queue.receive(now);
        const want = model.receive(now);
        if (got?.id !== want?.id || got?.receiveCount !== want?.rc) mismatches++;
        if (got) held.push(got);
      } else if (held.length > 0) {
        // Finish one held message: delete it (success) or push its visibility out.
        const m = held.splice(Math.floor(rnd.uniform(0, held.length)), 1)[0]!;
        if (rnd.chance(0.6)) {
          const ok = queue.delete(m.id);
          const i = model.msgs.findIndex((x) => x.id === m.id);
          if (ok !== i >= 0) mismatches++;
          if (i >= 0) model.msgs.splice(i, 1);
        } else {
          const secs = 1 + Math.floor(rnd.uniform(0, 10));
          const ok = queue.changeVisibility(m.id, secs, now);
          const x = model.msgs.find((y) => y.id === m.id && y.visibleAt > now);
          if (ok !== (x !== undefined)) mismatches++;
          if (x) x.visibleAt = now + secs * S;
        }
      }
      if (step % 50 === 0) {
        queue.sweep(now);
        model.sweep(now);
        const visible = model.msgs.filter((m) => m.visibleAt <= now).length;
        if (queue.visibleCount(now) !== visible) mismatches++;
        if (queue.inFlightCount(now) !== model.msgs.length - visible) mismatches++;
      }
    }
    t.equal(mismatches, 0, `seed ${seed}: every answer matches the model`);
    t.equal(queue.dlqCount, model.dlq, `seed ${seed}: dead-lettered`);
    t.equal(queue.totals.expired, model.expired, `seed ${seed}: expired`);
    const totals = queue.totals;
    t.equal(
      totals.sent,
      totals.deleted + totals.expired + totals.deadLettered + queue.size,
      `seed ${seed}: every message is deleted, expired, dead-lettered or still queued`,
    );
  }
  t.end();
});

/** One named wall-time tolerance: an array scan per receive would take minutes here, the heap milliseconds. */
function fastEnough(label: string, elapsedMs: number, limitMs: number): [boolean, string] {
  return [
    elapsedMs < limitMs,
    `${label} took ${elapsedMs.toFixed(0)} ms (limit ${limitMs} ms; a per-receive scan is O(n²))`,
  ];
}

t.test('cheap at depth: 100k messages sent, received, failed, redelivered and deleted', (t) => {
  const { queue } = queueOn({ visibilityTimeoutS: 150 });
  const n = 100_000;
  const start = performance.now();
  for (let i = 0; i < n; i++) queue.send('x', i);
  for (let i = 0; i < n; i++) queue.receive(n + i); // all in flight, half will fail
  t.equal(queue.inFlightCount(2 * n), n);
  for (let i = 1; i <= n; i += 2) queue.delete(`m-${i}`);
  let redelivered = 0;
  for (let m = queue.receive(500 * S); m; m = queue.receive(500 * S)) {
    redelivered++;
    queue.delete(m.id);
  }
  t.ok(...fastEnough(`${n} messages`, performance.now() - start, 3000));
  t.equal(redelivered, n / 2);
  t.equal(queue.size, 0);
  t.equal(queue.totals.redeliveries, n / 2);
  t.end();
});
