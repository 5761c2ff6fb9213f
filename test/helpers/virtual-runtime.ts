import { VirtualClock } from '../../lab/time/clock.js';
import { SeededRandom } from '../../lab/time/random.js';
import { AccountConcurrency } from '../../lab/runtime/account-concurrency.js';
import { FunctionRuntime } from '../../lab/runtime/function-runtime.js';
import { newFunctionStats } from '../../lab/metrics/function-stats.js';
import type {
  Executor,
  FunctionConfig,
  FunctionKey,
  HandlerOutcome,
  InvocationResult,
  TaskContext,
} from '../../lab/runtime/function-types.js';

/** A handler for virtual-clock tests: decides its own outcome, and may wait on the clock. */
export type TestHandler = (
  fn: FunctionKey,
  payload: unknown,
  context: TaskContext,
  signal: AbortSignal,
  clock: VirtualClock,
) => Promise<HandlerOutcome>;

export interface RuntimeRig {
  clock: VirtualClock;
  runtime: FunctionRuntime;
  concurrency: AccountConcurrency;
  stats: ReturnType<typeof newFunctionStats>;
  /** Handler starts, in order: [scenario ms, fn, requestId, coldStart]. */
  starts: { at: number; fn: FunctionKey; context: TaskContext }[];
  maxRunning: number;
}

export function functionConfigs(timeoutMs = 29_000, memoryMb = 1024): Record<FunctionKey, FunctionConfig> {
  return {
    notify: {
      key: 'notify',
      functionName: 'NotificationFunction',
      service: 'notify-handler',
      timeoutMs,
      memoryMb,
    },
    delivery: {
      key: 'delivery',
      functionName: 'DeliveryFunction',
      service: 'delivery-handler',
      timeoutMs,
      memoryMb,
    },
  };
}

export function runtimeRig(
  handler: TestHandler,
  options: { limit?: number; coldStartMs?: number; envIdleMs?: number; timeoutMs?: number } = {},
): RuntimeRig {
  const clock = new VirtualClock();
  const concurrency = new AccountConcurrency(options.limit ?? 1000);
  const stats = newFunctionStats();
  const rig: Partial<RuntimeRig> & { starts: RuntimeRig['starts']; maxRunning: number } = {
    starts: [],
    maxRunning: 0,
  };
  let running = 0;
  const executor: Executor = {
    async run(fn, payload, context, signal) {
      rig.starts.push({ at: clock.now(), fn, context });
      running++;
      rig.maxRunning = Math.max(rig.maxRunning, running);
      try {
        return await handler(fn, payload, context, signal, clock);
      } finally {
        running--;
      }
    },
  };
  const runtime = new FunctionRuntime({
    clock,
    random: new SeededRandom(1),
    executor,
    concurrency,
    functions: functionConfigs(options.timeoutMs),
    coldStartMs: options.coldStartMs ?? 400,
    envIdleMs: options.envIdleMs ?? 600_000,
    stats,
  });
  return Object.assign(rig, { clock, runtime, concurrency, stats }) as RuntimeRig;
}

/** One invocation, the clock run until nothing is left to do, and its result. */
export async function invokeToEnd(rig: RuntimeRig, fn: FunctionKey = 'delivery'): Promise<InvocationResult> {
  const result = rig.runtime.invoke(fn, {});
  await rig.clock.runAll();
  return result;
}

export const ok = (value: unknown = null): HandlerOutcome => ({ ok: true, value, logs: [] });
export const fail = (code = 'CourierError'): HandlerOutcome => ({ ok: false, code, message: code, logs: [] });
