/**
 * The run's figures as Prometheus metrics (prom-client), read from the run's read model at each scrape:
 * the snapshot (`LabSnapshot`) for what it holds live, the per-second series for counts it does not. Nothing
 * is counted here; collect() copies the run's cumulative totals into counters, so a counter only ever grows
 * while the run does (a dashboard restart starts a new run, which Prometheus sees as a counter reset).
 *
 * Every metric carries `mode`: the flow control at scrape time (none, queue or throttle). A counter's
 * total moves to the new mode's label when the mode is switched; `sum without (mode)` gives the run's total.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { LabSnapshot, SeriesRow } from '../../lab-view.js';
import { SeriesTotals, type SeriesCount } from './series-totals.js';

/** What a scrape reads: a run, or the dashboard's session (which follows restarts). */
export interface MetricsSource {
  snapshot(): LabSnapshot;
  series(): readonly SeriesRow[];
}

interface View {
  snapshot: LabSnapshot;
  totals: Readonly<Record<SeriesCount, number>>;
}

/** Order states as label values: the final states of accepted orders, and refused at the ingress. */
const ORDER_STATES = [
  ['delivered', 'delivered'],
  ['lost', 'lost'],
  ['dead_lettered', 'deadLettered'],
  ['rejected', 'rejected'],
] as const;

const RETRY_KINDS = [
  ['http', 'http'],
  ['async', 'async'],
  ['redelivery', 'redeliveries'],
] as const;

export class LabMetrics {
  readonly registry = new Registry();
  private readonly totals = new SeriesTotals();
  private view: View | undefined;

  constructor(private readonly source: MetricsSource) {
    this.define();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The metrics text; every collect() runs synchronously on one reading of the read model. */
  scrape(): Promise<string> {
    this.view = { snapshot: this.source.snapshot(), totals: this.totals.read(this.source.series()) };
    return this.registry.metrics();
  }

  private define(): void {
    const registers = [this.registry];
    const read = (): View => {
      if (!this.view) throw new Error('collect() outside a scrape');
      return this.view;
    };
    type Fill<L extends string> = (set: (labels: Record<L, string>, value: number) => void, v: View) => void;
    /** Refills a metric from the view at each scrape, every sample labelled with the mode now. */
    const refill =
      <L extends string>(
        metric: { reset(): void },
        put: (labels: object, value: number) => void,
        fill: Fill<L>,
      ) =>
      (): void => {
        const v = read();
        metric.reset();
        fill((l, value) => put({ mode: v.snapshot.mode, ...l }, value), v);
      };
    const gauge = <L extends string>(
      name: string,
      help: string,
      labels: readonly L[],
      fill: Fill<L>,
    ): void => {
      const g: Gauge<string> = new Gauge({
        name,
        help,
        labelNames: ['mode', ...labels],
        registers,
        collect: refill(
          { reset: () => g.reset() },
          (l, value) => g.set(l as Record<string, string>, value),
          fill,
        ),
      });
    };
    const counter = <L extends string>(
      name: string,
      help: string,
      labels: readonly L[],
      fill: Fill<L>,
    ): void => {
      const c: Counter<string> = new Counter({
        name,
        help,
        labelNames: ['mode', ...labels],
        registers,
        collect: refill(
          { reset: () => c.reset() },
          (l, value) => c.inc(l as Record<string, string>, value),
          fill,
        ),
      });
    };
    const none = [] as const;

    gauge(
      'stormlab_concurrency',
      'Executions in progress, by function',
      ['function'],
      (set, { snapshot: s }) => {
        set({ function: 'notify' }, s.concurrency.notify);
        set({ function: 'delivery' }, s.concurrency.delivery);
      },
    );
    gauge('stormlab_concurrency_limit', 'Account concurrency limit', none, (set, { snapshot: s }) =>
      set({}, s.concurrencyLimit),
    );
    gauge(
      'stormlab_queue_concurrency',
      "The queue poller's MaximumConcurrency",
      none,
      (set, { snapshot: s }) => set({}, s.queueConcurrency),
    );
    gauge('stormlab_peak_concurrency', 'Peak executions in progress so far, all functions', none, (set, v) =>
      set({}, v.snapshot.concurrency.peak),
    );
    gauge(
      'stormlab_orders_in_flight',
      'Accepted orders not yet delivered, lost or dead-lettered',
      none,
      (set, v) => set({}, v.snapshot.orders.inFlight),
    );
    gauge('stormlab_queue_depth', 'Messages visible in the queue', none, (set, v) =>
      set({}, v.snapshot.queue.visible),
    );
    gauge('stormlab_queue_in_flight', 'Messages received and not yet deleted', none, (set, v) =>
      set({}, v.snapshot.queue.inFlight),
    );
    gauge(
      'stormlab_queue_oldest_age_seconds',
      'Age of the oldest message, scenario seconds',
      none,
      (set, v) => set({}, v.snapshot.queue.oldestAgeS),
    );
    gauge('stormlab_load_rate', 'Arrivals per scenario second the load aims at', none, (set, v) =>
      set({}, v.snapshot.loadRate),
    );
    gauge('stormlab_courier_up', '1 while the courier is up', none, (set, v) =>
      set({}, v.snapshot.courier.up ? 1 : 0),
    );
    gauge('stormlab_scenario_seconds', 'Scenario time of the run', none, (set, v) => set({}, v.snapshot.t));
    gauge(
      'stormlab_run_info',
      'Always 1; the labels say what runs: engine, scenario, seed, speed and lifecycle state',
      ['engine', 'scenario', 'seed', 'speed', 'state'],
      (set, { snapshot: s }) =>
        set(
          {
            engine: s.engine,
            scenario: s.scenario,
            seed: String(s.seed),
            speed: String(s.speed),
            state: s.state,
          },
          1,
        ),
    );

    counter('stormlab_invocations_total', 'Function invocations that ran, all functions', none, (set, v) =>
      set({}, v.totals.invocations),
    );
    counter(
      'stormlab_function_errors_total',
      'Function errors, timeouts included, all functions',
      none,
      (set, v) => set({}, v.totals.errors),
    );
    counter('stormlab_throttles_total', 'Invocations refused at the concurrency limit', none, (set, v) =>
      set({}, v.totals.throttles),
    );
    counter('stormlab_function_timeouts_total', 'Function timeouts, all functions', none, (set, v) =>
      set({}, v.totals.timeouts),
    );
    counter(
      'stormlab_delivery_invocations_total',
      'Delivery invocations by outcome',
      ['outcome'],
      (set, v) => {
        set({ outcome: 'success' }, v.totals.deliverySuccesses);
        set({ outcome: 'failure' }, v.totals.deliveryFailures);
      },
    );
    counter(
      'stormlab_retries_total',
      'Retries by kind: in code (http), async invoke, queue redelivery',
      ['kind'],
      (set, v) => {
        for (const [kind, key] of RETRY_KINDS) set({ kind }, v.snapshot.retries[key]);
      },
    );
    counter('stormlab_courier_requests_total', 'Requests the courier received', none, (set, v) =>
      set({}, v.snapshot.courier.requests),
    );
    counter('stormlab_courier_responses_total', 'Courier answers by status', ['status'], (set, v) => {
      for (const [status, n] of Object.entries(v.snapshot.courier.byStatus)) set({ status }, n);
    });
    counter('stormlab_orders_accepted_total', 'Orders accepted at the ingress', none, (set, v) =>
      set({}, v.snapshot.orders.accepted),
    );
    counter(
      'stormlab_orders_total',
      'Orders by final state, and those refused at the ingress',
      ['state'],
      (set, v) => {
        for (const [state, key] of ORDER_STATES) set({ state }, v.snapshot.orders[key]);
      },
    );
    counter('stormlab_cost_usd_total', 'Cost so far, US dollars (requests and GB-seconds)', none, (set, v) =>
      set({}, v.snapshot.cost.usd),
    );
    counter('stormlab_cost_gb_seconds_total', 'Billed GB-seconds so far', none, (set, v) =>
      set({}, v.snapshot.cost.gbSeconds),
    );
    counter('stormlab_cost_requests_total', 'Billed requests so far', none, (set, v) =>
      set({}, v.snapshot.cost.requests),
    );
  }
}
