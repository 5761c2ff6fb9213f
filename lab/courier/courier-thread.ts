/**
 * The lab's handle on the courier running in its own worker thread (so drawing the dashboard never delays
 * its answers). Counters live in shared memory owned here, so they survive a thread that dies; a thread
 * that dies unexpectedly is restarted on the same port, so the lab's courier URL stays valid.
 */
import { EventEmitter } from 'node:events';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { CourierOptions } from '../config/parse-options.js';
import type {
  CourierWorkerCommand,
  CourierWorkerData,
  CourierWorkerReply,
} from '../../workers/courier-worker.js';
import { CourierStats, type CourierStatsSnapshot } from './courier-stats.js';
import { projectWorkerEntry } from './worker-entry.js';
import type { CourierFaultChange, CourierFaultTarget } from './courier-controls.js';
import type { LatencyRange } from '../config/parse-options.js';

export interface CourierThreadOptions {
  options: CourierOptions;
  /** Scenario ms per real ms, as the lab's RealClock. */
  speed: number;
  /** The lab clock's origin (RealClock.originWallMs), so both threads agree on scenario time. */
  originWallMs: number;
  /** A shared origin (ClockOrigin.buffer) instead: follows the lab when it moves scenario time 0. */
  origin?: SharedArrayBuffer;
  /** Wall ms the run started at (log timestamps are this plus scenario time). @default Date.now() */
  startedAtMs?: number;
  seed: number;
  /** Heap limits of the thread (the threads engine keeps its young generation small). */
  resourceLimits?: ResourceLimits;
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port (kept across restarts). @default 0 */
  port?: number;
  /** The run's log file; the thread appends its `slow-api` lines in whole batches. */
  logFile?: string | undefined;
  /** Send the `slow-api` lines here too, as `logs` events (a dashboard's log pane). */
  forwardLogs?: boolean;
}

export interface CourierDownEvent {
  exitCode: number;
  error: Error | undefined;
}

export interface CourierUpEvent {
  url: string;
  /** Restarts so far (0 for the first start). */
  restarts: number;
}

interface CourierThreadEvents {
  down: [CourierDownEvent];
  up: [CourierUpEvent];
  /** Newline-separated `slow-api` JSON lines, with `forwardLogs`. */
  logs: [string];
}

/** Real ms to wait for a thread to close its server and flush its logs before it is terminated. */
const STOP_GRACE_MS = 2000;
/** Real ms before restart attempts: grows while restarts keep failing, so a crash loop cannot spin. */
const RESTART_DELAYS_MS = [0, 50, 100, 250, 500, 1000, 2000];
/** Attempts to get the old port back (a dying thread may still hold it briefly) before taking any port. */
const SAME_PORT_ATTEMPTS = 5;

const WORKER_ENTRY = projectWorkerEntry('workers/courier-worker');

export class CourierError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
  override name = 'CourierError';
}

export class CourierThread extends EventEmitter<CourierThreadEvents> implements CourierFaultTarget {
  private readonly config: CourierThreadOptions;
  private readonly shared = new CourierStats();
  private readonly startedAtMs: number;
  private worker: Worker | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stopping = false;
  private isUp = false;
  private generation = 0;
  private failedRestarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private currentUrl: string | undefined;
  private port: number;
  private lastError: Error | undefined;
  /** The latest change per kind: a restarted thread starts with the faults in force. */
  private readonly faultsInForce = new Map<CourierFaultChange['method'], CourierFaultChange>();
  /** Resolvers of changes sent and not yet acknowledged, in order (a thread answers messages in order). */
  private faultAcks: (() => void)[] = [];
  /** Correlation ids the courier answered 200, over every thread it ran in. */
  readonly deliveredIds = new Set<string>();

  constructor(config: CourierThreadOptions) {
    super();
    this.config = config;
    this.port = config.port ?? 0;
    this.startedAtMs = config.startedAtMs ?? Date.now();
  }

  /** True while a thread is listening. */
  get up(): boolean {
    return this.isUp;
  }

  /** The courier's URL (without the path), once started. */
  get url(): string | undefined {
    return this.currentUrl;
  }

  /** Starts the thread; resolves to its URL once it accepts requests. */
  async start(): Promise<string> {
    if (this.worker) throw new Error('CourierThread already started');
    this.stopping = false;
    return this.spawn(this.port);
  }

  /** Counters in shared memory; cheap enough to call every frame. */
  stats(): CourierStatsSnapshot {
    return this.shared.snapshot();
  }

  /** Sends a fault change to the courier's thread (a message: its state lives there). */
  /** Resolves once the thread has applied it (at once when no thread runs: the next one starts with it). */
  applyFault(change: CourierFaultChange): Promise<void> {
    this.faultsInForce.set(change.method, change);
    const worker = this.worker;
    if (!worker) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.faultAcks.push(resolve);
      worker.postMessage({ type: 'fault', change } satisfies CourierWorkerCommand);
    });
  }

  setCourierUp(up: boolean): void {
    void this.applyFault({ method: 'setCourierUp', value: up });
  }

  setCourierLatency(range: LatencyRange | undefined): void {
    void this.applyFault({ method: 'setCourierLatency', value: range });
  }

  setCourierFailureRate(rate: number | undefined): void {
    void this.applyFault({ method: 'setCourierFailureRate', value: rate });
  }

  setCourierRate(rate: number | undefined): void {
    void this.applyFault({ method: 'setCourierRate', value: rate });
  }

  /** Terminates the thread as a crash would (for fault tests); it is restarted. Resolves once it is gone. */
  async kill(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = this.exited;
    await worker.terminate();
    await exited;
  }

  /** Stops for good: the thread closes its server and flushes its logs, then exits. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return;
    const exited = this.exited;
    const stopped = new Promise<void>((resolve) => {
      const onMessage = (reply: CourierWorkerReply): void => {
        if (reply.type === 'stopped') resolve();
      };
      worker.on('message', onMessage);
      void exited.then(resolve);
    });
    worker.postMessage({ type: 'stop' } satisfies CourierWorkerCommand);
    const grace = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
    await stopped;
    clearTimeout(grace);
    await worker.terminate();
    await exited;
  }

  private spawn(port: number): Promise<string> {
    const data: CourierWorkerData = {
      courierWorker: true,
      options: this.config.options,
      speed: this.config.speed,
      originWallMs: this.config.originWallMs,
      origin: this.config.origin,
      startedAtMs: this.startedAtMs,
      seed: this.config.seed,
      generation: this.generation++,
      host: this.config.host ?? '127.0.0.1',
      port,
      logFile: this.config.logFile,
      stats: this.shared.buffer,
      faults: [...this.faultsInForce.values()],
      forwardLogs: this.config.forwardLogs ?? false,
    };
    const worker = new Worker(WORKER_ENTRY, {
      workerData: data,
      ...(this.config.resourceLimits && { resourceLimits: this.config.resourceLimits }),
    });
    this.worker = worker;
    this.lastError = undefined;
    return new Promise<string>((resolve, reject) => {
      let listening = false;
      worker.on('message', (reply: CourierWorkerReply) => {
        if (reply.type === 'listening') {
          listening = true;
          this.port = reply.port;
          this.currentUrl = reply.url;
          this.isUp = true;
          this.failedRestarts = 0;
          this.emit('up', { url: reply.url, restarts: data.generation });
          resolve(reply.url);
        } else if (reply.type === 'fault-applied') {
          this.faultAcks.shift()?.();
        } else if (reply.type === 'delivered') {
          for (const id of reply.ids) this.deliveredIds.add(id);
        } else if (reply.type === 'logs') {
          this.emit('logs', reply.text);
        } else if (reply.type === 'listen-error') {
          this.lastError = new CourierError(reply.code, reply.message);
        }
      });
      worker.on('error', (err) => {
        this.lastError = err;
      });
      this.exited = new Promise<void>((exitedResolve) => {
        worker.once('exit', (exitCode) => {
          if (this.worker === worker) this.worker = undefined;
          const wasUp = this.isUp;
          this.isUp = false;
          // A thread gone with changes unanswered: the next one starts with them (faultsInForce).
          for (const ack of this.faultAcks.splice(0)) ack();
          exitedResolve();
          if (!listening) {
            const err =
              this.lastError ??
              new CourierError('ERR_COURIER_EXIT', `courier thread exited with ${exitCode}`);
            reject(err);
          }
          if (this.stopping) return;
          if (wasUp) this.emit('down', { exitCode, error: this.lastError });
          // A thread that never listened on the first start is the caller's error (start() rejects);
          // after that, keep the courier alive.
          if (listening || data.generation > 0) this.scheduleRestart();
        });
      });
    });
  }

  private scheduleRestart(): void {
    const attempt = this.failedRestarts++;
    const delay = RESTART_DELAYS_MS[Math.min(attempt, RESTART_DELAYS_MS.length - 1)]!;
    const port = attempt < SAME_PORT_ATTEMPTS ? this.port : 0;
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      // A failure is seen through the exit handler, which schedules the next attempt.
      this.spawn(port).catch(() => undefined);
    }, delay);
  }
}
