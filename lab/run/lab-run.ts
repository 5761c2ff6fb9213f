/**
 * One run of the lab, whatever the engine: the pipeline wired to the engine's clock and executor, the
 * built-in load, the per-second sampler and the read model the dashboard, the report and the metrics use.
 * The engine is the shell (threads and sockets, or one thread on a virtual clock); this is everything else.
 */
import { guardOptionsOf, type GuardOptions } from '../delivery/delivery-guards.js';
import { EventEmitter } from 'node:events';
import type { LabOptions } from '../config/parse-options.js';
import type { Mode } from '../config/option-spec.js';
import { SeededRandom } from '../time/random.js';
import type { Clock } from '../time/clock.js';
import { LogWriter, scenarioTimestamp } from '../logs/log-writer.js';
import { LogTail } from '../logs/log-tail.js';
import { WorkerCounters } from '../runtime/worker-counters.js';
import { ClientThrottle } from '../flow/client-throttle.js';
import { Pipeline, type ModeChange } from '../pipeline/pipeline.js';
import { LoadGenerator } from '../load/load-generator.js';
import { createOrderFactory } from '../load/order-factory.js';
import { resolveScenario, type Scenario } from '../load/presets.js';
import { SeriesRecorder } from '../metrics/series-recorder.js';
import { HostMonitor } from '../metrics/host-monitor.js';
import type { LabSnapshot, SeriesRow } from '../lab-view.js';
import type { CourierCounts, Engine, EngineKind } from './engine.js';
import { defaultFiles, type RunFiles } from './run-files.js';
import type { SharedParts } from '../pipeline/shared-parts.js';
import type { TokenSource } from '../runtime/piscina-executor.js';
import { buildSample, buildSnapshot } from './read-model.js';
import { FaultSchedule } from '../faults/fault-schedule.js';
import { faultsOfRun } from '../faults/run-faults.js';
import { recoveryVerdict, verdictText } from '../faults/recovery.js';
import type { FaultSpec } from '../faults/fault-spec.js';
import { ConfigError } from '../config/config-error.js';

export type RunState = LabSnapshot['state'];

/** Scenario ms past the functions' timeout that the run's end waits at most for orders on their way in. */
const SENDS_WAIT_MARGIN_MS = 10_000;

export interface RunEvents {
  /** A scenario second closed: its series row. */
  sample: [SeriesRow];
  /** The run stopped (its report may still be being written). */
  ended: [];
  /** The pipeline's mode changed (a key, or a cluster's control channel). */
  mode: [ModeChange];
}

/** What a cluster node shares with the run (--cluster); see lab/cluster/cluster-run.ts. */
export interface RunShared {
  parts?: SharedParts;
  /** The client throttle shared by the cluster, in place of the local bucket's grants. */
  throttle?: TokenSource;
  /** More report fields, read when the report is built (the cluster's totals). */
  reportExtras?: () => Promise<Record<string, unknown>>;
}

/** Builds an engine for a run: the engine makes its clock first, then its parts from the run's. */
export interface EngineFactory {
  (options: LabOptions, parts: EngineParts): Engine;
}

/** The run's neutral parts an engine's transports use. */
export interface EngineParts {
  random: SeededRandom;
  counters: WorkerCounters;
  logs: LogWriter;
  files: RunFiles;
  startedAt: Date;
  /** The client-side throttle, on the engine's clock (made once, on first call). */
  throttle: (clock: Clock) => ClientThrottle;
  /** Set with --cluster: the cluster's throttle, which the engine's delivery calls draw on instead. */
  sharedThrottle?: TokenSource;
}

export class LabRun extends EventEmitter<RunEvents> {
  readonly options: LabOptions;
  readonly scenario: Scenario;
  readonly startedAt = new Date();
  readonly files: RunFiles;
  readonly logs: LogWriter;
  /** Reads the log file back as it is written, once it is large enough (none without a file). */
  readonly logTail: LogTail | undefined;
  readonly counters = new WorkerCounters();
  readonly recorder = new SeriesRecorder();
  readonly host = new HostMonitor();
  readonly engine: Engine;
  readonly throttle: ClientThrottle;
  readonly pipeline: Pipeline;
  readonly load: LoadGenerator | undefined;
  /** The fault schedule (issue 11): the scenario's faults and --fault, on the engine's clock. */
  readonly faults: FaultSchedule;
  private readonly plannedFaults: readonly FaultSpec[];
  /** Peak of the queue's visible depth and oldest age, over the samples. */
  readonly queuePeaks = { depth: 0, oldestAgeS: 0 };
  private state: RunState = 'starting';
  private sampleTimer: { cancel(): void } | undefined;
  private endedAtS: number | undefined;
  private outagesAtSample = 0;
  /** Orders the load sent that the ingress has not answered yet (sendOrder). */
  private sendsUnanswered = 0;
  private onSendsAnswered: (() => void) | undefined;
  private clientPeakAdmitted = 0;

  readonly shared: RunShared;

  constructor(options: LabOptions, makeEngine: EngineFactory, fileSuffix = '', shared: RunShared = {}) {
    super();
    this.shared = shared;
    this.options = options;
    this.scenario = resolveScenario(options.scenario);
    this.files = defaultFiles(options, this.startedAt, fileSuffix);
    this.logs = new LogWriter({ file: this.files.log, onWritten: (bytes) => this.logTail?.wrote(bytes) });
    this.logTail = this.files.log === undefined ? undefined : new LogTail(this.files.log);
    const random = new SeededRandom(options.seed);
    let throttle: ClientThrottle | undefined;
    this.engine = makeEngine(options, {
      random,
      counters: this.counters,
      logs: this.logs,
      files: this.files,
      startedAt: this.startedAt,
      throttle: (clock) => (throttle ??= this.makeThrottle(clock)),
      sharedThrottle: shared.throttle,
    });
    this.throttle = throttle ?? this.makeThrottle(this.engine.clock);
    this.pipeline = new Pipeline({
      clock: this.engine.clock,
      random,
      executor: this.engine.executor,
      options,
      guards: this.engine.makeGuards?.(guardOptionsOf(options)),
      logs: this.logs,
      startedAtMs: this.startedAt.getTime(),
      onModeChange: (change: ModeChange) => {
        this.event('INFO', `mode switched to ${change.mode}`);
        this.emit('mode', change);
      },
      shared: shared.parts,
    });
    this.engine.bindGuards(() => this.pipeline.guards);
    if (!this.scenario.external) {
      const nextOrder = createOrderFactory(random.fork('orders'));
      this.load = new LoadGenerator({
        clock: this.engine.clock,
        scenario: this.scenario,
        send: () => this.sendOrder(nextOrder()),
        factor: options.loadFactor,
      });
    }
    this.plannedFaults = faultsOfRun(this.scenario, options);
    const courierFaults = this.engine.courierFaults;
    const unreachable = this.plannedFaults.find((f) => f.kind !== 'load' && !courierFaults);
    if (unreachable) {
      throw new ConfigError(
        `fault ${unreachable.kind}: the courier is outside the lab (--courier-url); allowed: load faults only`,
      );
    }
    this.faults = new FaultSchedule({
      clock: this.engine.clock,
      target: {
        setCourierUp: (up) => courierFaults?.setCourierUp(up),
        setCourierLatency: (range) => courierFaults?.setCourierLatency(range),
        setCourierFailureRate: (rate) => courierFaults?.setCourierFailureRate(rate),
        setCourierRate: (rate) => courierFaults?.setCourierRate(rate),
        // A load fault multiplies the run's own factor (--load-factor, or the sweep's load axis).
        setLoadFactor: (factor) => this.load?.setFactor((factor ?? 1) * options.loadFactor),
      },
      log: (level, message) => this.event(level, message),
    });
  }

  /** A live change of retry policy, budget scope or breaker, from the next delivery invocation on. */
  setGuards(change: Partial<GuardOptions>): void {
    const make = this.engine.makeGuards?.bind(this.engine);
    this.pipeline.setGuards(change, make);
  }

  get kind(): EngineKind {
    return this.engine.kind;
  }

  get clock(): Engine['clock'] {
    return this.engine.clock;
  }

  /** Starts the engine's transports, then the load and the sampler; scenario time 0 is now. */
  async start(): Promise<void> {
    await this.engine.start({
      accept: (body) => this.pipeline.acceptOrder(body),
      event: (level, message) => this.event(level, message),
    });
    this.host.start();
    this.state = 'running';
    this.scheduleSample(1);
    // Scenario time 0 is now (the threads engine has just moved it): fault windows count from here.
    for (const fault of this.plannedFaults) this.faults.add(fault);
    this.load?.start();
    this.event(
      'INFO',
      `run started: scenario ${this.scenario.name}, mode ${this.options.mode}, engine ${this.kind}, speed ${this.options.speed}, seed ${this.options.seed}`,
    );
    this.engine.run();
  }

  /** Scenario seconds since the start. */
  get t(): number {
    return this.clock.now() / 1000;
  }

  get lifecycle(): RunState {
    return this.state;
  }

  /** Scenario seconds covered (frozen once stopped). */
  get durationS(): number {
    return this.endedAtS ?? this.t;
  }

  /** Resolves when the load is over and, with --drain, nothing is in flight or the drain time has passed. */
  async runToEnd(signal?: AbortSignal): Promise<'finished' | 'aborted'> {
    const aborted = new Promise<'aborted'>((resolve) => {
      if (signal?.aborted) resolve('aborted');
      signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
    const loadDone = this.load ? this.load.done.then(() => 'done' as const) : new Promise<never>(() => {});
    if ((await Promise.race([loadDone, aborted])) === 'aborted') return 'aborted';
    // The last orders sent may still be on their way in (a notify running): they belong to the run.
    if ((await Promise.race([this.sendsAnswered(), aborted])) === 'aborted') return 'aborted';
    if (this.options.drainS <= 0) return 'finished';
    this.state = 'draining';
    const clock = this.clock;
    const deadline = clock.now() + this.options.drainS * 1000;
    const drained = new Promise<'finished'>((resolve) => {
      const check = (): void => {
        if (!this.pipeline.busy || clock.now() >= deadline) resolve('finished');
        else clock.setTimeout(check, Math.min(1000, deadline - clock.now()));
      };
      check();
    });
    return Promise.race([drained, aborted]);
  }

  /** One arrival of the built-in load, counted until the ingress has answered it. */
  private sendOrder(order: object): void {
    this.sendsUnanswered++;
    void this.engine.sendOrder(order).then(() => {
      if (--this.sendsUnanswered === 0) this.onSendsAnswered?.();
    });
  }

  /**
   * Resolves once every order the load sent has its answer from the ingress: at the latest when a notify
   * still running would have timed out (an ingress that never answers must not hold the run's end).
   */
  private sendsAnswered(): Promise<'answered'> {
    if (this.sendsUnanswered === 0) return Promise.resolve('answered');
    return new Promise((resolve) => {
      const waitMs = this.options.functionTimeoutS * 1000 + SENDS_WAIT_MARGIN_MS;
      const timer = this.clock.setTimeout(() => done(), waitMs);
      const done = (): void => {
        timer.cancel();
        this.onSendsAnswered = undefined;
        resolve('answered');
      };
      this.onSendsAnswered = done;
    });
  }

  setMode(mode: Mode): void {
    this.pipeline.setMode(mode);
  }

  setThrottleRate(rate: number): void {
    this.throttle.setRate(rate);
  }

  /**
   * Stops the load, gives work in flight `graceRealMs` real ms (threads only: virtual time does not pass by
   * itself), then ends everything: pending invocations end uncounted, the transports close, logs are flushed.
   */
  async stop(graceRealMs = 0): Promise<void> {
    if (this.state === 'stopped') return;
    this.load?.stop();
    if (graceRealMs > 0 && this.kind === 'threads') {
      const until = Date.now() + graceRealMs;
      while (this.pipeline.runtime.running > 0 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
    }
    this.takeSample(); // the last partial second
    this.host.stop();
    this.endedAtS = this.t;
    this.state = 'stopped';
    this.sampleTimer?.cancel();
    this.faults.stop();
    this.pipeline.stop();
    void this.throttle.stop();
    this.pipeline.runtime.close('the lab is stopping');
    await this.engine.stop().catch(() => undefined);
    await this.logs.close();
    this.emit('ended');
  }

  courierCounts(): CourierCounts & { peakAdmittedPerSecond: number } {
    const counts = this.engine.courierCounts();
    // An outside courier counts nothing for us: its admissions per second are what its callers saw.
    return { ...counts, peakAdmittedPerSecond: counts.peakAdmittedPerSecond ?? this.clientPeakAdmitted };
  }

  series(): readonly SeriesRow[] {
    return this.recorder.rows;
  }

  snapshot(): LabSnapshot {
    const snap = buildSnapshot(this);
    const all = this.faults.list();
    if (all.length > 0) {
      snap.faults = { all, active: this.faults.active().map((f) => ({ ...f })) };
      const lastEndS = Math.max(...all.map((f) => f.startS + f.durationS));
      if (snap.t > lastEndS) {
        const verdict = recoveryVerdict({ series: this.recorder.rows, faults: all });
        // Stuck only means "not back yet" while the run goes on.
        if (verdict) snap.faults.verdict = verdict.recovered ? verdictText(verdict) : 'not recovered yet';
      }
    }
    return snap;
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

  private makeThrottle(clock: Clock): ClientThrottle {
    return new ClientThrottle({
      clock,
      rate: this.options.throttleRate,
      burst: this.options.throttleBurst,
    });
  }

  private scheduleSample(second: number): void {
    const clock = this.clock;
    this.sampleTimer = clock.setTimeout(
      () => {
        if (this.state === 'stopped') return;
        const reached = Math.max(second, Math.floor(clock.now() / 1000));
        this.takeSample(reached);
        this.scheduleSample(reached + 1);
      },
      second * 1000 - clock.now(),
    );
  }

  /** Closes the series up to `second` (default: the current, possibly partial, second). */
  takeSample(second = Math.ceil(this.clock.now() / 1000)): void {
    const counts = this.engine.courierCounts();
    const outages = counts.outages;
    const { totals, gauges } = buildSample(this, counts, outages === this.outagesAtSample);
    this.outagesAtSample = outages;
    this.queuePeaks.depth = Math.max(this.queuePeaks.depth, gauges.queueDepth);
    this.queuePeaks.oldestAgeS = Math.max(
      this.queuePeaks.oldestAgeS,
      this.pipeline.queue.oldestAgeS(this.clock.now()),
    );
    const before = this.recorder.rows.length;
    this.recorder.record(second, totals, gauges);
    this.host.sample();
    const rows = this.recorder.rows;
    for (let i = before; i < rows.length; i++) {
      const row = rows[i]!;
      this.clientPeakAdmitted = Math.max(this.clientPeakAdmitted, row.courier2xx + row.courier5xx);
      this.emit('sample', row);
    }
  }
}
