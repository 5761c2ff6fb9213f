/**
 * Runs the functions' handlers in this thread, on the virtual clock: the same notify handler and the same
 * delivery function as the worker threads run, with the in-process courier and the client throttle called
 * directly instead of over HTTP and a MessageChannel.
 */
import type { Clock } from '../../time/clock.js';
import type {
  Executor,
  FunctionKey,
  HandlerOutcome,
  InvokeOptions,
  TaskContext,
} from '../../runtime/function-types.js';
import type { WorkerCounters } from '../../runtime/worker-counters.js';
import type { RetryPolicyName } from '../../config/option-spec.js';
import type { OrderEvent } from '../../delivery/deliver-order.js';
import { runDelivery, type DeliveryEnvironment } from '../../delivery/delivery-function.js';
import { notifyHandler, type NotifyPayload } from '../../../workers/notify-handler.js';
import type { TokenSource } from '../../runtime/piscina-executor.js';
import type { InProcessCourier } from './in-process-courier.js';
import type { DeliveryGuards } from '../../delivery/delivery-guards.js';
import { LightAbortController } from '../../runtime/light-abort.js';

export interface InProcessExecutorOptions {
  clock: Clock;
  seed: number;
  retryPolicy: RetryPolicyName;
  apiKey: string;
  counters: WorkerCounters;
  courier: InProcessCourier;
  throttle: TokenSource;
  attemptTimeoutMs?: number | undefined;
}

export class InProcessExecutor implements Executor {
  // Every signal stays in this thread, with the lab's own code: Node's AbortController is not needed.
  readonly abortControllers = (): LightAbortController => new LightAbortController();
  private readonly env: DeliveryEnvironment;
  private readonly post: InProcessCourier['post'];
  private readonly acquire: TokenSource['acquire'];
  private guards: (() => DeliveryGuards) | undefined;

  constructor(options: InProcessExecutorOptions) {
    this.env = {
      clock: options.clock,
      seed: options.seed,
      retryPolicy: options.retryPolicy,
      apiKey: options.apiKey,
      counters: options.counters,
      attemptTimeoutMs: options.attemptTimeoutMs,
    };
    const courier = options.courier;
    this.post = (body, headers, signal) => courier.post(body, headers, signal);
    const throttle = options.throttle;
    this.acquire = (signal) => throttle.acquire(signal);
  }

  /** Where the guards in force are read, at every delivery invocation. */
  bindGuards(current: () => DeliveryGuards): void {
    this.guards = current;
  }

  run(
    fn: FunctionKey,
    payload: unknown,
    context: TaskContext,
    signal: AbortSignal,
    options: InvokeOptions,
  ): Promise<HandlerOutcome> {
    if (fn === 'notify') return Promise.resolve(notifyHandler(payload as NotifyPayload, context));
    return runDelivery(
      payload as OrderEvent,
      context,
      this.env,
      { post: this.post, acquireToken: options.throttle ? this.acquire : undefined },
      signal,
      this.guards?.().forInvocation(context),
    );
  }
}
