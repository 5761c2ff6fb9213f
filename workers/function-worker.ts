import { workerData, type MessagePort } from 'node:worker_threads';
import { Agent, request } from 'undici';
import { ClockOrigin, RealClock } from '../lab/time/clock.js';
import { WorkerCounters } from '../lab/runtime/worker-counters.js';
import type { CourierAnswer, OrderEvent } from '../lab/delivery/deliver-order.js';
import { runDelivery } from '../lab/delivery/delivery-function.js';
import type { FunctionKey, HandlerOutcome, TaskContext } from '../lab/runtime/function-types.js';
import type { RetryPolicyName } from '../lab/config/option-spec.js';
import { notifyHandler, type NotifyPayload } from './notify-handler.js';
import { requestToken } from './throttle-port.js';
import { DeliveryGuards, type GuardOptions } from '../lab/delivery/delivery-guards.js';

/** Set once per pool, the same for every worker thread. */
export interface FunctionWorkerData {
  speed: number;
  /** ClockOrigin's buffer: scenario time 0, set by the main thread once every thread is warm. */
  origin: SharedArrayBuffer;
  seed: number;
  apiKey: string;
  retryPolicy: RetryPolicyName;
  counters: SharedArrayBuffer;
  /** --attempt-timeout-ms: the delivery function's client timeout per courier call, scenario ms. */
  attemptTimeoutMs?: number | undefined;
}

/** The delivery guards in force: a generation, their options, and the budgets' shared memory. */
export interface TaskGuards {
  gen: number;
  options: GuardOptions;
  budgetBuffer?: SharedArrayBuffer;
  breakerBuffer?: SharedArrayBuffer;
}

/** One invocation: what piscina carries to a worker thread. */
export interface FunctionTask {
  fn: FunctionKey | 'warm-up';
  /** The event, as JSON text. */
  payload: string;
  context: TaskContext;
  /** Delivery: where the courier listens. */
  courierUrl?: string;
  /** Throttle mode: the channel on which the main thread grants courier-call tokens. */
  port?: MessagePort;
  /** Delivery: the guards in force; a thread rebuilds its own when the generation is new to it. */
  guards?: TaskGuards;
}

interface WorkerState {
  data: FunctionWorkerData;
  clock: RealClock;
  counters: WorkerCounters;
  agent: Agent;
  guards: DeliveryGuards | undefined;
  guardsGen: number;
}

let state: WorkerState | undefined;

function init(): WorkerState {
  const data = workerData as FunctionWorkerData;
  const clock = new RealClock({ speed: data.speed, origin: new ClockOrigin(data.origin) });
  return {
    data,
    clock,
    counters: new WorkerCounters(data.counters),
    // Set from the first delivery task: budgets and breakers are the main thread's cells in shared memory.
    guards: undefined,
    // Unlimited connections per origin: each concurrent invocation holds its own, as separate Lambdas would.
    agent: new Agent({ keepAliveTimeout: 30_000, headersTimeout: 0, bodyTimeout: 0 }),
    guardsGen: 0,
  };
}

/** The piscina entry: runs one handler and reports expected failures as values. */
export default async function runTask(task: FunctionTask): Promise<HandlerOutcome> {
  state ??= init();
  const outcome = await runHandler(task, state);
  // When it returned, by this thread's clock: an answer that reaches the main thread after the deadline
  // may still have been in time, and one in the pipe at the deadline may not.
  return { ...outcome, endedAtMs: state.clock.now() };
}

async function runHandler(task: FunctionTask, state: WorkerState): Promise<HandlerOutcome> {
  const { fn, context } = task;
  if (fn === 'notify') return notifyHandler(JSON.parse(task.payload) as NotifyPayload, context);
  if (fn === 'warm-up') return { ok: true, value: null, logs: [] };
  const s = state;
  if (task.guards && task.guards.gen !== s.guardsGen) {
    s.guardsGen = task.guards.gen;
    s.guards = new DeliveryGuards(task.guards.options, s.clock, {
      threads: true,
      budgetBuffer: task.guards.budgetBuffer,
      breakerBuffer: task.guards.breakerBuffer,
    });
  }
  const abort = new AbortController();
  const remainingRealMs = Math.max(0, (context.deadlineMs - s.clock.now()) / s.clock.speed);
  const timer = setTimeout(() => abort.abort(new Error('Task timed out')), remainingRealMs);
  try {
    return await runDelivery(
      JSON.parse(task.payload) as OrderEvent,
      context,
      {
        clock: s.clock,
        seed: s.data.seed,
        retryPolicy: s.data.retryPolicy,
        apiKey: s.data.apiKey,
        counters: s.counters,
        attemptTimeoutMs: s.data.attemptTimeoutMs,
      },
      {
        post: (body, headers, signal) => post(s, task.courierUrl ?? '', body, headers, signal),
        acquireToken: task.port ? (signal) => requestToken(task.port!, signal) : undefined,
      },
      abort.signal,
      s.guards?.forInvocation(context),
    );
  } finally {
    clearTimeout(timer);
    task.port?.close();
  }
}

async function post(
  s: WorkerState,
  url: string,
  body: unknown,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<CourierAnswer> {
  try {
    const res = await request(url, {
      method: 'POST',
      body: JSON.stringify(body),
      headers,
      signal,
      dispatcher: s.agent,
    });
    await res.body.dump();
    return { status: res.statusCode };
  } catch (err) {
    if (signal.aborted) throw err;
    const e = err as NodeJS.ErrnoException;
    return { status: 'connection-error', message: e.code ?? e.message };
  }
}
