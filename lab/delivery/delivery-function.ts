/**
 * The delivery function as both engines run it: the handler (deliverOrder) with its per-invocation random
 * stream and retry policy. Only the transports differ: a worker thread posts over HTTP and asks the main
 * thread for throttle tokens; the virtual engine calls the in-process courier and the throttle directly.
 */
import type { Clock } from '../time/clock.js';
import { SeededRandom, deriveSeed } from '../time/random.js';
import type { RetryPolicyName } from '../config/option-spec.js';
import type { HandlerOutcome, TaskContext } from '../runtime/function-types.js';
import type { WorkerCounters } from '../runtime/worker-counters.js';
import { deliverOrder, type DeliveryDeps, type OrderEvent } from './deliver-order.js';
import { retryPolicy } from './retry-policy.js';

/** What an execution environment of the delivery function is configured with. */
export interface DeliveryEnvironment {
  clock: Clock;
  /** The delivery function's seed: each invocation draws from its own stream, derived from its request id. */
  seed: number;
  retryPolicy: RetryPolicyName;
  apiKey: string;
  counters?: WorkerCounters | undefined;
}

export type DeliveryTransport = Pick<DeliveryDeps, 'post' | 'acquireToken'>;

export function runDelivery(
  event: OrderEvent,
  context: TaskContext,
  env: DeliveryEnvironment,
  transport: DeliveryTransport,
  signal: AbortSignal,
): Promise<HandlerOutcome> {
  return deliverOrder(
    event,
    context,
    {
      clock: env.clock,
      random: new SeededRandom(deriveSeed(env.seed, context.requestId)),
      policy: retryPolicy(env.retryPolicy),
      post: transport.post,
      acquireToken: transport.acquireToken,
      apiKey: env.apiKey,
      counters: env.counters,
    },
    signal,
  );
}
