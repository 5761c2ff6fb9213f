import type { Clock, Timer } from '../time/clock.js';
import type { Random } from '../time/random.js';
import type { LogRecord } from '../logs/log-record.js';
import type { LineOut } from '../logs/line-out.js';
import { scenarioTimestamp } from '../logs/log-writer.js';
import type { FunctionStatsMap } from '../metrics/function-stats.js';
import { AccountConcurrency } from './account-concurrency.js';
import type { SharedConcurrency } from '../pipeline/shared-parts.js';
import { EnvironmentPool } from './environment-pool.js';
import { gbSeconds } from './billing.js';
import { seededUuid } from './request-id.js';
import {
  functionLineBound,
  functionLogExtra,
  functionLogRecord,
  functionLogText,
  putFunctionLine,
} from './function-log.js';
import type { AbortControllerFactory } from './light-abort.js';
import type {
  Executor,
  FunctionConfig,
  FunctionKey,
  HandlerLog,
  HandlerOutcome,
  InvocationResult,
  InvokeOptions,
  TaskContext,
} from './function-types.js';

export interface LogSink {
  write(record: LogRecord): void;
  /** A record serialised by the caller, `record` built only if someone listens (LogWriter has it). */
  writeLine?(line: string, record: () => LogRecord): void;
  /** A line encoded in place (LogWriter has it): see LogWriter.beginLine. */
  beginLine?(maxBytes: number): LineOut | undefined;
  /** Ends it; true when someone listens, who is then given the record with `emit`. */
  endLine?(): boolean;
  emit?(record: LogRecord): void;
  /** False when no line would be seen (no file, no listener): records are not built at all. */
  readonly active?: boolean;
}

export interface FunctionRuntimeOptions {
  clock: Clock;
  random: Random;
  executor: Executor;
  concurrency: AccountConcurrency;
  functions: Record<FunctionKey, FunctionConfig>;
  /** Scenario ms an environment spends in init before its first invocation. */
  coldStartMs: number;
  /** Scenario ms after which an idle environment is reclaimed. */
  envIdleMs: number;
  stats: FunctionStatsMap;
  logs?: LogSink;
  /** Wall-clock ms of scenario time 0, for log timestamps. */
  startedAtMs?: number;
  /** The account's concurrency shared with other lab processes (--cluster), checked after the local one. */
  sharedConcurrency?: SharedConcurrency;
}

/** Error codes the runtime itself gives (handlers give their own). */
export const TIMEOUT_CODE = 'Sandbox.Timedout';
export const CRASH_CODE = 'Runtime.ExitError';
/** Scenario ms before the deadline within which a handler's own abort counts as the timeout. */
const DEADLINE_SLACK_MS = 1;
export const SHUTDOWN_CODE = 'StormLab.RunEnded';

/**
 * Lambda's execution semantics, on any executor: the account concurrency limit (a throttle when full),
 * environments reused while warm and created cold, the timeout enforced by aborting the handler, and
 * billing. It knows nothing of async retries or queues: those sit in front of `invoke`.
 */
type InvocationAbort = ReturnType<AbortControllerFactory>;

export class FunctionRuntime {
  private readonly pools: Record<FunctionKey, EnvironmentPool>;
  private readonly inFlight = new Set<InvocationAbort>();
  private closed = false;

  constructor(private readonly o: FunctionRuntimeOptions) {
    this.pools = {
      notify: new EnvironmentPool('notify', o.envIdleMs),
      delivery: new EnvironmentPool('delivery', o.envIdleMs),
    };
  }

  get concurrency(): AccountConcurrency {
    return this.o.concurrency;
  }

  environments(fn: FunctionKey): EnvironmentPool {
    return this.pools[fn];
  }

  /** One synchronous invoke (RequestResponse). Resolves with the outcome; never rejects. */
  async invoke(fn: FunctionKey, payload: unknown, options: InvokeOptions = {}): Promise<InvocationResult> {
    const { clock, concurrency, stats } = this.o;
    const config = this.o.functions[fn];
    const fnStats = stats[fn];
    if (this.closed) {
      return {
        status: 'error',
        code: SHUTDOWN_CODE,
        message: 'the run ended',
        requestId: '',
        durationMs: 0,
        coldStart: false,
      };
    }
    const shared = this.o.sharedConcurrency;
    let admitted = concurrency.tryAcquire(fn);
    if (admitted && shared && !(await shared.tryAcquire(fn).catch(() => false))) {
      concurrency.release(fn);
      admitted = false;
    }
    if (!admitted) {
      fnStats.throttles++;
      return {
        status: 'throttled',
        code: 'TooManyRequestsException',
        requestId: '',
        durationMs: 0,
        coldStart: false,
      };
    }
    const requestId = seededUuid(this.o.random);
    const startedAt = clock.now();
    const pool = this.pools[fn];
    const { env, cold } = pool.take(startedAt);
    const abort = this.o.executor.abortControllers?.() ?? new AbortController();
    this.inFlight.add(abort);
    let keepEnv = true;
    try {
      if (cold) {
        fnStats.coldStarts++;
        if (this.o.coldStartMs > 0) await clock.sleep(this.o.coldStartMs);
      }
      fnStats.invocations++;
      const handlerStart = clock.now();
      const context: TaskContext = {
        requestId,
        functionName: config.functionName,
        memoryMb: config.memoryMb,
        coldStart: cold,
        deadlineMs: handlerStart + config.timeoutMs,
        correlationId: options.correlationId,
        environmentId: env.id,
      };
      this.log(config, context, {
        at: handlerStart,
        level: 'INFO',
        message: `${config.service} START`,
        status: 'START',
      });
      const outcome = await this.runWithTimeout(fn, payload, context, abort, options, config.timeoutMs);
      if (this.closed) {
        // Cut off by the end of the run: neither a success nor a function error, so not counted.
        return {
          status: 'error',
          code: SHUTDOWN_CODE,
          message: 'the run ended',
          requestId,
          durationMs: 0,
          coldStart: cold,
        };
      }
      const end = clock.now();
      for (const line of outcome.logs) this.log(config, context, line);
      const durationMs = end - startedAt;
      fnStats.gbSeconds += gbSeconds(durationMs, config.memoryMb);
      if (outcome.ok) {
        fnStats.successes++;
        this.log(config, context, {
          at: end,
          level: 'INFO',
          message: `${config.service} COMPLETE`,
          status: 'COMPLETE',
        });
        return { status: 'ok', value: outcome.value, requestId, durationMs, coldStart: cold };
      }
      fnStats.errors++;
      const timedOut = outcome.code === TIMEOUT_CODE;
      if (timedOut) fnStats.timeouts++;
      if (timedOut || outcome.code === CRASH_CODE) keepEnv = false;
      this.log(config, context, {
        at: end,
        level: 'ERROR',
        message: `${config.service} FAILED: ${outcome.message}`,
        status: 'FAILED',
        extra: { error_code: outcome.code },
      });
      return {
        status: timedOut ? 'timeout' : 'error',
        code: outcome.code,
        message: outcome.message,
        requestId,
        durationMs,
        coldStart: cold,
      };
    } finally {
      this.inFlight.delete(abort);
      if (keepEnv) pool.give(env, clock.now());
      else pool.discard(env);
      concurrency.release(fn);
      // A release that cannot reach Redis is taken back with the node's lease if the node dies.
      if (shared) void shared.release(fn).catch(() => undefined);
    }
  }

  /** Ends the run: invocations still in progress are aborted and their outcomes are not counted. */
  close(reason: string): void {
    this.closed = true;
    for (const abort of this.inFlight) abort.abort(new Error(reason));
  }

  /**
   * Whether a handler's answer came within its deadline. A worker thread stops its handler at the deadline
   * on its own clock, and that answer (or a success just past the deadline) may reach this thread before its
   * timer fires: cut at the deadline, or done after it, is a timeout, whoever saw it first.
   */
  private inTime(outcome: HandlerOutcome, context: TaskContext): boolean {
    const endedAt = outcome.endedAtMs ?? this.o.clock.now();
    if (!outcome.ok && outcome.code === 'Aborted') return endedAt < context.deadlineMs - DEADLINE_SLACK_MS;
    return endedAt < context.deadlineMs;
  }

  get running(): number {
    return this.inFlight.size;
  }

  private runWithTimeout(
    fn: FunctionKey,
    payload: unknown,
    context: TaskContext,
    abort: InvocationAbort,
    options: InvokeOptions,
    timeoutMs: number,
  ): Promise<HandlerOutcome> {
    return new Promise<HandlerOutcome>((resolve) => {
      let settled = false;
      let timer: Timer | undefined = undefined;
      const finish = (outcome: HandlerOutcome): void => {
        if (settled) return;
        settled = true;
        timer?.cancel();
        resolve(outcome);
      };
      const message = (): string => `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`;
      const timedOut = (late: HandlerOutcome): HandlerOutcome => ({
        ok: false,
        code: TIMEOUT_CODE,
        message: message(),
        logs: late.logs,
      });
      timer = this.o.clock.setTimeout(() => {
        abort.abort(new Error(message()));
        finish({ ok: false, code: TIMEOUT_CODE, message: message(), logs: [] });
      }, timeoutMs);
      this.o.executor.run(fn, payload, context, abort.signal, options).then(
        (outcome) => finish(this.inTime(outcome, context) ? outcome : timedOut(outcome)),
        (err: unknown) => {
          const message = abort.signal.aborted
            ? String((abort.signal.reason as Error)?.message ?? abort.signal.reason)
            : `worker failed: ${(err as Error)?.message ?? String(err)}`;
          finish({ ok: false, code: abort.signal.aborted ? 'Aborted' : CRASH_CODE, message, logs: [] });
        },
      );
    });
  }

  private log(config: FunctionConfig, context: TaskContext, line: HandlerLog): void {
    const sink = this.o.logs;
    if (!sink || sink.active === false) return;
    const timestamp = scenarioTimestamp(this.o.startedAtMs ?? 0, line.at);
    if (sink.writeLine) {
      const extra = functionLogExtra(line);
      const out = extra !== undefined && sink.beginLine?.(functionLineBound(config, context, line, extra));
      if (out) {
        putFunctionLine(out, config, context, line, timestamp, extra!);
        if (sink.endLine!()) sink.emit!(functionLogRecord(config, context, line, timestamp));
        return;
      }
      sink.writeLine(functionLogText(config, context, line, timestamp), () =>
        functionLogRecord(config, context, line, timestamp),
      );
    } else sink.write(functionLogRecord(config, context, line, timestamp));
  }
}
