import t from 'tap';
import { VirtualClock } from '../lab/time/clock.js';
import { SeededRandom } from '../lab/time/random.js';
import { labOptionsWith } from '../lab/config/parse-options.js';
import { Pipeline } from '../lab/pipeline/pipeline.js';
import type { Executor, HandlerOutcome } from '../lab/runtime/function-types.js';
import { notifyHandler, type NotifyPayload } from '../workers/notify-handler.js';
import type { Mode } from '../lab/config/option-spec.js';

/** Delivery takes 1 to 3 s and fails 30% of the time; notify runs the real handler. */
function rig(mode: Mode, overrides: Parameters<typeof labOptionsWith>[0] = {}) {
  const clock = new VirtualClock();
  const random = new SeededRandom(11);
  let runningDelivery = 0;
  let maxDelivery = 0;
  const executor: Executor = {
    async run(fn, payload, context, signal): Promise<HandlerOutcome> {
      if (fn === 'notify') return notifyHandler(payload as NotifyPayload, context);
      runningDelivery++;
      maxDelivery = Math.max(maxDelivery, runningDelivery);
      try {
        await clock.sleep(random.uniform(1000, 3000), signal);
        return random.chance(0.3)
          ? { ok: false, code: 'CourierError', message: 'courier answered 429', logs: [] }
          : { ok: true, value: null, logs: [] };
      } finally {
        runningDelivery--;
      }
    },
  };
  const options = labOptionsWith({ mode, coldStartMs: 100, ...overrides });
  const pipeline = new Pipeline({ clock, random: new SeededRandom(5), executor, options });
  const identity: boolean[] = [];
  const checkEverySecond = (): void => {
    identity.push(pipeline.orders.identityHolds());
    if (identity.length < 4000) clock.setTimeout(checkEverySecond, 1000);
  };
  clock.setTimeout(checkEverySecond, 1000);
  /** Sends one order through the ingress and lets virtual time run past the notify function's cold start. */
  const accept = async (i: number): Promise<void> => {
    const answer = pipeline.acceptOrder({ order_id: `o-${i}` });
    await clock.advance(150);
    await answer;
  };
  return { clock, pipeline, identity, accept, maxDelivery: () => maxDelivery };
}

t.test('a switch routes the very next event by the new mode, and loses nothing', async (t) => {
  const r = rig('none');
  const p = r.pipeline;
  const order = r.accept;
  for (let i = 0; i < 20; i++) await order(i);
  t.same(p.routed, { none: 20, queue: 0, throttle: 0 });
  p.setMode('queue');
  await order(20);
  t.same(p.routed, { none: 20, queue: 1, throttle: 0 }, 'the first event after the switch goes to the queue');
  t.equal(p.queue.totals.sent, 1);
  for (let i = 21; i < 40; i++) await order(i);
  p.setMode('none');
  await order(40);
  t.same(p.routed, { none: 21, queue: 20, throttle: 0 }, 'and back');
  // Run until everything settles: async retries take minutes, the queue's visibility timeout 150 s.
  await r.clock.advance(3_600_000);
  t.equal(p.orders.accepted, 41);
  t.equal(p.orders.inFlight, 0, 'nothing left in flight');
  t.equal(p.queue.size, 0, 'the queue was drained after the switch back to none');
  t.equal(p.orders.delivered + p.orders.lost, 41);
  t.ok(r.identity.length > 100 && r.identity.every(Boolean), 'the identity held at every second');
  t.same(
    p.modeChanges.map((c) => c.mode),
    ['none', 'queue', 'none'],
  );
});

t.test(
  'queue mode: failures come back, nothing is lost, delivery concurrency stays at the cap',
  async (t) => {
    const r = rig('queue', { queueConcurrency: 4 });
    const p = r.pipeline;
    for (let i = 0; i < 200; i++) {
      r.clock.setTimeout(() => void p.acceptOrder({ order_id: `o-${i}` }), i * 100);
    }
    await r.clock.advance(4 * 3_600_000);
    t.equal(p.orders.accepted, 200);
    t.equal(p.orders.delivered, 200, 'every order delivered in the end');
    t.equal(p.orders.lost, 0);
    t.ok(r.maxDelivery() <= 4, `delivery ran ${r.maxDelivery()} at once, cap 4`);
    t.ok(p.queue.totals.redeliveries > 0, 'failed messages were received again');
    t.ok(r.identity.every(Boolean));
  },
);

t.test('queue mode with maxReceiveCount dead-letters what keeps failing', async (t) => {
  const r = rig('queue', { maxReceiveCount: 1 });
  const p = r.pipeline;
  for (let i = 0; i < 100; i++) await r.accept(i);
  await r.clock.advance(3_600_000);
  t.equal(p.orders.inFlight, 0);
  t.ok(p.orders.deadLettered > 10, `${p.orders.deadLettered} dead-lettered`);
  t.equal(p.orders.delivered + p.orders.deadLettered, 100);
  t.equal(p.queue.dlqCount, p.orders.deadLettered);
});

t.test('none mode with an on-failure destination dead-letters instead of losing', async (t) => {
  const r = rig('none', { asyncDlq: true, asyncRetries: 0 });
  const p = r.pipeline;
  for (let i = 0; i < 100; i++) await r.accept(i);
  await r.clock.advance(3_600_000);
  t.equal(p.orders.lost, 0);
  t.ok(p.orders.deadLettered > 10);
  t.equal(p.orders.delivered + p.orders.deadLettered, 100);
});
