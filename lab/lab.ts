import { join } from 'node:path';
import { ClockOrigin, RealClock, type Timer } from './time/clock.js';
import { SeededRandom } from './time/random.js';
import type { LabOptions } from './config/parse-options.js';
import type { Mode } from './config/option-spec.js';
import { LogWriter, scenarioTimestamp } from './logs/log-writer.js';
import { CourierThread } from './courier/courier-thread.js';
import type { CourierStatsSnapshot } from './courier/courier-stats.js';
import { DeliveryGuards, guardOptionsOf, type GuardOptions } from './delivery/delivery-guards.js';
import { calmGauges, calmSnapshot } from './metrics/calm-gauges.js';
import { WorkerCounters } from './runtime/worker-counters.js';
import { PiscinaExecutor } from './runtime/piscina-executor.js';
import { ClientThrottle } from './flow/client-throttle.js';
import { Pipeline, type ModeChange } from './pipeline/pipeline.js';
import { startIngress, type Ingress } from './ingress/ingress-server.js';
import { createIngressClient, type IngressClient } from './ingress/ingress-client.js';
import { LoadGenerator } from './load/load-generator.js';
import { createOrderFactory } from './load/order-factory.js';
import { resolveScenario, type Scenario } from './load/presets.js';
import { SeriesRecorder, type Cumulative, type Gauges } from './metrics/series-recorder.js';
import { HostMonitor } from './metrics/host-monitor.js';
import type { LabSnapshot, SeriesRow } from './lab-view.js';
import { costUsd } from './runtime/billing.js';

export type LabState = LabSnapshot['state'];

/** Courier answers as the lab counts them: by the courier itself when built in, by the callers otherwise. */
export interface CourierCounts {
  requests: number;
  byStatus: Record<string, number>;
  peakAdmittedPerSecond: number;
  up: boolean;
  outages: number;
}

export interface LabFiles {
  report: string;
  log: string;
}

/** Where a run's files go when the options name none: runs/<timestamp>-<mode>-seed<seed>. */
export function defaultFiles(options: LabOptions, startedAt: Date, suffix = ''): LabFiles {
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const base = join('runs', `${stamp}-${options.mode}-seed${options.seed}${suffix}`);
  const withSuffix = (path: string): string => (suffix ? path.replace(/(\.[a-z]+)?$/, `${suffix}$1`) : path);
  return {
    report: options.report ? withSuffix(options.report) : `${base}.json`,
    log: options.logFile ? withSuffix(options.logFile) : `${base}.log.jsonl`,
  };
}

/**
 * One run of the lab in this process: the courier in its own thread, the functions on a piscina pool, the
 * ingress on loopback, the built-in load posting to it, and a sampler that closes one series row per
 * scenario second. All semantics live in `Pipeline`; this is the shell of threads, sockets and timers.
 */
export class Lab {
  readonly options: LabOptions;
  readonly scenario: Scenario;
  readonly clock: RealClock;
  readonly startedAt = new Date();
  readonly files: LabFiles;
  readonly logs: LogWriter;
  readonly counters = new WorkerCounters();
  readonly recorder = new SeriesRecorder();
  readonly host = new HostMonitor();
  readonly throttle: ClientThrottle;
  readonly pipeline: Pipeline;
  readonly executor: PiscinaExecutor;
  readonly courier: CourierThread | undefined;
  readonly load: LoadGenerator | undefined;
  ingress: Ingress | undefined;
  private client: IngressClient | undefined;
  private sampleTimer: Timer | undefined;
  private state: LabState = 'starting';
  private courierUrl = '';
  private courierOutages = 0;
  private outagesAtSample = 0;
  private loadErrors = 0;
  /** Peak of the queue's visible depth and oldest age, over the samples. */
  readonly queuePeaks = { depth: 0, oldestAgeS: 0 };
  private clientPeakAdmitted = 0;
  private endedAtS: number | undefined;

  constructor(options: LabOptions, fileSuffix = '') {
    this.options = options;
    this.scenario = resolveScenario(options.scenario);
    this.clock = new RealClock({ speed: options.speed, origin: new ClockOrigin() });
    this.files = defaultFiles(options, this.startedAt, fileSuffix);
    this.logs = new LogWriter({ file: this.files.log });
    const random = new SeededRandom(options.seed);
    this.throttle = new ClientThrottle({
      clock: this.clock,
      rate: options.throttleRate,
      burst: options.throttleBurst,
    });
    if (!options.courierUrl) {
      this.courier = new CourierThread({
        options: options.courier,
        speed: options.speed,
        originWallMs: this.clock.originWallMs,
        origin: this.clock.origin.buffer,
        startedAtMs: this.startedAt.getTime(),
        seed: random.fork('courier').seed,
        host: options.host,
        port: 0,
        logFile: this.files.log,
      });
      this.courier.on('down', () => {
        this.courierOutages++;
        this.event('WARN', 'courier thread died; restarting it');
      });
      this.courier.on('up', ({ url, restarts }) => {
        if (restarts === 0) return;
        // A restart falls back to another port when the old one stays taken: send deliveries there.
        this.courierUrl = new URL(options.courier.path, url).toString();
        this.executor.courierUrl = this.courierUrl;
        this.event('INFO', 'courier thread restarted');
      });
    }
    // Budgets live in shared memory so every function thread spends the same ones.
    const guards = new DeliveryGuards(options, this.clock, { threads: true });
    this.executor = new PiscinaExecutor({
      workerData: {
        guards: guardOptionsOf(options),
        budgetBuffer: guards.budgetBuffer,
        speed: options.speed,
        origin: this.clock.origin.buffer,
        seed: random.fork('delivery').seed,
        apiKey: options.courier.apiKey,
        retryPolicy: options.retryPolicy,
        counters: this.counters.buffer,
      },
      maxInFlight: options.concurrencyLimit,
      throttle: this.throttle,
    });
    this.pipeline = new Pipeline({
      clock: this.clock,
      random,
      executor: this.executor,
      options,
      guards,
      logs: this.logs,
      startedAtMs: this.startedAt.getTime(),
      onModeChange: (change: ModeChange) => this.event('INFO', `mode switched to ${change.mode}`),
    });
    if (!this.scenario.external) {
      const nextOrder = createOrderFactory(random.fork('orders'));
      this.load = new LoadGenerator({
        clock: this.clock,
        scenario: this.scenario,
        send: () => this.sendOrder(nextOrder()),
      });
    }
  }

  /** Starts the courier, the pool and the ingress, then the load. Resolves once all accept work. */
  async start(): Promise<void> {
    // Threads load their code in parallel: the courier's and the pool's.
    const [courierBase] = await Promise.all([this.courier?.start(), this.executor.warmUp()]);
    this.courierUrl = courierBase
      ? new URL(this.options.courier.path, courierBase).toString()
      : this.options.courierUrl!;
    this.executor.courierUrl = this.courierUrl;
    this.ingress = await startIngress({
      host: this.options.host,
      port: this.options.port,
      onNotify: (body) => this.pipeline.acceptOrder(body),
    });
    this.client = createIngressClient(this.ingress.url, { connections: 256 });
    // Threads loading their code took real time; the scenario starts now, for every thread at once.
    this.clock.origin.set();
    this.host.start();
    this.state = 'running';
    this.scheduleSample(1);
    this.load?.start();
    this.event(
      'INFO',
      `run started: scenario ${this.scenario.name}, mode ${this.options.mode}, speed ${this.options.speed}, seed ${this.options.seed}`,
    );
  }

  /** Scenario seconds since the start. */
  get t(): number {
    return this.clock.now() / 1000;
  }

  get lifecycle(): LabState {
    return this.state;
  }

  /** Resolves when the load is over and, with --drain, nothing is in flight or the drain time has passed. */
  async runToEnd(signal?: AbortSignal): Promise<'finished' | 'aborted'> {
    const aborted = new Promise<'aborted'>((resolve) => {
      if (signal?.aborted) resolve('aborted');
      signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
    const loadDone = this.load ? this.load.done.then(() => 'done' as const) : new Promise<never>(() => {});
    if ((await Promise.race([loadDone, aborted])) === 'aborted') return 'aborted';
    if (this.options.drainS <= 0) return 'finished';
    this.state = 'draining';
    const deadline = this.clock.now() + this.options.drainS * 1000;
    const drained = new Promise<'finished'>((resolve) => {
      const check = (): void => {
        if (!this.pipeline.busy || this.clock.now() >= deadline) resolve('finished');
        else this.clock.setTimeout(check, Math.min(1000, deadline - this.clock.now()));
      };
      check();
    });
    return Promise.race([drained, aborted]);
  }

  setMode(mode: Mode): void {
    this.pipeline.setMode(mode);
  }

  setThrottleRate(rate: number): void {
    this.throttle.setRate(rate);
  }

  /**
   * Stops the load, gives work in flight `graceS` scenario seconds, then ends everything: pending
   * invocations end as errors, the threads and servers close, the logs are flushed.
   */
  async stop(graceRealMs = 0): Promise<void> {
    if (this.state === 'stopped') return;
    this.load?.stop();
    if (graceRealMs > 0) {
      const until = Date.now() + graceRealMs;
      while (this.pipeline.runtime.running > 0 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
    }
    this.takeSample(); // the last partial second
    this.host.stop();
    this.endedAtS = this.t;
    this.state = 'stopped';
    this.sampleTimer?.cancel();
    this.pipeline.stop();
    this.throttle.stop();
    this.pipeline.runtime.close('the lab is stopping');
    await this.client?.destroy().catch(() => undefined);
    await this.ingress?.close().catch(() => undefined);
    await this.executor.close().catch(() => undefined);
    await this.courier?.stop().catch(() => undefined);
    await this.logs.close();
  }

  /** Scenario seconds covered (frozen once stopped). */
  get durationS(): number {
    return this.endedAtS ?? this.t;
  }

  courierCounts(): CourierCounts {
    if (this.courier) {
      const s: CourierStatsSnapshot = this.courier.stats();
      return {
        requests: s.requests,
        byStatus: s.byStatus,
        peakAdmittedPerSecond: s.peakAdmittedPerSecond,
        up: this.courier.up,
        outages: this.courierOutages,
      };
    }
    const c = this.counters;
    return {
      requests: c.get('courierCalls'),
      byStatus: {
        '2xx': c.get('answered2xx'),
        '429': c.get('answered429'),
        '5xx': c.get('answered5xx'),
        other: c.get('answeredOther'),
        connectionError: c.get('connectionErrors'),
      },
      peakAdmittedPerSecond: this.clientPeakAdmitted,
      up: true,
      outages: 0,
    };
  }

  series(): readonly SeriesRow[] {
    return this.recorder.rows;
  }

  snapshot(): LabSnapshot {
    const p = this.pipeline;
    const now = this.clock.now();
    const load = this.load?.snapshot();
    const courier = this.courierCounts();
    const requests = p.stats.notify.invocations + p.stats.delivery.invocations;
    const gbS = p.stats.notify.gbSeconds + p.stats.delivery.gbSeconds;
    return {
      t: this.durationS,
      state: this.state,
      mode: p.mode,
      scenario: this.scenario.name,
      phase: load?.phase,
      speed: this.options.speed,
      seed: this.options.seed,
      loadRate: load?.rate ?? 0,
      loadFactor: load?.factor ?? 1,
      loadPaused: load?.paused ?? false,
      concurrencyLimit: p.concurrency.limit,
      queueConcurrency: p.queueConcurrency,
      throttleRate: this.throttle.rate,
      concurrency: {
        total: p.concurrency.inUse,
        notify: p.concurrency.of('notify'),
        delivery: p.concurrency.of('delivery'),
        peak: p.concurrency.peak,
      },
      orders: {
        accepted: p.orders.accepted,
        delivered: p.orders.delivered,
        lost: p.orders.lost,
        deadLettered: p.orders.deadLettered,
        inFlight: p.orders.inFlight,
        rejected: p.orders.rejected,
      },
      queue: {
        visible: p.queue.visibleCount(now),
        inFlight: p.queue.inFlightCount(now),
        dlq: p.queue.dlqCount,
        oldestAgeS: p.queue.oldestAgeS(now),
      },
      courier: { requests: courier.requests, byStatus: courier.byStatus, up: courier.up },
      retries: {
        http: this.counters.get('httpRetries'),
        async: p.retries.async,
        redeliveries: p.queue.totals.redeliveries,
      },
      cost: { requests, gbSeconds: gbS, usd: costUsd(requests, gbS) },
      logFile: this.files.log,
      reportFile: this.files.report,
      calm: calmSnapshot(p),
    };
  }

  /** A lab event in the run's log (mode switches, outages), so the log tells the whole story. */
  event(level: 'INFO' | 'WARN', message: string): void {
    this.logs.write({
      level,
      message,
      timestamp: scenarioTimestamp(this.startedAt.getTime(), this.clock.now()),
      service: 'stormlab',
    });
  }

  get loadErrorCount(): number {
    return this.loadErrors;
  }

  private sendOrder(order: unknown): void {
    if (!this.client) return;
    this.client.postOrder(order).catch(() => {
      this.loadErrors++;
    });
  }

  private scheduleSample(second: number): void {
    this.sampleTimer = this.clock.setTimeout(
      () => {
        if (this.state === 'stopped') return;
        const reached = Math.max(second, Math.floor(this.clock.now() / 1000));
        this.takeSample(reached);
        this.scheduleSample(reached + 1);
      },
      second * 1000 - this.clock.now(),
    );
  }

  private guardsGen = 0;

  /** A live change of retry policy, budget scope or breaker: new budgets in shared memory, sent with tasks. */
  setGuards(change: Partial<GuardOptions>): void {
    this.pipeline.setGuards(change, (o) => {
      const guards = new DeliveryGuards(o, this.clock, { threads: true });
      this.executor.guards = {
        gen: ++this.guardsGen,
        options: guards.options,
        budgetBuffer: guards.budgetBuffer,
      };
      return guards;
    });
  }

  /** Closes the series up to `second` (default: the current, possibly partial, second). */
  takeSample(second = Math.ceil(this.clock.now() / 1000)): void {
    const p = this.pipeline;
    const now = this.clock.now();
    const courier = this.courierTotals();
    const totals: Cumulative = {
      invocations: p.stats.notify.invocations + p.stats.delivery.invocations,
      errors: p.stats.notify.errors + p.stats.delivery.errors,
      throttles: p.stats.notify.throttles + p.stats.delivery.throttles,
      timeouts: p.stats.notify.timeouts + p.stats.delivery.timeouts,
      ...courier,
      retries: this.counters.get('httpRetries') + p.retries.async + p.queue.totals.redeliveries,
      deliveredNow: p.orders.delivered,
      deliverySuccesses: p.stats.delivery.successes,
      deliveryFailures: p.stats.delivery.errors,
    };
    const visible = p.queue.visibleCount(now);
    const oldest = p.queue.oldestAgeS(now);
    this.queuePeaks.depth = Math.max(this.queuePeaks.depth, visible);
    this.queuePeaks.oldestAgeS = Math.max(this.queuePeaks.oldestAgeS, oldest);
    const gauges: Gauges = {
      concurrency: p.concurrency.inUse,
      concurrencyNotify: p.concurrency.of('notify'),
      concurrencyDelivery: p.concurrency.of('delivery'),
      queueDepth: visible,
      queueInFlight: p.queue.inFlightCount(now),
      accepted: p.orders.accepted,
      delivered: p.orders.delivered,
      lost: p.orders.lost,
      deadLettered: p.orders.deadLettered,
      inFlight: p.orders.inFlight,
      loadRate: this.load?.snapshot().rate ?? 0,
      mode: p.mode,
      // Down at any moment since the last sample: an outage shorter than a second still shows.
      courierUp: (this.courier?.up ?? true) && this.courierOutages === this.outagesAtSample,
      ...calmGauges(p),
    };
    this.outagesAtSample = this.courierOutages;
    this.recorder.record(second, totals, gauges);
    this.host.sample();
    const row = this.recorder.rows.at(-1);
    // An outside courier counts nothing for us: its admissions per second are what its callers saw.
    if (!this.courier && row) {
      this.clientPeakAdmitted = Math.max(this.clientPeakAdmitted, row.courier2xx + row.courier5xx);
    }
  }

  private courierTotals(): Pick<Cumulative, 'courier2xx' | 'courier429' | 'courier5xx' | 'courierOther'> {
    if (this.courier) {
      const by = this.courier.stats().byStatus;
      let c2 = 0;
      let c429 = 0;
      let c5 = 0;
      let other = 0;
      for (const [status, n] of Object.entries(by)) {
        const code = Number(status);
        if (code >= 200 && code < 300) c2 += n;
        else if (code === 429) c429 += n;
        else if (code >= 500) c5 += n;
        else other += n;
      }
      return {
        courier2xx: c2,
        courier429: c429,
        courier5xx: c5,
        courierOther: other + this.counters.get('connectionErrors'),
      };
    }
    const c = this.counters;
    return {
      courier2xx: c.get('answered2xx'),
      courier429: c.get('answered429'),
      courier5xx: c.get('answered5xx'),
      courierOther: c.get('answeredOther') + c.get('connectionErrors'),
    };
  }
}
