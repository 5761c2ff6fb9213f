import t from 'tap';
import { QueuePoller, type InvokeOutcome, type PollerEvent } from '../lab/flow/queue-poller.js';
import { SqsQueue, type SqsMessage } from '../lab/flow/sqs-queue.js';
import { VirtualClock } from '../lab/time/clock.js';
import { SeededRandom } from '../lab/time/random.js';

const S = 1000;

interface Call {
  message: SqsMessage<number>;
  /** receiveCount and scenario time when invoked (the message object itself changes later). */
  receiveCount: number;
  at: number;
  finish: (outcome: InvokeOutcome) => void;
}

/**
 * A queue and poller on a virtual clock whose invocations are deferreds: `calls` holds every invocation
 * and the test ends each one when it chooses. `running` is counted here, independently of the poller,
 * and checked against the cap inside every invocation.
 */
function rig(options: {
  maxConcurrency: number;
  visibilityTimeoutS?: number;
  retentionS?: number;
  maxReceiveCount?: number;
}) {
  const clock = new VirtualClock();
  const queue = new SqsQueue<number>({
    clock,
    visibilityTimeoutS: options.visibilityTimeoutS ?? 150,
    retentionS: options.retentionS,
    maxReceiveCount: options.maxReceiveCount,
  });
  const calls: Call[] = [];
  const events: PollerEvent<number>[] = [];
  const state = { running: 0, peak: 0, overCap: 0, cap: options.maxConcurrency };
  const poller = new QueuePoller<number>({
    clock,
    queue,
    maxConcurrency: options.maxConcurrency,
    onEvent: (e) => events.push(e),
    invoke: (message) => {
      state.running++;
      state.peak = Math.max(state.peak, state.running);
      if (state.running > state.cap) state.overCap++;
      return new Promise<InvokeOutcome>((resolve) => {
        calls.push({
          message,
          receiveCount: message.receiveCount,
          at: clock.now(),
          finish: (outcome) => {
            state.running--;
            resolve(outcome);
          },
        });
      });
    },
  });
  const settle = () => clock.advance(0);
  return { clock, queue, poller, calls, events, state, settle };
}

t.test('never more than maxConcurrency in flight, and no receive while at the cap', async (t) => {
  const { queue, poller, calls, state, settle } = rig({ maxConcurrency: 10 });
  for (let i = 0; i < 50; i++) queue.send(i);
  await settle();
  t.equal(calls.length, 10, 'ten invocations start');
  t.equal(poller.inFlight, 10);
  t.equal(queue.totals.receives, 10, 'only ten messages were received');
  t.equal(queue.visibleCount(), 40, 'the other forty stay visible in the queue');
  t.equal(queue.inFlightCount(), 10);

  queue.send(50);
  await settle();
  t.equal(queue.totals.receives, 10, 'a send while at the cap receives nothing');

  calls[0]!.finish('ok');
  await settle();
  t.equal(queue.totals.receives, 11, 'one slot freed, one receive');
  t.equal(calls.length, 11);
  for (const c of calls.slice(1, 6)) c.finish('ok');
  await settle();
  t.equal(queue.totals.receives, 16, 'five more slots, five more receives');
  t.same(
    calls.map((c) => c.message.body),
    Array.from({ length: 16 }, (_, i) => i),
    'in send order',
  );

  // Finish the rest one by one, as they come.
  for (let i = 6; i < calls.length; i++) {
    calls[i]!.finish('ok');
    await settle();
  }
  await poller.onIdle();
  t.equal(calls.length, 51);
  t.equal(state.overCap, 0, 'the cap held inside every invocation');
  t.equal(state.peak, 10);
  t.equal(poller.stats.peakInFlight, 10);
  t.match(queue.totals, { sent: 51, receives: 51, deleted: 51, redeliveries: 0 });
  t.equal(queue.size, 0);
  t.match(poller.stats, { invocations: 51, ok: 51, failed: 0 });
});

t.test('a failed message reappears exactly after the visibility timeout with receiveCount 2', async (t) => {
  const { clock, queue, calls, events, settle } = rig({ maxConcurrency: 10, visibilityTimeoutS: 150 });
  await clock.advance(1 * S);
  queue.send(7); // at 1 s
  await settle();
  t.equal(calls.length, 1);
  await clock.advance(3 * S);
  calls[0]!.finish('failed'); // at 4 s: the message stays invisible until 1 s + 150 s
  await clock.advanceTo(151 * S - 1);
  t.equal(calls.length, 1, 'not yet at 150.999 s');
  t.equal(queue.visibleCount(), 0);
  await clock.advanceTo(151 * S);
  t.equal(calls.length, 2, 'received again at 151 s');
  t.match(calls[1], { receiveCount: 2, at: 151 * S });
  t.equal(calls[1]!.message.id, calls[0]!.message.id);

  calls[1]!.finish('throttled'); // a throttled invocation leaves it in the queue the same way
  await clock.advanceTo(301 * S - 1);
  t.equal(calls.length, 2);
  await clock.advanceTo(301 * S);
  t.match(calls[2], { receiveCount: 3, at: 301 * S });
  calls[2]!.finish('ok');
  await settle();
  t.equal(queue.size, 0);
  t.equal(queue.totals.redeliveries, 2);
  t.same(
    events.map((e) => [e.type, e.t, e.type === 'outcome' ? e.outcome : e.inFlight]),
    [
      ['invoke', 1 * S, 1],
      ['outcome', 4 * S, 'failed'],
      ['invoke', 151 * S, 1],
      ['outcome', 151 * S, 'throttled'],
      ['invoke', 301 * S, 1],
      ['outcome', 301 * S, 'ok'],
    ],
  );
});

t.test('maxReceiveCount sends a message to the DLQ after that many failed receives', async (t) => {
  const { clock, queue, poller, calls, settle } = rig({ maxConcurrency: 10, maxReceiveCount: 3 });
  const dead: number[] = [];
  queue.on('deadLettered', (_m, now) => dead.push(now));
  queue.send(1);
  for (let i = 0; i < 3; i++) {
    await clock.advanceTo(i * 150 * S);
    t.match(calls[i], { receiveCount: i + 1, at: i * 150 * S });
    calls[i]!.finish('failed');
    await settle();
  }
  await clock.advanceTo(450 * S);
  t.equal(calls.length, 3, 'no fourth invocation');
  t.same(dead, [450 * S], 'dead-lettered when it would have been received a fourth time');
  t.equal(queue.dlqCount, 1);
  t.equal(queue.size, 0);
  await poller.onIdle();
  t.match(poller.stats, { invocations: 3, failed: 3 });
});

t.test('an invocation that throws counts as failed and the message comes back', async (t) => {
  const clock = new VirtualClock();
  const queue = new SqsQueue<number>({ clock, visibilityTimeoutS: 10 });
  const events: PollerEvent<number>[] = [];
  let calls = 0;
  const boom = new Error('boom');
  new QueuePoller<number>({
    clock,
    queue,
    maxConcurrency: 2,
    onEvent: (e) => events.push(e),
    invoke: async () => {
      calls++;
      if (calls === 1) throw boom;
      return 'ok';
    },
  });
  queue.send(1);
  await clock.advance(10 * S);
  t.equal(calls, 2);
  t.equal(queue.size, 0);
  t.match(events[1], { type: 'outcome', outcome: 'failed', error: boom });
  t.notOk('error' in events[3]!, 'no error on a plain outcome');
});

t.test('retention: messages waiting past their age are expired when the poller next polls', async (t) => {
  const { clock, queue, calls, settle } = rig({ maxConcurrency: 1, retentionS: 60 });
  const expired: [number, number][] = [];
  queue.on('expired', (m, now) => expired.push([m.body, now]));
  for (let i = 0; i < 3; i++) queue.send(i);
  await settle();
  t.equal(calls.length, 1, 'one slot: messages 1 and 2 wait');
  await clock.advanceTo(70 * S);
  calls[0]!.finish('ok'); // past retention itself, but in flight: its deletion stands
  await settle();
  t.same(
    expired,
    [
      [1, 70 * S],
      [2, 70 * S],
    ],
    'swept when the slot freed, never invoked',
  );
  t.equal(calls.length, 1);
  t.match(queue.totals, { sent: 3, deleted: 1, expired: 2 });
});

t.test('setMaxConcurrency up and down while running', async (t) => {
  const { queue, poller, calls, state, settle } = rig({ maxConcurrency: 2 });
  for (let i = 0; i < 20; i++) queue.send(i);
  await settle();
  t.equal(calls.length, 2);

  state.cap = 5;
  poller.setMaxConcurrency(5);
  t.equal(poller.maxConcurrency, 5);
  await settle();
  t.equal(calls.length, 5, 'raised to 5: three more received at once');
  t.equal(queue.totals.receives, 5);
  t.equal(poller.inFlight, 5);

  poller.setMaxConcurrency(2);
  await settle();
  t.equal(calls.length, 5, 'lowered to 2: nothing received');
  for (let i = 0; i < 3; i++) {
    calls[i]!.finish('ok');
    await settle();
    t.equal(queue.totals.receives, 5, `still at or over the new cap after ${i + 1} finished: no receive`);
  }
  state.cap = 2;
  t.equal(poller.inFlight, 2);
  calls[3]!.finish('ok');
  await settle();
  t.equal(calls.length, 6, 'below the new cap: one receive');
  t.equal(queue.totals.receives, 6);
  t.equal(poller.inFlight, 2);

  t.throws(() => poller.setMaxConcurrency(0), /maxConcurrency must be an integer from 1 and up, got 0/);
  for (let i = 4; i < calls.length; i++) {
    calls[i]!.finish('ok');
    await settle();
  }
  await poller.onIdle();
  t.equal(calls.length, 20);
  t.equal(state.overCap, 0);
});

t.test('wakes on send, sleeps on one timer, stops', async (t) => {
  const { clock, queue, poller, calls, settle } = rig({ maxConcurrency: 3, visibilityTimeoutS: 30 });
  await clock.advance(5 * S);
  t.equal(clock.pending(), 0, 'an empty queue needs no timer');
  queue.send(1);
  await settle();
  t.match(calls[0], { at: 5 * S });
  calls[0]!.finish('failed');
  await settle();
  t.equal(clock.pending(), 1, 'one timer, for when the failed message reappears');
  await poller.onIdle(); // nothing visible, nothing running: idle even with a message in flight
  await clock.advanceTo(35 * S);
  t.match(calls[1], { at: 35 * S, receiveCount: 2 });

  const stopped = poller.stop();
  queue.send(2);
  calls[1]!.finish('ok');
  await stopped;
  await clock.advance(100 * S);
  t.equal(calls.length, 2, 'nothing received after stop');
  t.equal(queue.visibleCount(), 1);
  t.equal(queue.totals.deleted, 1, 'the running invocation still deleted its message');
  await poller.onIdle();
  t.equal(clock.pending(), 0, 'no timer left behind');
});

t.test('random load: the cap holds, every message ends somewhere, accounting adds up', async (t) => {
  for (const seed of [11, 12]) {
    const rnd = new SeededRandom(seed);
    const clock = new VirtualClock();
    const queue = new SqsQueue<number>({ clock, visibilityTimeoutS: 20, maxReceiveCount: 4 });
    const cap = 5;
    let running = 0;
    let overCap = 0;
    let receivesAtCap = 0;
    let started = 0;
    let receivedAhead = 0;
    const poller = new QueuePoller<number>({
      clock,
      queue,
      maxConcurrency: cap,
      invoke: async () => {
        // The slot this invocation took was free when it was received.
        if (running >= cap) receivesAtCap++;
        // Every receive starts its invocation at once: nothing is received to wait inside the poller.
        if (queue.totals.receives !== ++started) receivedAhead++;
        running++;
        if (running > cap) overCap++;
        await clock.sleep(rnd.uniform(0, 3000));
        running--;
        const r = rnd.next();
        return r < 0.7 ? 'ok' : r < 0.9 ? 'failed' : 'throttled';
      },
    });
    for (let i = 0; i < 400; i++) {
      await clock.advance(rnd.uniform(0, 500));
      queue.send(i);
    }
    await clock.runAll();
    await poller.onIdle();
    const totals = queue.totals;
    t.equal(overCap, 0, `seed ${seed}: never over the cap`);
    t.equal(receivesAtCap, 0, `seed ${seed}: never received while at the cap`);
    t.equal(receivedAhead, 0, `seed ${seed}: no message received ahead of a free slot`);
    t.equal(queue.size, 0, `seed ${seed}: drained`);
    t.equal(totals.deleted + totals.deadLettered, 400, `seed ${seed}: each message deleted or dead-lettered`);
    t.equal(poller.stats.invocations, totals.receives, `seed ${seed}: one invocation per receive`);
    t.equal(poller.stats.peakInFlight, cap, `seed ${seed}: the cap was reached`);
    t.ok(totals.deadLettered > 0 && totals.redeliveries > 0, `seed ${seed}: redeliveries and DLQ happened`);
  }
});
