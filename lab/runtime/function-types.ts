import type { AbortControllerFactory } from './light-abort.js';
/** The two functions of the seed architecture and what passes between the runtime and a handler. */
export type FunctionKey = 'notify' | 'delivery';

export interface FunctionConfig {
  key: FunctionKey;
  /** As Lambda names it (logs, reports). */
  functionName: string;
  service: 'notify-handler' | 'delivery-handler';
  timeoutMs: number;
  memoryMb: number;
}

/** What a handler knows about its invocation (Lambda's context object). */
export interface TaskContext {
  requestId: string;
  functionName: string;
  memoryMb: number;
  coldStart: boolean;
  /** Scenario ms at which the runtime times the invocation out. */
  deadlineMs: number;
  correlationId: string | undefined;
  /** The execution environment running it ("delivery-17"): per-environment retry budgets and breakers. */
  environmentId?: string;
}

/** A line a handler logs; the runtime stamps it with the Lambda context. Time in scenario ms. */
export interface HandlerLog {
  at: number;
  level: 'INFO' | 'WARN' | 'ERROR';
  message: string;
  status?: 'START' | 'COMPLETE' | 'FAILED';
  extra?: Record<string, unknown>;
}

/**
 * Handlers report expected failures as values: an error thrown inside a worker thread reaches the main
 * thread as a plain Error without its code.
 */
export type HandlerOutcome = (
  | { ok: true; value: unknown; logs: HandlerLog[] }
  | { ok: false; code: string; message: string; logs: HandlerLog[] }
) & {
  /**
   * Scenario ms at which the handler returned, on its own thread's clock (a worker thread's answer takes a
   * moment to reach the runtime); the runtime's own clock when absent.
   */
  endedAtMs?: number;
};

export interface InvokeOptions {
  correlationId?: string;
  /** Throttle mode: every courier call waits for a token from the client-side bucket. */
  throttle?: boolean;
}

/** Runs one handler somewhere (a piscina pool in the lab, the test's own code on a virtual clock). */
export interface Executor {
  run(
    fn: FunctionKey,
    payload: unknown,
    context: TaskContext,
    signal: AbortSignal,
    options: InvokeOptions,
  ): Promise<HandlerOutcome>;
  /** The invocations' abort controllers, when Node's are not needed (a run in one thread). */
  readonly abortControllers?: AbortControllerFactory;
}

export type InvocationStatus = 'ok' | 'error' | 'timeout' | 'throttled';

export interface InvocationResult {
  status: InvocationStatus;
  value?: unknown;
  code?: string;
  message?: string;
  requestId: string;
  /** Scenario ms from start of init (or handler) to the end; 0 when throttled. */
  durationMs: number;
  coldStart: boolean;
}
