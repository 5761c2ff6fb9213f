import { MessageChannel, type MessagePort, type ResourceLimits } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { loadPiscina } from './load-piscina.js';
import { modulePath } from '../project-file.js';
import type { Executor, FunctionKey, HandlerOutcome, InvokeOptions, TaskContext } from './function-types.js';
import type { FunctionTask, FunctionWorkerData, TaskGuards } from '../../workers/function-worker.js';
import type { DeliveryGuards } from '../delivery/delivery-guards.js';
import type { ThrottleReply, ThrottleRequest } from '../../workers/throttle-port.js';

/** Where the main thread's client-side bucket is reached (throttle mode). */
export interface TokenSource {
  acquire(signal?: AbortSignal): Promise<void>;
}

export interface PiscinaExecutorOptions {
  workerData: FunctionWorkerData;
  /** Most invocations in progress at once (the account's concurrency limit). */
  maxInFlight: number;
  threads?: number;
  throttle?: TokenSource;
  /** Heap limits of each thread (the threads engine keeps their young generation small). */
  resourceLimits?: ResourceLimits;
  /** The worker module; @default workers/function-worker (tests substitute one that can crash). */
  workerFile?: string | undefined;
}

/** The worker entry, with the running module's own extension (.ts under tsx, .js from a build). */
export function workerFile(base: string): string {
  return modulePath(`workers/${base}`);
}

/**
 * Functions on a piscina pool: one task is one invocation. Threads are physical (about one per core) and
 * each holds many invocations at once, since a handler mostly waits on the courier or a retry timer.
 * Aborts are never passed to piscina (that would kill the thread and every invocation on it): the handler
 * enforces its own deadline, and the runtime stops waiting at the timeout.
 */
export class PiscinaExecutor implements Executor {
  private piscina: Piscina | undefined;
  private readonly throttle: TokenSource | undefined;

  constructor(private readonly options: PiscinaExecutorOptions) {
    this.throttle = options.throttle;
  }

  /** Where delivery handlers send orders: known once the courier listens, so it travels with each task. */
  courierUrl = '';

  get pool(): Piscina {
    if (!this.piscina) {
      const threads = this.options.threads ?? 2;
      const { Piscina } = loadPiscina();
      this.piscina = new Piscina({
        filename: this.options.workerFile ?? workerFile('function-worker'),
        minThreads: threads,
        maxThreads: threads,
        concurrentTasksPerWorker: Math.ceil(this.options.maxInFlight / threads) + 16,
        idleTimeout: 60_000,
        // Handlers are async: a worker must never block its event loop waiting for the next task.
        atomics: 'disabled',
        workerData: this.options.workerData,
        ...(this.options.resourceLimits && { resourceLimits: this.options.resourceLimits }),
      });
    }
    return this.piscina;
  }

  private currentGuards: (() => DeliveryGuards) | undefined;
  private lastGuards: DeliveryGuards | undefined;
  private taskGuards: TaskGuards | undefined;
  private guardsGen = 0;

  /**
   * Where the guards in force are. Each delivery task carries their options and the budgets' shared memory
   * with a generation number; a thread rebuilds its own guards when the generation is new to it.
   */
  bindGuards(current: () => DeliveryGuards): void {
    this.currentGuards = current;
  }

  private guardsForTask(): TaskGuards | undefined {
    const g = this.currentGuards?.();
    if (g !== this.lastGuards) {
      this.lastGuards = g;
      this.taskGuards = g && {
        gen: ++this.guardsGen,
        options: g.options,
        budgetBuffer: g.budgetBuffer,
        breakerBuffer: g.breakerBuffer,
      };
    }
    return this.taskGuards;
  }

  run(
    fn: FunctionKey,
    payload: unknown,
    context: TaskContext,
    signal: AbortSignal,
    options: InvokeOptions,
  ): Promise<HandlerOutcome> {
    const task: FunctionTask = { fn, payload: this.serialise(payload), context };
    if (fn === 'delivery') {
      task.courierUrl = this.courierUrl;
      const guards = this.guardsForTask();
      if (guards) task.guards = guards;
    }
    if (!(options.throttle && this.throttle && fn === 'delivery')) return this.pool.run(task);
    const { port1, port2 } = new MessageChannel();
    task.port = port2;
    const stopServing = serveTokens(port1, this.throttle, signal);
    return this.pool.run(task, { transferList: [port2] }).finally(stopServing);
  }

  /**
   * Payloads travel as JSON text: a string crosses to a thread far more cheaply than an object graph is
   * structured-cloned, and an event retried several times is serialised once.
   */
  private readonly serialised = new WeakMap<object, string>();

  private serialise(payload: unknown): string {
    if (payload === null || typeof payload !== 'object') return JSON.stringify(payload ?? null);
    let text = this.serialised.get(payload);
    if (text === undefined) {
      text = JSON.stringify(payload);
      this.serialised.set(payload, text);
    }
    return text;
  }

  /** Starts every thread and waits until each has loaded its code, so no invocation pays for that. */
  async warmUp(): Promise<void> {
    const threads = this.options.threads ?? 2;
    await Promise.all(Array.from({ length: threads * 4 }, () => this.pool.run(internalTask('warm-up'))));
  }

  /** Runs a task the worker module knows besides the functions (a test worker's `crash`, say). */
  runInternal(fn: string): Promise<unknown> {
    return this.pool.run(internalTask(fn));
  }

  get threads(): number {
    return this.piscina?.threads.length ?? 0;
  }

  async close(): Promise<void> {
    await this.piscina?.destroy();
  }
}

function internalTask(fn: string): FunctionTask {
  const context: TaskContext = {
    requestId: fn,
    functionName: fn,
    memoryMb: 0,
    coldStart: false,
    deadlineMs: 0,
    correlationId: undefined,
  };
  return { fn: fn as FunctionTask['fn'], payload: 'null', context };
}

/** Main side of a throttle channel: one bucket grant per request, cancelled if the worker gives up. */
function serveTokens(port: MessagePort, source: TokenSource, invocation: AbortSignal): () => void {
  const waiting = new Map<number, AbortController>();
  port.on('message', (msg: ThrottleRequest) => {
    if (msg.type === 'cancel') {
      waiting.get(msg.id)?.abort(new Error('cancelled'));
      waiting.delete(msg.id);
      return;
    }
    const abort = new AbortController();
    waiting.set(msg.id, abort);
    const signal = AbortSignal.any([abort.signal, invocation]);
    source.acquire(signal).then(
      () => {
        if (!waiting.delete(msg.id)) return;
        port.postMessage({ type: 'grant', id: msg.id } satisfies ThrottleReply);
      },
      (err: unknown) => {
        if (!waiting.delete(msg.id)) return;
        port.postMessage({
          type: 'deny',
          id: msg.id,
          reason: String((err as Error)?.message ?? err),
        } satisfies ThrottleReply);
      },
    );
  });
  return () => {
    for (const abort of waiting.values()) abort.abort(new Error('invocation ended'));
    waiting.clear();
    port.close();
  };
}
