/**
 * What a run needs of an engine: a clock, somewhere to run handlers, and the transports around the pipeline.
 * The threads engine is threads, sockets and a real clock; the virtual engine is one thread on a virtual clock.
 * Everything else (the pipeline, the load, the sampler, the read model, the report) is the same run.
 */
import type { Clock } from '../time/clock.js';
import type { Executor } from '../runtime/function-types.js';
import type { IngressAnswer } from '../pipeline/pipeline.js';
import type { CourierFaultTarget } from '../courier/courier-controls.js';
import type { BackendWorkTotals } from '../faults/report-fields.js';
import type { DeliveryGuards, GuardOptions } from '../delivery/delivery-guards.js';

export const ENGINES = ['threads', 'virtual'] as const;
export type EngineKind = (typeof ENGINES)[number];

/** Courier answers as the lab counts them: by the courier itself when built in, by the callers otherwise. */
export interface CourierCounts {
  requests: number;
  byStatus: Record<string, number>;
  /** Undefined when the courier is outside the lab: the run then counts what its callers saw. */
  peakAdmittedPerSecond: number | undefined;
  up: boolean;
  outages: number;
}

/** What an engine is handed once the run's neutral parts exist. */
export interface EngineHooks {
  /** The pipeline's ingress: POST /notify. */
  accept(body: Record<string, unknown>): Promise<IngressAnswer>;
  /** A lab event for the run's log (courier restarts, ...). */
  event(level: 'INFO' | 'WARN', message: string): void;
}

export interface Engine {
  readonly kind: EngineKind;
  readonly clock: Clock;
  readonly executor: Executor;
  /** Starts the transports; resolves once they accept work. Scenario time 0 is when it resolves. */
  start(hooks: EngineHooks): Promise<void>;
  /**
   * The built-in load's arrival: one order through the ingress. Resolves (never rejects) once the ingress
   * has answered or the order could not reach it: the run's end waits for the orders still on their way.
   */
  sendOrder(order: object): Promise<void>;
  /** Arrivals the load could not deliver to the ingress (a refused connection). */
  readonly loadErrors: number;
  /** 200s the ingress itself answered: counted at the door, not by the order book. */
  readonly ingressAccepted: number;
  /** Where the dashboard and headless runs say the ingress listens (undefined: no socket). */
  readonly ingressUrl: string | undefined;
  courierCounts(): CourierCounts;
  /** True when the courier runs inside the lab (it counts its own answers); false for `--courier-url`. */
  readonly courierBuiltIn: boolean;
  /** Where a built-in courier takes deliveries over HTTP, once started (threads engine only). */
  readonly courierHttpUrl?: string;
  /** False while the courier cannot be reached (its thread down). */
  readonly courierUp: boolean;
  /** Correlation ids the courier answered 200, counted by the courier; undefined for an outside courier. */
  deliveredIds(): ReadonlySet<string> | undefined;
  /** Where courier faults go (issue 11); undefined for an outside courier, which faults cannot reach. */
  readonly courierFaults: CourierFaultTarget | undefined;
  /** The courier backend's useful and wasted work; undefined without --courier-capacity. */
  backendWork(): BackendWorkTotals | undefined;
  /** Lets the clock run until `stop()` (the virtual engine drives it; real time needs no help). */
  run(): void;
  /** Stops the transports once the pipeline has stopped. */
  stop(): Promise<void>;
  /**
   * Retry budgets and breakers where this engine's handlers can reach them (threads: budgets in shared
   * memory). Absent: plain objects in this thread.
   */
  makeGuards?(options: GuardOptions): DeliveryGuards;
  /** Tells the executor where the guards in force are: it reads them for every delivery invocation. */
  bindGuards(current: () => DeliveryGuards): void;
}
