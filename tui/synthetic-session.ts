/**
 * A stand-in LabSession with plausible numbers, for measuring the dashboard's drawing cost (the bench), for
 * tests and for looking at the dashboard without the lab. It is a crude fluid model of the seed experiment
 * (load phases, a courier that admits 10 calls a second and fails a fifth, retries that pile up), not the
 * emulation: only its shape matters. Each `tick()` closes one scenario second; controls are recorded.
 */
import { labOptionsWith, type LabOptions } from '../lab/config/parse-options.js';
import type { Mode } from '../lab/config/option-spec.js';
import type { LabSession, LabSnapshot, LogListener, PhaseInfo, SeriesRow } from '../lab/lab-view.js';
import type { LogRecord } from '../lab/logs/log-record.js';
import { SeededRandom } from '../lab/time/random.js';

interface Phase {
  name: string;
  durationS: number;
  from: number;
  to: number;
}

/** seed-article, in scenario seconds and arrivals per second. */
const PHASES: readonly Phase[] = [
  { name: 'warm up', durationS: 60, from: 2, to: 2 },
  { name: 'ramp up', durationS: 120, from: 2, to: 5 },
  { name: 'ramp to peak', durationS: 600, from: 4, to: 15 },
  { name: 'sustained peak', durationS: 300, from: 15, to: 15 },
];
const TOTAL_S = PHASES.reduce((s, p) => s + p.durationS, 0);

export interface ControlCall {
  name:
    | 'setMode'
    | 'setLoadFactor'
    | 'setLoadPaused'
    | 'setQueueConcurrency'
    | 'setThrottleRate'
    | 'restart'
    | 'writeSnapshot';
  args: unknown[];
}

export interface SyntheticSessionOptions {
  seed?: number;
  mode?: Mode;
  /** Close this many scenario seconds at once (history to start from). */
  historyS?: number;
  /** Courier log lines emitted per scenario second at most (the storm can make thousands). */
  maxCourierLinesPerS?: number;
  options?: Partial<LabOptions>;
}

export class SyntheticSession implements LabSession {
  readonly options: LabOptions;
  readonly calls: ControlCall[] = [];
  private rows: SeriesRow[] = [];
  private listeners = new Set<LogListener>();
  private random: SeededRandom;
  private mode: Mode;
  private loadFactor = 1;
  private paused = false;
  private queueConcurrency: number;
  private throttleRate: number;
  private pendingDelivery = 0;
  private queued = 0;
  private totals = {
    accepted: 0,
    delivered: 0,
    lost: 0,
    requests: 0,
    retries: 0,
    gbSeconds: 0,
    peak: 0,
    c200: 0,
    c429: 0,
    c5xx: 0,
  };
  private current = { total: 0, notify: 0, delivery: 0 };
  private openIds: string[] = [];
  private nextId = 1;
  private snapshots = 0;
  private readonly maxCourierLines: number;
  private readonly startedAtMs = Date.UTC(2025, 0, 1, 12, 0, 0);
  /** Scenario seconds closed so far. */
  t = 0;
  /** When set, `writeSnapshot` rejects with it (to test the error path). */
  snapshotError: Error | undefined;

  constructor(options: SyntheticSessionOptions = {}) {
    this.options = labOptionsWith({
      seed: options.seed ?? 7,
      mode: options.mode ?? 'none',
      ...options.options,
    });
    this.random = new SeededRandom(this.options.seed);
    this.mode = this.options.mode;
    this.queueConcurrency = this.options.queueConcurrency;
    this.throttleRate = this.options.throttleRate;
    this.maxCourierLines = options.maxCourierLinesPerS ?? 200;
    for (let i = 0; i < (options.historyS ?? 0); i++) this.tick(false);
  }

  private phaseAt(t: number): { phase: Phase; index: number; rate: number } | undefined {
    let start = 0;
    for (let i = 0; i < PHASES.length; i++) {
      const p = PHASES[i]!;
      if (t < start + p.durationS)
        return { phase: p, index: i, rate: p.from + ((p.to - p.from) * (t - start)) / p.durationS };
      start += p.durationS;
    }
    return undefined;
  }

  private loadRate(): number {
    const p = this.phaseAt(this.t % TOTAL_S);
    return this.paused || !p ? 0 : p.rate * this.loadFactor;
  }

  /** Closes one scenario second; `logs` false skips log records (fast history). */
  tick(logs = true): void {
    const r = this.random;
    const t = this.t + 1;
    const rate = this.loadRate();
    const arrivals = Math.floor(rate + r.next());
    const limit = this.options.concurrencyLimit;
    let calls: number;
    let deliveryConc: number;
    this.queued += this.mode === 'none' ? 0 : arrivals;
    this.pendingDelivery += this.mode === 'none' ? arrivals : 0;
    if (this.mode === 'none') {
      // Every order in delivery retries about every 5.5 s: calls grow with the backlog.
      calls = arrivals + Math.round(this.pendingDelivery * 0.18);
      deliveryConc = Math.min(limit, Math.round(this.pendingDelivery * 0.9));
    } else {
      const workers = Math.min(this.queueConcurrency, this.queued);
      const cap = this.mode === 'throttle' ? this.throttleRate : Infinity;
      calls = Math.min(cap, Math.round(workers * 0.9)) + Math.round(this.pendingDelivery * 0.18);
      deliveryConc = workers + Math.min(limit, Math.round(this.pendingDelivery * 0.9));
    }
    const admitted = Math.min(10, calls);
    const c5xx = Math.round(admitted * 0.2 * (0.5 + r.next()));
    const c200 = admitted - c5xx;
    const c429 = calls - admitted;
    let delivered = c200;
    const fromQueue = Math.min(this.queued, this.mode === 'none' ? 0 : delivered);
    this.queued -= fromQueue;
    delivered -= fromQueue;
    const fromPending = Math.min(this.pendingDelivery, delivered);
    this.pendingDelivery -= fromPending;
    const lost = Math.min(this.pendingDelivery, Math.round((c429 + c5xx) * 0.02 * r.next() * 2));
    this.pendingDelivery -= lost;
    const deliveredNow = fromQueue + fromPending;
    const notifyConc = Math.ceil(arrivals * 0.05);
    const throttles = Math.max(0, Math.round(this.pendingDelivery * 0.9) - limit);
    const errors = Math.round((c429 + c5xx) * 0.2);
    this.current = { total: notifyConc + deliveryConc, notify: notifyConc, delivery: deliveryConc };
    const tot = this.totals;
    tot.accepted += arrivals;
    tot.delivered += deliveredNow;
    tot.lost += lost;
    tot.requests += calls;
    tot.retries += Math.max(0, calls - arrivals);
    tot.c200 += c200;
    tot.c429 += c429;
    tot.c5xx += c5xx;
    tot.gbSeconds += this.current.total;
    tot.peak = Math.max(tot.peak, this.current.total);
    this.t = t;
    this.rows.push({
      t,
      concurrency: this.current.total,
      concurrencyNotify: notifyConc,
      concurrencyDelivery: deliveryConc,
      invocations: arrivals * 2 + errors,
      errors,
      throttles,
      timeouts: 0,
      courier2xx: c200,
      courier429: c429,
      courier5xx: c5xx,
      courierOther: 0,
      retries: Math.max(0, calls - arrivals),
      queueDepth: this.queued,
      queueInFlight: this.mode === 'none' ? 0 : Math.min(this.queueConcurrency, this.queued),
      accepted: tot.accepted,
      delivered: tot.delivered,
      lost: tot.lost,
      deadLettered: 0,
      inFlight: tot.accepted - tot.delivered - tot.lost,
      deliveredNow,
      deliverySuccesses: deliveredNow,
      deliveryFailures: errors,
      loadRate: rate,
      mode: this.mode,
    });
    if (logs) this.emitLogs(t, arrivals, deliveredNow, lost, c200, c429, c5xx);
  }

  private emitLogs(
    t: number,
    arrivals: number,
    delivered: number,
    lost: number,
    c200: number,
    c429: number,
    c5xx: number,
  ): void {
    if (this.listeners.size === 0) return;
    const r = this.random;
    const ts = new Date(this.startedAtMs + t * 1000).toISOString();
    const base = { timestamp: ts, level: 'INFO' as const, cold_start: false, function_memory_size: 1024 };
    for (let i = 0; i < arrivals; i++) {
      const hex = (): string =>
        Math.floor(r.next() * 2 ** 32)
          .toString(16)
          .padStart(8, '0');
      const cid = `${hex()}-${(this.nextId++ % 0x10000).toString(16).padStart(4, '0')}-4c0d-9e11-${hex()}${hex().slice(0, 4)}`;
      this.openIds.push(cid);
      this.emit({
        ...base,
        service: 'notify-handler',
        function_name: 'NotificationFunction',
        correlation_id: cid,
        status: 'START',
        message: 'order received',
      });
      this.emit({
        ...base,
        service: 'notify-handler',
        function_name: 'NotificationFunction',
        correlation_id: cid,
        status: 'COMPLETE',
        message: 'order-notify event sent',
      });
      this.emit({
        ...base,
        service: 'delivery-handler',
        function_name: 'DeliveryFunction',
        correlation_id: cid,
        status: 'START',
        message: 'delivering order',
      });
    }
    const pick = (): string | undefined => this.openIds[Math.floor(this.random.next() * this.openIds.length)];
    const courier = Math.min(this.maxCourierLines, c200 + c429 + c5xx);
    for (let i = 0; i < courier; i++) {
      const code = i < c200 ? 200 : i < c200 + c429 ? 429 : 502;
      this.emit({
        ...base,
        service: 'slow-api',
        correlation_id: pick(),
        statusCode: code,
        message:
          code === 200 ? 'delivery booked' : code === 429 ? 'Too Many Requests' : 'Internal server error',
      });
    }
    for (let i = 0; i < delivered && this.openIds.length > 0; i++) {
      const cid = this.openIds.shift()!;
      this.emit({
        ...base,
        service: 'delivery-handler',
        function_name: 'DeliveryFunction',
        correlation_id: cid,
        status: 'COMPLETE',
        message: 'order delivered',
      });
    }
    for (let i = 0; i < lost && this.openIds.length > 0; i++) {
      const cid = this.openIds.pop()!;
      this.emit({
        ...base,
        level: 'ERROR',
        service: 'delivery-handler',
        function_name: 'DeliveryFunction',
        correlation_id: cid,
        status: 'FAILED',
        message: 'gave up after 5 attempts: 429 Too Many Requests',
      });
    }
    if (this.openIds.length > 5000) this.openIds.splice(0, this.openIds.length - 5000);
  }

  emit(record: LogRecord): void {
    for (const l of this.listeners) l(record);
  }

  /** Closes `seconds` scenario seconds. */
  advance(seconds: number): void {
    for (let i = 0; i < seconds; i++) this.tick();
  }

  snapshot(): LabSnapshot {
    const p = this.phaseAt(this.t % TOTAL_S);
    const phase: PhaseInfo | undefined = p && {
      index: p.index,
      count: PHASES.length,
      name: p.phase.name,
      elapsedS: this.t,
      totalS: TOTAL_S,
    };
    const tot = this.totals;
    const requests = tot.gbSeconds; // a rough stand-in: one request per execution-second
    return {
      t: this.t,
      engine: 'virtual',
      state: p ? 'running' : 'draining',
      mode: this.mode,
      scenario: 'seed-article',
      phase,
      speed: this.options.speed,
      seed: this.options.seed,
      loadRate: this.loadRate(),
      loadFactor: this.loadFactor,
      loadPaused: this.paused,
      concurrencyLimit: this.options.concurrencyLimit,
      queueConcurrency: this.queueConcurrency,
      throttleRate: this.throttleRate,
      concurrency: { ...this.current, peak: tot.peak },
      orders: {
        accepted: tot.accepted,
        delivered: tot.delivered,
        lost: tot.lost,
        deadLettered: 0,
        inFlight: tot.accepted - tot.delivered - tot.lost,
        rejected: 0,
      },
      queue: {
        visible: this.queued,
        inFlight: 0,
        dlq: 0,
        oldestAgeS: this.queued > 0 ? Math.min(this.t, this.queued / 8) : 0,
      },
      courier: {
        requests: tot.requests,
        byStatus: { '200': tot.c200, '429': tot.c429, '502': tot.c5xx },
        up: true,
      },
      retries: { http: tot.retries, async: 0, redeliveries: 0 },
      cost: {
        requests: requests,
        gbSeconds: tot.gbSeconds,
        usd: requests * 0.2e-6 + tot.gbSeconds * 0.0000133334,
      },
      logFile: 'runs/synthetic.log',
      reportFile: 'runs/synthetic.json',
    };
  }

  series(): readonly SeriesRow[] {
    return this.rows;
  }

  subscribeLogs(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setMode(mode: Mode): void {
    this.calls.push({ name: 'setMode', args: [mode] });
    this.mode = mode;
  }

  setLoadFactor(factor: number): void {
    this.calls.push({ name: 'setLoadFactor', args: [factor] });
    this.loadFactor = factor;
  }

  setLoadPaused(paused: boolean): void {
    this.calls.push({ name: 'setLoadPaused', args: [paused] });
    this.paused = paused;
  }

  setQueueConcurrency(n: number): void {
    this.calls.push({ name: 'setQueueConcurrency', args: [n] });
    this.queueConcurrency = n;
  }

  setThrottleRate(rate: number): void {
    this.calls.push({ name: 'setThrottleRate', args: [rate] });
    this.throttleRate = rate;
  }

  async restart(): Promise<void> {
    this.calls.push({ name: 'restart', args: [] });
    this.rows = [];
    this.t = 0;
    this.pendingDelivery = 0;
    this.queued = 0;
    this.openIds = [];
    this.totals = {
      accepted: 0,
      delivered: 0,
      lost: 0,
      requests: 0,
      retries: 0,
      gbSeconds: 0,
      peak: 0,
      c200: 0,
      c429: 0,
      c5xx: 0,
    };
    this.current = { total: 0, notify: 0, delivery: 0 };
  }

  async writeSnapshot(): Promise<string> {
    this.calls.push({ name: 'writeSnapshot', args: [] });
    if (this.snapshotError) throw this.snapshotError;
    return `runs/synthetic-snapshot-${++this.snapshots}.json`;
  }
}
