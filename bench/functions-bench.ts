/**
 * The function path: empty invocations through the lab's FunctionRuntime (Lambda semantics: account
 * concurrency, environments, request ids, the timeout timer, START/COMPLETE log lines) on its
 * PiscinaExecutor (real threads), against raw `piscina.run()` of the same task on an equally configured
 * pool (same worker file, threads, tasks per thread, workerData). The task is the notify handler with an
 * empty body: it only builds its answer, so the figure measures the path, not the handler.
 *
 * Figures, each the median of interleaved rounds (the order of the targets rotates each round):
 * - `functions.ratioVsPiscina`: invocations per second through the runtime over raw piscina, with
 *   CONCURRENCY invocations in flight (median of the round-by-round ratios);
 * - `functions.overheadUs`: the runtime's added latency per invocation, one invocation at a time (median
 *   latency through the runtime minus median latency of raw `piscina.run()`, in microseconds);
 * - the main thread's CPU per invocation for both, and the same ratio without the log writer.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { labOptionsWith } from '../lab/config/parse-options.js';
import { LogWriter } from '../lab/logs/log-writer.js';
import { newFunctionStats } from '../lab/metrics/function-stats.js';
import { functionConfigsFor } from '../lab/pipeline/pipeline.js';
import { AccountConcurrency } from '../lab/runtime/account-concurrency.js';
import { FunctionRuntime } from '../lab/runtime/function-runtime.js';
import type { TaskContext } from '../lab/runtime/function-types.js';
import { PiscinaExecutor, workerFile } from '../lab/runtime/piscina-executor.js';
import { WorkerCounters } from '../lab/runtime/worker-counters.js';
import { ClockOrigin, RealClock } from '../lab/time/clock.js';
import { SeededRandom } from '../lab/time/random.js';
import type { FunctionTask, FunctionWorkerData } from '../workers/function-worker.js';
import { median, round, threadCpuMs, type BenchContext, type Figures } from './bench-utils.js';

/** Invocations in flight at once in the throughput rounds: enough to keep both threads busy. */
const CONCURRENCY = 64;
/** Threads per pool, as the lab's executor uses by default. */
const THREADS = 2;
/** Far above CONCURRENCY: the account limit never throttles here. */
const CONCURRENCY_LIMIT = 100_000;
const PAYLOAD = { body: {} };

/** One way of running an empty invocation. */
interface Target {
  name: string;
  invoke(): Promise<unknown>;
  close(): Promise<void>;
}

function workerDataFor(clock: RealClock): FunctionWorkerData {
  const options = labOptionsWith();
  return {
    speed: 1,
    origin: clock.origin.buffer,
    seed: 1,
    apiKey: options.courier.apiKey,
    retryPolicy: options.retryPolicy,
    counters: new WorkerCounters().buffer,
  };
}

/** Raw piscina: the pool PiscinaExecutor builds, with the task it would send, run directly. */
function rawPiscina(clock: RealClock): Target {
  const pool = new Piscina({
    filename: workerFile('function-worker'),
    minThreads: THREADS,
    maxThreads: THREADS,
    concurrentTasksPerWorker: Math.ceil(CONCURRENCY_LIMIT / THREADS) + 16,
    idleTimeout: 60_000,
    atomics: 'disabled',
    workerData: workerDataFor(clock),
  });
  const context: TaskContext = {
    requestId: '8a1d3f52-6b7c-4e2a-9f10-0c2d3e4f5a6b',
    functionName: 'NotificationFunction',
    memoryMb: 1024,
    coldStart: false,
    deadlineMs: 29_000,
    correlationId: undefined,
  };
  const payload = JSON.stringify(PAYLOAD);
  return {
    name: 'piscina',
    // A fresh task object each call, as the executor builds one per invocation.
    invoke: () => pool.run({ fn: 'notify', payload, context } satisfies FunctionTask),
    close: () => pool.destroy(),
  };
}

/** The lab's runtime on its executor; `logFile` undefined runs it without a log sink. */
async function labRuntime(name: string, clock: RealClock, logFile: string | undefined): Promise<Target> {
  const options = labOptionsWith();
  const executor = new PiscinaExecutor({
    workerData: workerDataFor(clock),
    maxInFlight: CONCURRENCY_LIMIT,
    threads: THREADS,
  });
  await executor.warmUp();
  const logs = logFile ? new LogWriter({ file: logFile }) : undefined;
  const runtime = new FunctionRuntime({
    clock,
    random: new SeededRandom(1),
    executor,
    concurrency: new AccountConcurrency(CONCURRENCY_LIMIT),
    functions: functionConfigsFor(options),
    coldStartMs: 0,
    envIdleMs: options.envIdleS * 1000,
    stats: newFunctionStats(),
    logs,
    startedAtMs: Date.now(),
  });
  return {
    name,
    invoke: async () => {
      const result = await runtime.invoke('notify', PAYLOAD);
      if (result.status !== 'ok') throw new Error(`${name}: invocation ${result.status}: ${result.message}`);
      return result;
    },
    close: async () => {
      runtime.close('bench over');
      await executor.close();
      await logs?.close();
    },
  };
}

interface Throughput {
  perS: number;
  /** Main-thread CPU microseconds per invocation (undefined off Linux). */
  cpuUs: number | undefined;
}

/** `CONCURRENCY` loops, each invoking one after the other, for `durationMs`. */
async function throughput(target: Target, durationMs: number): Promise<Throughput> {
  let count = 0;
  const cpu0 = threadCpuMs();
  const started = performance.now();
  const end = started + durationMs;
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      await target.invoke();
      count++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  const elapsed = performance.now() - started;
  const cpu1 = threadCpuMs();
  return {
    perS: (count / elapsed) * 1000,
    cpuUs: cpu0 === undefined || cpu1 === undefined ? undefined : ((cpu1 - cpu0) * 1000) / count,
  };
}

/**
 * Median latency in microseconds of `n` invocations made one after the other (the median, so that a
 * garbage collection or a neighbour's burst of CPU in the middle does not move the figure).
 */
async function latencyUs(target: Target, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await target.invoke();
    times.push((performance.now() - started) * 1000);
  }
  return median(times);
}

function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((x, i) => x / b[i]!));
}

export default async function functionsBench(ctx: BenchContext): Promise<Figures> {
  const rounds = ctx.full ? 15 : 5;
  const durationMs = ctx.full ? 1500 : 400;
  const sequential = ctx.full ? 2000 : 500;
  const clock = new RealClock({ speed: 1, origin: new ClockOrigin() });
  const logFile = join(tmpdir(), `stormlab-functions-bench-${process.pid}.jsonl`);
  const targets: Target[] = [];
  try {
    targets.push(rawPiscina(clock));
    targets.push(await labRuntime('runtime', clock, logFile));
    targets.push(await labRuntime('runtimeNoLogs', clock, undefined));
    const perS = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    const cpu = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    const lat = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    // Warm-up: threads loaded, code compiled on both sides.
    for (const t of targets) {
      await throughput(t, 300);
      await latencyUs(t, 200);
    }
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < targets.length; i++) {
        const t = targets[(r + i) % targets.length]!;
        const result = await throughput(t, durationMs);
        perS.get(t.name)!.push(result.perS);
        if (result.cpuUs !== undefined) cpu.get(t.name)!.push(result.cpuUs);
        lat.get(t.name)!.push(await latencyUs(t, sequential));
      }
      ctx.log(
        `functions bench round ${r + 1}/${rounds}: ` +
          targets
            .map(
              (t) =>
                `${t.name} ${Math.round(perS.get(t.name)!.at(-1)!)}/s ${lat.get(t.name)!.at(-1)!.toFixed(0)} us`,
            )
            .join(', '),
      );
    }
    const raw = perS.get('piscina')!;
    const out: Figures = {
      'functions.ratioVsPiscina': round(pairedRatio(perS.get('runtime')!, raw)),
      'functions.overheadUs': round(
        median(lat.get('runtime')!.map((x, i) => x - lat.get('piscina')![i]!)),
        1,
      ),
      'functions.perSPiscina': Math.round(median(raw)),
      'functions.perSRuntime': Math.round(median(perS.get('runtime')!)),
      'functions.latencyUsPiscina': round(median(lat.get('piscina')!), 1),
      'functions.latencyUsRuntime': round(median(lat.get('runtime')!), 1),
      'functions.ratioVsPiscinaNoLogs': round(pairedRatio(perS.get('runtimeNoLogs')!, raw)),
      'functions.overheadUsNoLogs': round(
        median(lat.get('runtimeNoLogs')!.map((x, i) => x - lat.get('piscina')![i]!)),
        1,
      ),
      'functions.rounds': rounds,
      'functions.roundMs': durationMs,
      'functions.concurrency': CONCURRENCY,
      'functions.threads': THREADS,
    };
    if (cpu.get('piscina')!.length > 0) {
      out['functions.mainCpuUsPerInvocationPiscina'] = round(median(cpu.get('piscina')!), 1);
      out['functions.mainCpuUsPerInvocationRuntime'] = round(median(cpu.get('runtime')!), 1);
    }
    return out;
  } finally {
    for (const t of targets) await t.close();
    rmSync(logFile, { force: true });
  }
}
