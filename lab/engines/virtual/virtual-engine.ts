/**
 * The virtual engine: the whole lab in this thread on a VirtualClock. The pipeline, handlers, retry policies,
 * courier rules, queue, poller and throttle are the very code the threads engine runs; only the transports
 * are function calls, and time moves as fast as the CPU allows (headless) or paced to the wall clock at
 * `--speed` (under the dashboard). The same options and seed give the same run, byte for byte.
 */
import type { LabOptions } from '../../config/parse-options.js';
import { VirtualClock } from '../../time/clock.js';
import { CourierService } from '../../courier/courier-service.js';
import type { CourierCounts, Engine, EngineHooks } from '../../run/engine.js';
import type { EngineParts } from '../../run/lab-run.js';
import { ClockDriver, type DriverPace } from './clock-driver.js';
import { InProcessCourier } from './in-process-courier.js';
import { InProcessExecutor } from './in-process-executor.js';
import type { CourierFaultTarget } from '../../courier/courier-controls.js';
import type { BackendWorkTotals } from '../../faults/report-fields.js';
import type { DeliveryGuards } from '../../delivery/delivery-guards.js';

export interface VirtualEngineOptions {
  /** @default fast: as fast as the CPU allows */
  pace?: DriverPace;
  /** Nobody moves the clock but the caller (tests step it with `clock.advance`). @default false */
  manual?: boolean;
}

export class VirtualEngine implements Engine {
  readonly kind = 'virtual';
  readonly clock = new VirtualClock();
  readonly executor: InProcessExecutor;
  readonly courier: InProcessCourier;
  readonly service: CourierService;
  readonly driver: ClockDriver | undefined;
  readonly ingressUrl = undefined;
  readonly courierBuiltIn = true;
  private hooks: EngineHooks | undefined;
  private accepted = 0;
  private loadErrorCount = 0;
  private outages = 0;
  private stopped = false;

  constructor(options: LabOptions, parts: EngineParts, engineOptions: VirtualEngineOptions = {}) {
    const { random } = parts;
    this.service = new CourierService({
      options: options.courier,
      clock: this.clock,
      random: random.fork('courier'),
      logWriter: parts.logs,
      startedAtMs: parts.startedAt.getTime(),
    });
    this.courier = new InProcessCourier(this.service);
    this.executor = new InProcessExecutor({
      clock: this.clock,
      seed: random.fork('delivery').seed,
      retryPolicy: options.retryPolicy,
      apiKey: options.courier.apiKey,
      counters: parts.counters,
      courier: this.courier,
      throttle: parts.throttle(this.clock),
      attemptTimeoutMs: options.attemptTimeoutMs,
    });
    this.driver = engineOptions.manual
      ? undefined
      : new ClockDriver(this.clock, engineOptions.pace ?? { kind: 'fast' });
  }

  start(hooks: EngineHooks): Promise<void> {
    this.hooks = hooks;
    return Promise.resolve();
  }

  run(): void {
    this.driver?.start();
  }

  bindGuards(current: () => DeliveryGuards): void {
    this.executor.bindGuards(current);
  }

  sendOrder(order: object): Promise<void> {
    const hooks = this.hooks;
    if (!hooks || this.stopped) return Promise.resolve();
    return hooks.accept(order as Record<string, unknown>).then(
      (answer) => {
        if (answer.status === 200) this.accepted++;
      },
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

  get courierUp(): boolean {
    return this.courier.up;
  }

  /** Takes the courier down or brings it back (faults): calls fail as refused connections meanwhile. */
  setCourierUp(up: boolean): void {
    if (this.courier.up && !up) this.outages++;
    this.courier.up = up;
  }

  courierCounts(): CourierCounts {
    const s = this.service.stats.snapshot();
    return {
      requests: s.requests,
      byStatus: s.byStatus,
      peakAdmittedPerSecond: s.peakAdmittedPerSecond,
      up: this.courier.up,
      outages: this.outages,
    };
  }

  /** Faults call the in-process courier directly: its door for outages, its service for the rest. */
  get courierFaults(): CourierFaultTarget {
    const controls = this.service.controls;
    return {
      setCourierUp: (up) => this.setCourierUp(up),
      setCourierLatency: (range) => controls.setCourierLatency(range),
      setCourierFailureRate: (rate) => controls.setCourierFailureRate(rate),
      setCourierRate: (rate) => controls.setCourierRate(rate),
    };
  }

  backendWork(): BackendWorkTotals | undefined {
    return this.service.backend ? this.service.stats.snapshot().work : undefined;
  }

  deliveredIds(): ReadonlySet<string> {
    return this.service.deliveredIds;
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.driver?.stop();
    this.service.close();
    return Promise.resolve();
  }
}
