import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import type { HandlerLog, HandlerOutcome, TaskContext } from '../runtime/function-types.js';
import type { WorkerCounters } from '../runtime/worker-counters.js';
import type { RetryPolicy } from './retry-policy.js';

/** A courier answer, or a connection that failed before one. */
export type CourierAnswer = { status: number } | { status: 'connection-error'; message: string };

export interface DeliveryDeps {
  clock: Clock;
  random: Random;
  policy: RetryPolicy;
  /** POSTs the body to the courier; rejects only when `signal` aborts. */
  post(body: unknown, headers: Record<string, string>, signal: AbortSignal): Promise<CourierAnswer>;
  /** Throttle mode: resolves when the client-side bucket grants a token. */
  acquireToken?: (signal: AbortSignal) => Promise<void>;
  apiKey: string;
  counters?: WorkerCounters;
}

/** The EventBridge event the bus hands the delivery function. */
export interface OrderEvent {
  'detail-type': string;
  detail: Record<string, unknown> & { meta_data?: { correlation_id?: string } };
}

/**
 * DeliveryFunction: strips meta_data, POSTs the order to the courier, retrying in code as the policy says;
 * any failure (non-2xx or no connection) is retried, and the last one is raised as the function's error.
 */
export async function deliverOrder(
  event: OrderEvent,
  context: TaskContext,
  deps: DeliveryDeps,
  signal: AbortSignal,
): Promise<HandlerOutcome> {
  const { clock, policy } = deps;
  const logs: HandlerLog[] = [];
  const { meta_data: _meta, ...order } = event.detail;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-api-key': deps.apiKey,
    'x-correlation-id': context.correlationId ?? '',
  };
  let last = 'no attempt made';
  try {
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      if (attempt > 1) deps.counters?.add('httpRetries');
      if (deps.acquireToken) {
        deps.counters?.add('throttleWaits');
        await deps.acquireToken(signal);
      }
      deps.counters?.add('courierCalls');
      const answer = await deps.post(order, headers, signal);
      deps.counters?.countStatus(answer.status);
      if (typeof answer.status === 'number' && answer.status >= 200 && answer.status < 300) {
        if (attempt > 1)
          logs.push({ at: clock.now(), level: 'INFO', message: `courier accepted on attempt ${attempt}` });
        return { ok: true, value: { status: answer.status, attempts: attempt }, logs };
      }
      last =
        answer.status === 'connection-error'
          ? `courier unreachable: ${answer.message}`
          : `courier answered ${answer.status}`;
      if (attempt === policy.maxAttempts) break;
      const wait = policy.waitMs(attempt, deps.random);
      logs.push({
        at: clock.now(),
        level: 'WARN',
        message: `${last} on attempt ${attempt}; retrying in ${(wait / 1000).toFixed(2)} s`,
      });
      await clock.sleep(wait, signal);
    }
  } catch (err) {
    if (signal.aborted)
      return { ok: false, code: 'Aborted', message: String((err as Error)?.message ?? err), logs };
    throw err;
  }
  return { ok: false, code: 'CourierError', message: `${last} after ${policy.maxAttempts} attempts`, logs };
}
