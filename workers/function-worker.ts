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

/** Set once per pool, the same for every worker thread. */
export interface FunctionWorkerData {
  speed: number;
  /** ClockOrigin's buffer: scenario time 0, set by the main thread once every thread is warm. */
  origin: SharedArrayBuffer;
  seed: number;
  apiKey: string;
  retryPolicy: RetryPolicyName;
  counters: SharedArrayBuffer;
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
}

interface WorkerState {
  data: FunctionWorkerData;
  clock: RealClock;
  counters: WorkerCounters;
  agent: Agent;
}

let state: WorkerState | undefined;

function init(): WorkerState {
  const data = workerData as FunctionWorkerData;
  return {
    data,
    clock: new RealClock({ speed: data.speed, origin: new ClockOrigin(data.origin) }),
    counters: new WorkerCounters(data.counters),
    // Unlimited connections per origin: each concurrent invocation holds its own, as separate Lambdas would.
    agent: new Agent({ keepAliveTimeout: 30_000, headersTimeout: 0, bodyTimeout: 0 }),
  };
}

/** The piscina entry: runs one handler and reports expected failures as values. */
export default async function runTask(task: FunctionTask): Promise<HandlerOutcome> {
  state ??= init();
  const { fn, context } = task;
  if (fn === 'notify') return notifyHandler(JSON.parse(task.payload) as NotifyPayload, context);
  if (fn === 'warm-up') return { ok: true, value: null, logs: [] };
  const s = state;
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
      },
      {
        post: (body, headers, signal) => post(s, task.courierUrl ?? '', body, headers, signal),
        acquireToken: task.port ? (signal) => requestToken(task.port!, signal) : undefined,
      },
      abort.signal,
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
