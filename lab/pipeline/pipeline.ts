import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import type { LabOptions } from '../config/parse-options.js';
import type { Mode } from '../config/option-spec.js';
import { AccountConcurrency } from '../runtime/account-concurrency.js';
import { AsyncInvoker, type AsyncFinal } from '../runtime/async-invoker.js';
import { FunctionRuntime, type LogSink } from '../runtime/function-runtime.js';
import type { Executor, FunctionConfig, FunctionKey, InvokeOptions } from '../runtime/function-types.js';
import { seededUuid } from '../runtime/request-id.js';
import { newFunctionStats, type FunctionStatsMap } from '../metrics/function-stats.js';
import { SqsQueue, type SqsMessage } from '../flow/sqs-queue.js';
import { QueuePoller } from '../flow/queue-poller.js';
import { PollerLimits } from '../flow/poller-limits.js';
import { adaptiveLimit } from '../flow/adaptive/limit-from-options.js';
import { DeliveryGuards, type GuardOptions } from '../delivery/delivery-guards.js';
import type { DeliveryValue } from '../delivery/deliver-order.js';
import type { AdaptiveLimitName } from '../config/option-spec.js';
import type { NotifyResult } from '../../workers/notify-handler.js';
import { correlationIdOf, EventBus, type BusEvent } from './event-bus.js';
import { OrderBook } from './order-book.js';
import type { SharedParts } from './shared-parts.js';

export interface PipelineOptions {
  clock: Clock;
  random: Random;
  executor: Executor;
  options: LabOptions;
  logs?: LogSink;
  /** Wall-clock ms of scenario time 0 (log timestamps). */
  startedAtMs?: number;
  /** Retry budgets and breakers, when the engine made them (threads: on shared memory); else made here. */
  guards?: DeliveryGuards;
  /** Called on each mode change (the lab logs it). */
  onModeChange?: (change: ModeChange) => void;
  /** Parts shared with other lab processes (--cluster); absent for a lone lab. */
  shared?: SharedParts;
}

export interface ModeChange {
  /** Scenario seconds. */
  t: number;
  mode: Mode;
}

export interface IngressAnswer {
  status: number;
  body: unknown;
}

export function functionConfigsFor(options: LabOptions): Record<FunctionKey, FunctionConfig> {
  const common = { timeoutMs: options.functionTimeoutS * 1000, memoryMb: options.functionMemoryMb };
  return {
    notify: { key: 'notify', functionName: 'NotificationFunction', service: 'notify-handler', ...common },
    delivery: { key: 'delivery', functionName: 'DeliveryFunction', service: 'delivery-handler', ...common },
  };
}

/**
 * Alice's system and its fixes, as plain semantics on an injected clock and executor: ingress -> notify ->
 * bus -> (async invoke | queue + poller) -> delivery. The order book settles every accepted order exactly once.
 */
export class Pipeline {
  readonly clock: Clock;
  readonly orders = new OrderBook();
  readonly stats: FunctionStatsMap = newFunctionStats();
  readonly concurrency: AccountConcurrency;
  readonly runtime: FunctionRuntime;
  readonly asyncInvoker: AsyncInvoker;
  readonly queue: SqsQueue<BusEvent>;
  readonly poller: QueuePoller<BusEvent>;
  readonly bus = new EventBus();
  /** What sets the poller's concurrency: the fixed cap or an adaptive limit, under the ESM's own ramp. */
  readonly limits: PollerLimits;
  /**
   * Retry policy, budgets and circuit breakers the delivery function follows: executors ask
   * `guards.forInvocation(context)` for every invocation, so a live change applies from the next one.
   */
  guards: DeliveryGuards;
  /** Live changes of the calming policies, in scenario seconds (the report's calm.changes). */
  readonly calmChanges: { t: number; what: string; value: string }[] = [];
  readonly modeChanges: ModeChange[] = [];
  readonly retries = { async: 0, asyncThrottled: 0 };
  /** Events routed per mode. */
  readonly routed: Record<Mode, number> = { none: 0, queue: 0, throttle: 0 };
  private currentMode: Mode;
  private readonly random: Random;
  private readonly asyncDlq: boolean;
  private stopped = false;

  constructor(private readonly o: PipelineOptions) {
    const { clock, options } = o;
    this.clock = clock;
    this.random = o.random.fork('pipeline');
    this.asyncDlq = options.asyncDlq;
    this.currentMode = options.mode;
    this.modeChanges.push({ t: 0, mode: options.mode });
    this.concurrency = new AccountConcurrency(options.concurrencyLimit);
    this.runtime = new FunctionRuntime({
      clock,
      random: o.random.fork('runtime'),
      executor: o.executor,
      concurrency: this.concurrency,
      functions: functionConfigsFor(options),
      coldStartMs: options.coldStartMs,
      envIdleMs: options.envIdleS * 1000,
      stats: this.stats,
      logs: o.logs,
      startedAtMs: o.startedAtMs,
      sharedConcurrency: o.shared?.concurrency,
    });
    this.orders.onEvent = o.shared?.onOrder;
    this.asyncInvoker = new AsyncInvoker({
      clock,
      runtime: this.runtime,
      fn: 'delivery',
      maxRetries: options.asyncRetries,
      maxEventAgeMs: options.maxEventAgeS * 1000,
      onFinal: (_payload, invokeOptions, final) => this.onAsyncFinal(invokeOptions, final),
      onRetry: (kind) => (kind === 'error' ? this.retries.async++ : this.retries.asyncThrottled++),
    });
    this.queue = new SqsQueue<BusEvent>({
      clock,
      visibilityTimeoutS: options.visibilityTimeoutS,
      retentionS: options.retentionS,
      maxReceiveCount: options.maxReceiveCount,
    });
    this.queue.on('deadLettered', (message, now) =>
      this.orders.settle(correlationIdOf(message.body), 'deadLettered', now),
    );
    this.queue.on('expired', (message, now) =>
      this.orders.settle(correlationIdOf(message.body), 'lost', now),
    );
    this.poller = new QueuePoller<BusEvent>({
      clock,
      queue: this.queue,
      maxConcurrency: options.queueConcurrency,
      invoke: (message) => this.invokeFromQueue(message),
    });
    const adaptive = options.queueAdaptive ? adaptiveLimit(options.queueAdaptive, options) : undefined;
    this.limits = new PollerLimits({
      clock,
      queue: this.queue,
      poller: this.poller,
      fixedCap: options.queueConcurrency,
      adaptive: adaptive?.limit,
      adaptiveMax: adaptive?.max,
      esmScaling: options.esmScaling,
    });
    this.guards = o.guards ?? new DeliveryGuards(options, clock);
    this.bus.addRule('order-notify', (event) => this.route(event));
  }

  get mode(): Mode {
    return this.currentMode;
  }

  /** New events are routed by the new mode from the next one on; work in flight finishes where it is. */
  setMode(mode: Mode): void {
    if (mode === this.currentMode) return;
    this.currentMode = mode;
    const change = { t: this.clock.now() / 1000, mode };
    this.modeChanges.push(change);
    this.o.onModeChange?.(change);
  }

  /** The fixed MaximumConcurrency (the ESM's ramp and an adaptive limit still apply under it). */
  setQueueConcurrency(n: number): void {
    this.limits.setFixedCap(n);
  }

  /** Switches the poller between its fixed cap and an adaptive limit (made fresh from the options). */
  setQueueLimit(name: AdaptiveLimitName | 'fixed'): void {
    if (name === 'fixed') this.limits.setAdaptive(undefined);
    else {
      const a = adaptiveLimit(name, this.o.options);
      this.limits.setAdaptive(a.limit, a.max);
    }
    this.calmChanges.push({ t: this.clock.now() / 1000, what: 'queue-limit', value: name });
  }

  /**
   * New guards from the next invocation on (retry policy, budget scope, breaker); invocations running keep
   * theirs. Budgets and breakers start fresh, as a redeploy would make them. `make` builds them, so an
   * engine with threads can put the budgets where its threads see them.
   */
  setGuards(change: Partial<GuardOptions>, make?: (o: GuardOptions) => DeliveryGuards): void {
    const next = { ...this.guards.options, ...change };
    this.guards = make ? make(next) : new DeliveryGuards(next, this.clock);
    for (const [what, value] of Object.entries(change))
      this.calmChanges.push({
        t: this.clock.now() / 1000,
        what,
        value: typeof value === 'object' ? `${value.mode}/${value.scope}` : String(value),
      });
  }

  /** MaximumConcurrency as configured; the poller's limit now (ESM ramp, adaptive) is `limits.limit`. */
  get queueConcurrency(): number {
    return this.limits.fixedCap;
  }

  /** The ingress's POST /notify: a synchronous invoke of the notify function (API Gateway proxy). */
  async acceptOrder(body: Record<string, unknown>): Promise<IngressAnswer> {
    if (this.stopped) return { status: 503, body: { message: 'Service Unavailable' } };
    const correlationId = seededUuid(this.random);
    const result = await this.runtime.invoke('notify', { body }, { correlationId });
    if (result.status === 'ok') {
      const value = result.value as NotifyResult;
      this.orders.accept(correlationId);
      this.bus.putEvents(value.entries);
      return { status: 200, body: value.response };
    }
    this.orders.rejected++;
    // API Gateway answers a throttled invoke with 500 and a failed function with 502 (aws-semantics 2.9).
    return { status: result.status === 'throttled' ? 500 : 502, body: { message: 'Internal server error' } };
  }

  /** Anything still to settle: orders in flight, or messages in the queue. */
  get busy(): boolean {
    if (this.o.shared?.busy) return this.o.shared.busy();
    return this.orders.inFlight > 0 || this.queue.size > 0;
  }

  stop(): void {
    this.stopped = true;
    this.limits.stop();
    this.poller.stop();
    this.asyncInvoker.stop();
  }

  private route(event: BusEvent): void {
    const mode = this.currentMode;
    this.routed[mode]++;
    if (mode === 'none') {
      this.asyncInvoker.invoke(event, { correlationId: correlationIdOf(event) });
    } else if (this.o.shared?.queue) {
      this.o.shared.queue.send(event, mode);
    } else {
      this.queue.send(event, this.clock.now(), mode);
    }
  }

  private invokeFromQueue(message: SqsMessage<BusEvent>): Promise<'ok' | 'failed' | 'throttled'> {
    return this.deliverFromQueue(message.body, message.tag === 'throttle');
  }

  /** One delivery invocation for a queued event (the local poller's or a shared queue's consumer). */
  async deliverFromQueue(body: BusEvent, throttle: boolean): Promise<'ok' | 'failed' | 'throttled'> {
    const correlationId = correlationIdOf(body);
    const options: InvokeOptions = { correlationId, throttle };
    const startedAt = this.clock.now();
    const inFlight = this.poller.inFlight;
    const result = await this.runtime.invoke('delivery', body, options);
    if (this.stopped) return 'failed';
    this.limits.onDelivery({
      startedAt,
      endedAt: this.clock.now(),
      inFlight,
      outcome: result.status,
      courier429: (result.value as Partial<DeliveryValue> | undefined)?.courier429 ?? 0,
    });
    if (result.status === 'ok') {
      this.orders.settle(correlationId, 'delivered', this.clock.now());
      return 'ok';
    }
    return result.status === 'throttled' ? 'throttled' : 'failed';
  }

  private onAsyncFinal(options: InvokeOptions, final: AsyncFinal): void {
    if (this.stopped) return; // what the end of the run cut off stays in flight
    const id = options.correlationId ?? '';
    const now = this.clock.now();
    if (final.outcome === 'succeeded') this.orders.settle(id, 'delivered', now);
    else this.orders.settle(id, this.asyncDlq ? 'deadLettered' : 'lost', now);
  }
}
