/**
 * The threads engine: the real process of DESIGN section 6. The courier in its own worker thread, the
 * functions on a piscina pool, the ingress on loopback and the built-in load posting to it over HTTP, all on
 * a real clock scaled by `--speed` whose scenario time 0 every thread shares.
 */
import type { LabOptions } from '../../config/parse-options.js';
import { ClockOrigin, RealClock } from '../../time/clock.js';
import { CourierThread } from '../../courier/courier-thread.js';
import { PiscinaExecutor } from '../../runtime/piscina-executor.js';
import { holdYoungGenerationSmall, WORKER_HEAP_LIMITS } from './young-generation.js';
import { startIngress, type Ingress } from '../../ingress/ingress-server.js';
import { createIngressClient, type IngressClient } from '../../ingress/ingress-client.js';
import type { LogRecord } from '../../logs/log-record.js';
import type { CourierCounts, Engine, EngineHooks } from '../../run/engine.js';
import type { EngineParts } from '../../run/lab-run.js';
import type { CourierFaultTarget } from '../../courier/courier-controls.js';
import type { BackendWorkTotals } from '../../faults/report-fields.js';
import { DeliveryGuards, type GuardOptions } from '../../delivery/delivery-guards.js';

export interface ThreadsEngineOptions {
  /** Send the courier thread's log lines to the run's log listeners (the dashboard). @default false */
  forwardCourierLogs?: boolean;
  /** The function worker module (tests substitute one that can crash on purpose). */
  functionWorkerFile?: string;
}

export class ThreadsEngine implements Engine {
  readonly kind = 'threads';
  readonly clock: RealClock;
  readonly executor: PiscinaExecutor;
  readonly courier: CourierThread | undefined;
  ingress: Ingress | undefined;
  private client: IngressClient | undefined;
  private readonly options: LabOptions;
  private readonly parts: EngineParts;
  private hooks: EngineHooks | undefined;
  private courierUrl = '';
  private outages = 0;
  private loadErrorCount = 0;
  private accepted = 0;
  /** An outage fault is on: the courier's thread runs but refuses connections. */
  private faultDown = false;

  /** Budgets in shared memory, so every function thread spends the same cells. */
  makeGuards(options: GuardOptions): DeliveryGuards {
    return new DeliveryGuards(options, this.clock, { threads: true });
  }

  bindGuards(current: () => DeliveryGuards): void {
    this.executor.bindGuards(current);
  }

  private releaseYoungGeneration: (() => void) | undefined;

  constructor(options: LabOptions, parts: EngineParts, engineOptions: ThreadsEngineOptions = {}) {
    this.options = options;
    this.parts = parts;
    this.clock = new RealClock({ speed: options.speed, origin: new ClockOrigin() });
    const { random, logs } = parts;
    if (!options.courierUrl) {
      this.courier = new CourierThread({
        options: options.courier,
        speed: options.speed,
        originWallMs: this.clock.originWallMs,
        origin: this.clock.origin.buffer,
        startedAtMs: parts.startedAt.getTime(),
        seed: random.fork('courier').seed,
        host: options.host,
        port: 0,
        resourceLimits: WORKER_HEAP_LIMITS,
        logFile: parts.files.log,
        forwardLogs: engineOptions.forwardCourierLogs ?? false,
      });
      this.courier.on('down', () => {
        this.outages++;
        this.hooks?.event('WARN', 'courier thread died; restarting it');
      });
      this.courier.on('up', ({ url, restarts }) => {
        if (restarts === 0) return;
        // A restart falls back to another port when the old one stays taken: send deliveries there.
        this.courierUrl = new URL(options.courier.path, url).toString();
        this.executor.courierUrl = this.courierUrl;
        this.hooks?.event('INFO', 'courier thread restarted');
      });
      this.courier.on('logs', (text) => {
        if (!logs.hasListeners) return;
        for (const line of text.split('\n')) logs.emit(JSON.parse(line) as LogRecord);
      });
    }
    this.executor = new PiscinaExecutor({
      workerData: {
        speed: options.speed,
        origin: this.clock.origin.buffer,
        seed: random.fork('delivery').seed,
        apiKey: options.courier.apiKey,
        retryPolicy: options.retryPolicy,
        counters: parts.counters.buffer,
        attemptTimeoutMs: options.attemptTimeoutMs,
      },
      maxInFlight: options.concurrencyLimit,
      resourceLimits: WORKER_HEAP_LIMITS,
      throttle: parts.sharedThrottle ?? parts.throttle(this.clock),
      workerFile: engineOptions.functionWorkerFile,
    });
  }

  async start(hooks: EngineHooks): Promise<void> {
    this.hooks = hooks;
    // Threads load their code in parallel: the courier's and the pool's.
    const [courierBase] = await Promise.all([this.courier?.start(), this.executor.warmUp()]);
    // After the threads started: each one resets V8's flags as it starts.
    this.releaseYoungGeneration = holdYoungGenerationSmall();
    this.courierUrl = courierBase
      ? new URL(this.options.courier.path, courierBase).toString()
      : this.options.courierUrl!;
    this.executor.courierUrl = this.courierUrl;
    this.ingress = await startIngress({
      host: this.options.host,
      port: this.options.port,
      onNotify: (body) => hooks.accept(body),
      onRequest: (event) => {
        if (event.status === 200 && event.method === 'POST') this.accepted++;
      },
    });
    this.client = createIngressClient(this.ingress.url, { connections: 256 });
    // Threads loading their code took real time; the scenario starts now, for every thread at once.
    this.clock.origin.set();
  }

  run(): void {
    // Real time passes by itself.
  }

  sendOrder(order: object): Promise<void> {
    if (!this.client) return Promise.resolve();
    return this.client.postOrder(order).then(
      () => undefined,
      () => {
        this.loadErrorCount++;
      },
    );
  }

  get loadErrors(): number {
    return this.loadErrorCount;
  }

  get ingressAccepted(): number {
    return this.accepted;
  }

  get ingressUrl(): string | undefined {
    return this.ingress?.url;
  }

  get courierBuiltIn(): boolean {
    return this.courier !== undefined;
  }

  get courierHttpUrl(): string | undefined {
    return this.courier && this.courierUrl ? this.courierUrl : undefined;
  }

  get courierUp(): boolean {
    return (this.courier?.up ?? true) && !this.faultDown;
  }

  /** Faults reach the courier's thread as messages (CourierThread sends them, and re-sends after a restart). */
  get courierFaults(): CourierFaultTarget | undefined {
    const courier = this.courier;
    if (!courier) return undefined;
    return {
      setCourierUp: (up) => {
        if (!up && !this.faultDown) this.outages++;
        this.faultDown = !up;
        courier.setCourierUp(up);
      },
      setCourierLatency: (range) => courier.setCourierLatency(range),
      setCourierFailureRate: (rate) => courier.setCourierFailureRate(rate),
      setCourierRate: (rate) => courier.setCourierRate(rate),
    };
  }

  backendWork(): BackendWorkTotals | undefined {
    return this.courier && this.options.courier.capacity ? this.courier.stats().work : undefined;
  }

  courierCounts(): CourierCounts {
    if (this.courier) {
      const s = this.courier.stats();
      return {
        requests: s.requests,
        byStatus: s.byStatus,
        peakAdmittedPerSecond: s.peakAdmittedPerSecond,
        up: this.courierUp,
        outages: this.outages,
      };
    }
    const c = this.parts.counters;
    return {
      requests: c.get('courierCalls'),
      byStatus: {
        '2xx': c.get('answered2xx'),
        '429': c.get('answered429'),
        '5xx': c.get('answered5xx'),
        other: c.get('answeredOther'),
        connectionError: c.get('connectionErrors'),
      },
      peakAdmittedPerSecond: undefined,
      up: true,
      outages: 0,
    };
  }

  deliveredIds(): ReadonlySet<string> | undefined {
    return this.courier?.deliveredIds;
  }

  async stop(): Promise<void> {
    this.releaseYoungGeneration?.();
    this.releaseYoungGeneration = undefined;
    await this.client?.destroy().catch(() => undefined);
    await this.ingress?.close().catch(() => undefined);
    await this.executor.close().catch(() => undefined);
    await this.courier?.stop().catch(() => undefined);
  }
}
