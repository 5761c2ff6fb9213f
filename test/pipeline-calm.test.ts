/**
 * The calming policies through the whole pipeline on a virtual clock: the real handlers, deliverOrder with
 * the pipeline's guards, and the courier's own policy (key, usage-plan bucket, failures, latency) in
 * process. The same seeded storm under each configuration; the assertions compare configurations with
 * each other (what the lab must show), the counts come from independent tallies of the courier's answers.
 */
import t from 'tap';
import { VirtualClock } from '../lab/time/clock.js';
import { SeededRandom } from '../lab/time/random.js';
import { labOptionsWith, type LabOptions } from '../lab/config/parse-options.js';
import { Pipeline } from '../lab/pipeline/pipeline.js';
import { deliverOrder, type OrderEvent } from '../lab/delivery/deliver-order.js';
import { TokenBucket } from '../lab/time/token-bucket.js';
import { decideCourierRequest } from '../lab/courier/courier-policy.js';
import type { Executor } from '../lab/runtime/function-types.js';
import { notifyHandler, type NotifyPayload } from '../workers/notify-handler.js';

interface Outcome {
  calls: number;
  accepted: number;
  delivered: number;
  lost: number;
  limits: number[];
  peakDelivery: number;
  refusedByBreaker: number;
}

/** `orders` arrivals, one every `gapMs`, then run until everything settles (or 3 virtual hours). */
async function storm(
  overrides: Parameters<typeof labOptionsWith>[0],
  orders = 400,
  gapMs = 200,
): Promise<Outcome> {
  const clock = new VirtualClock();
  const options: LabOptions = labOptionsWith({
    coldStartMs: 100,
    ...overrides,
    courier: { rate: 3, burst: 3 },
  });
  const bucket = new TokenBucket({ rate: options.courier.rate, burst: options.courier.burst });
  const courierRandom = new SeededRandom(7);
  let calls = 0;
  let running = 0;
  let peakDelivery = 0;
  let refusedByBreaker = 0;
  const ref: { pipeline?: Pipeline } = {};
  const executor: Executor = {
    async run(fn, payload, context, signal) {
      if (fn === 'notify') return notifyHandler(payload as NotifyPayload, context);
      running++;
      peakDelivery = Math.max(peakDelivery, running);
      try {
        const guards = ref.pipeline!.guards.forInvocation(context);
        const out = await deliverOrder(
          payload as OrderEvent,
          context,
          {
            clock,
            random: new SeededRandom(context.requestId.length + calls),
            apiKey: options.courier.apiKey,
            ...guards,
            post: async (_body, headers, sig) => {
              calls++;
              const d = decideCourierRequest(
                { apiKey: headers['x-api-key'], requestId: 'r' },
                clock.now(),
                bucket,
                courierRandom,
                options.courier,
              );
              if (d.delayMs > 0) await clock.sleep(d.delayMs, sig);
              return { status: d.status };
            },
          },
          signal,
        );
        if (guards.breaker) refusedByBreaker = guards.breaker.counts.refused;
        return out;
      } finally {
        running--;
      }
    },
  };
  const pipeline = new Pipeline({ clock, random: new SeededRandom(5), executor, options });
  ref.pipeline = pipeline;
  const limits: number[] = [];
  const sample = (): void => {
    limits.push(pipeline.limits.limit);
    if (limits.length < 600) clock.setTimeout(sample, 1000);
  };
  clock.setTimeout(sample, 1000);
  for (let i = 0; i < orders; i++) {
    void pipeline.acceptOrder({ order_id: `o-${i}` });
    await clock.advance(gapMs);
  }
  await clock.advance(3 * 3600_000);
  const o = pipeline.orders;
  return {
    calls,
    accepted: o.accepted,
    delivered: o.delivered,
    lost: o.lost,
    limits,
    peakDelivery,
    refusedByBreaker: pipeline.guards.figures().breaker?.refused ?? refusedByBreaker,
  };
}

t.test('retry budgets: one per environment barely helps, a shared one cuts the calls', async (t) => {
  const tenacity = await storm({ retryPolicy: 'tenacity' });
  const sdkEnv = await storm({ retryPolicy: 'sdk-standard', retryBudgetScope: 'environment' });
  const sdkShared = await storm({ retryPolicy: 'sdk-standard', retryBudgetScope: 'shared' });
  const bucketEnv = await storm({ retryPolicy: 'retry-bucket', retryBudgetScope: 'environment' });
  const bucketShared = await storm({ retryPolicy: 'retry-bucket', retryBudgetScope: 'shared' });
  for (const r of [tenacity, sdkEnv, sdkShared, bucketEnv, bucketShared]) t.equal(r.accepted, 400);
  const perOrder = (r: Outcome): number => r.calls / r.accepted;
  t.comment(
    `calls per order: tenacity ${perOrder(tenacity)}, sdk env ${perOrder(sdkEnv)}, sdk shared ${perOrder(sdkShared)}, bucket env ${perOrder(bucketEnv)}, bucket shared ${perOrder(bucketShared)}`,
  );
  t.ok(perOrder(sdkShared) < perOrder(sdkEnv), 'sdk-standard: the shared quota makes fewer calls');
  t.ok(perOrder(bucketShared) < perOrder(bucketEnv), 'retry-bucket: the shared bucket makes fewer calls');
});

t.test('queue with AIMD and gradient: the poller limit moves and bounds delivery concurrency', async (t) => {
  const aimd = await storm({ mode: 'queue', queueAdaptive: 'aimd', retryPolicy: 'tenacity' });
  const gradient = await storm({ mode: 'queue', queueAdaptive: 'gradient', retryPolicy: 'tenacity' });
  for (const r of [aimd, gradient]) {
    t.equal(r.lost, 0, 'the queue loses nothing');
    t.equal(r.delivered, 400, 'everything is delivered in the end');
    t.ok(
      new Set(r.limits).size > 2,
      `the limit changed over the run (${[...new Set(r.limits)].slice(0, 8)})`,
    );
    t.ok(r.peakDelivery <= Math.max(...r.limits) + 1);
  }
  t.equal(aimd.limits[0], 5, 'the ESM starts at 5 even when AIMD would allow 10');
});

t.test('a shared circuit breaker fails calls at once while open', async (t) => {
  const off = await storm({ retryPolicy: 'tenacity' });
  const on = await storm({
    retryPolicy: 'tenacity',
    breaker: {
      mode: 'consecutive',
      scope: 'shared',
      threshold: 5,
      failureRatio: 0.5,
      windowS: 10,
      minRps: 1,
      halfOpenS: 5,
    },
  });
  t.ok(on.refusedByBreaker > 0, `${on.refusedByBreaker} calls refused by the open breaker`);
  t.ok(on.calls < off.calls, `fewer courier calls with the breaker (${on.calls} < ${off.calls})`);
});
