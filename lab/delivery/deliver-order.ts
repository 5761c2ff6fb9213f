import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import type { HandlerLog, HandlerOutcome, TaskContext } from '../runtime/function-types.js';
import type { WorkerCounters } from '../runtime/worker-counters.js';
import type { RetryPolicy } from './retry-policy.js';

/** A courier answer, a connection that failed before one, or an attempt cut by the client timeout. */
export type CourierAnswer =
  { status: number } | { status: 'connection-error'; message: string } | { status: 'attempt-timeout' };

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
  /**
   * The client timeout of one courier call, scenario ms (`--attempt-timeout-ms`); none when absent, as in
   * the seed. A call that runs longer is aborted and counts as a failed attempt, retried per the policy.
   */
  attemptTimeoutMs?: number | undefined;
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
      const answer =
        deps.attemptTimeoutMs === undefined
          ? await deps.post(order, headers, signal)
          : await postWithin(deps, deps.attemptTimeoutMs, order, headers, signal);
      deps.counters?.countStatus(answer.status);
      if (typeof answer.status === 'number' && answer.status >= 200 && answer.status < 300) {
        if (attempt > 1)
          logs.push({ at: clock.now(), level: 'INFO', message: `courier accepted on attempt ${attempt}` });
        return { ok: true, value: { status: answer.status, attempts: attempt }, logs };
      }
      last =
        answer.status === 'connection-error'
          ? `courier unreachable: ${answer.message}`
          : answer.status === 'attempt-timeout'
            ? `courier call timed out after ${deps.attemptTimeoutMs} ms`
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

/** One courier call cut at `timeoutMs` of scenario time: its request is aborted, the caller hangs up. */
async function postWithin(
  deps: DeliveryDeps,
  timeoutMs: number,
  body: unknown,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<CourierAnswer> {
  const attempt = new AbortController();
  let timedOut = false;
  const onAbort = (): void => attempt.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = deps.clock.setTimeout(() => {
    timedOut = true;
    attempt.abort(new Error(`attempt timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  try {
    return await deps.post(body, headers, attempt.signal);
  } catch (err) {
    if (timedOut && !signal.aborted) return { status: 'attempt-timeout' };
    throw err;
  } finally {
    timer.cancel();
    signal.removeEventListener('abort', onAbort);
  }
}
