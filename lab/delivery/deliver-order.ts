import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import type { HandlerLog, HandlerOutcome, TaskContext } from '../runtime/function-types.js';
import type { WorkerCounters } from '../runtime/worker-counters.js';
import type { RetryPolicy } from './retry-policy.js';
import { failureKind, type RetryBudget } from './retry-budget/retry-budget.js';
import type { Breaker, Permit } from './circuit-breaker/circuit-breaker.js';

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
  /** A retry budget (sdk-standard, grpc-throttle, retry-bucket): every retry must be allowed by it. */
  budget?: RetryBudget;
  /** A circuit breaker in front of each courier call: an open one fails the call at once. */
  breaker?: Breaker;
}

/** What a successful delivery returns. */
export interface DeliveryValue {
  status: number;
  attempts: number;
  /** 429 answers on the way, for the adaptive limits (the retries hide them otherwise). */
  courier429: number;
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
  let courier429 = 0;
  let retryCost: number | undefined;
  let permit: Permit | undefined;
  try {
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      if (attempt > 1) deps.counters?.add('httpRetries');
      permit = deps.breaker?.acquire() ?? 'call';
      let status: number | 'connection-error' | 'attempt-timeout' | 'circuit-open';
      if (permit === 'refused') {
        deps.counters?.add('breakerRefused');
        status = 'circuit-open';
        last = 'circuit breaker open: no call made';
      } else {
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
        status = answer.status;
        const ok = typeof status === 'number' && status >= 200 && status < 300;
        deps.breaker?.record(permit, ok);
        permit = undefined;
        if (ok) {
          deps.budget?.recordSuccess(retryCost);
          if (attempt > 1)
            logs.push({ at: clock.now(), level: 'INFO', message: `courier accepted on attempt ${attempt}` });
          const value: DeliveryValue = { status: status as number, attempts: attempt, courier429 };
          return { ok: true, value, logs };
        }
        if (status === 429) courier429++;
        last =
          answer.status === 'connection-error'
            ? `courier unreachable: ${answer.message}`
            : answer.status === 'attempt-timeout'
              ? `courier call timed out after ${deps.attemptTimeoutMs} ms`
              : `courier answered ${answer.status}`;
      }
      // A refused call never reached the courier: the budget learns nothing from it, but a retry still asks.
      const kind = failureKind(
        status === 'circuit-open' ? 'connection-error' : status === 'attempt-timeout' ? 'timeout' : status,
      );
      if (status !== 'circuit-open') deps.budget?.recordFailure(kind);
      if (attempt === policy.maxAttempts) break;
      if (deps.budget) {
        retryCost = deps.budget.tryRetry(kind);
        if (retryCost === undefined) {
          deps.counters?.add('budgetRefused');
          const message = `${last} on attempt ${attempt}; retry budget exhausted`;
          logs.push({ at: clock.now(), level: 'WARN', message });
          return { ok: false, code: 'CourierError', message, logs };
        }
      }
      const wait = policy.waitMs(attempt, deps.random, kind);
      logs.push({
        at: clock.now(),
        level: 'WARN',
        message: `${last} on attempt ${attempt}; retrying in ${(wait / 1000).toFixed(2)} s`,
      });
      await clock.sleep(wait, signal);
    }
  } catch (err) {
    // A call cut off by the function's end never answered: to the breaker, a failure.
    if (permit !== undefined && permit !== 'refused') deps.breaker?.record(permit, false);
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
