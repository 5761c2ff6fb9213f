/**
 * Shared pieces of the benchmarks: a median, a table printer, the results.json merge, and an HTTP load
 * driver (one undici Pool, N requests in flight) that can run in a worker thread of its own, so the
 * server under test gets the main thread's core to itself and the figure measures the server, not the
 * client sharing its event loop.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Pool } from 'undici';
import { workerEntry } from '../lab/courier/worker-entry.js';

export type Figures = Record<string, number | string | boolean>;

export interface BenchContext {
  /** `--full`: more and longer rounds. The quick mode keeps the whole bench under 3 minutes. */
  full: boolean;
  /** Progress lines (stderr), so stdout stays the table. */
  log(message: string): void;
}

/**
 * A bench section: a module `bench/<name>-bench.ts` whose default export returns figures under stable
 * dotted keys (`courier.ratioVsBare`); bench/run.ts finds, runs and merges them.
 */
export type BenchSection = (ctx: BenchContext) => Promise<Figures>;

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Rounds to `digits` significant-looking decimals for display and results.json. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Prints rows as a plain aligned table (first column left, the rest right). */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const all = [header, ...rows].map((r) => r.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(all[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

/**
 * Merges `figures` into the JSON file at `path`: keys present in `figures` replace old values, other keys
 * (sections not run this time) stay, except old keys starting with one of `replacedPrefixes` (the sections
 * that ran: a figure they no longer give must not linger). Keys are sorted so diffs stay readable.
 */
export function mergeResults(
  path: string,
  figures: Figures,
  replacedPrefixes: readonly string[] = [],
): Figures {
  let old: Figures = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) old = parsed as Figures;
  } catch {
    // No file yet, or an unreadable one: start afresh.
  }
  for (const key of Object.keys(old)) {
    if (replacedPrefixes.some((prefix) => key.startsWith(prefix))) delete old[key];
  }
  const merged: Figures = { ...old, ...figures };
  const sorted = Object.fromEntries(
    Object.keys(merged)
      .sort()
      .map((k) => [k, merged[k]!]),
  );
  writeFileSync(path, JSON.stringify(sorted, null, 2) + '\n');
  return sorted;
}

/**
 * CPU milliseconds the calling thread has used (user + system), from /proc/thread-self/stat (Linux; 10 ms
 * ticks), or undefined elsewhere. Unlike throughput, a thread's CPU per request barely moves when other
 * processes compete for the cores, and it sees the server's cost even when the client is the bottleneck.
 */
export function threadCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the ")" closing the thread name: state is field 3, utime 14 and stime 15 (1-based).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_S = 100;

export interface LoadSpec {
  /** Origin of the server, e.g. http://127.0.0.1:1234. */
  origin: string;
  path: string;
  method?: 'POST' | 'GET';
  headers?: Record<string, string>;
  body?: string;
  /** Requests in flight at once. */
  concurrency: number;
  /** Real milliseconds to keep sending. */
  durationMs: number;
  /**
   * Real milliseconds each loop waits after an answer before its next request (paces the offered load);
   * the loops' starts are then spread over one gap, so that their requests interleave. @default 0
   */
  gapMs?: number;
}

export interface LoadResult {
  requests: number;
  elapsedMs: number;
  rps: number;
  byStatus: Record<string, number>;
  errors: number;
}

const pools = new Map<string, Pool>();

/** Drives `spec` from this thread: `concurrency` loops, each one request after the other. */
export async function driveLoad(spec: LoadSpec): Promise<LoadResult> {
  let pool = pools.get(spec.origin);
  if (!pool) {
    pool = new Pool(spec.origin, { connections: spec.concurrency, pipelining: 1 });
    pools.set(spec.origin, pool);
  }
  const byStatus: Record<string, number> = {};
  let requests = 0;
  let errors = 0;
  const started = performance.now();
  const end = started + spec.durationMs;
  const options = { path: spec.path, method: spec.method ?? 'POST', headers: spec.headers, body: spec.body };
  const gapMs = spec.gapMs ?? 0;
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  const loop = async (_: unknown, i: number): Promise<void> => {
    if (gapMs > 0) await sleep((i * gapMs) / spec.concurrency);
    while (performance.now() < end) {
      try {
        const res = await pool.request(options);
        await res.body.dump();
        byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
        requests++;
      } catch {
        errors++;
      }
      if (gapMs > 0) await sleep(gapMs);
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, loop));
  const elapsedMs = performance.now() - started;
  return { requests, elapsedMs, rps: (requests / elapsedMs) * 1000, byStatus, errors };
}

export async function closePools(): Promise<void> {
  await Promise.all([...pools.values()].map((p) => p.close()));
  pools.clear();
}

type DriverMessage = { id: number; spec: LoadSpec } | { id: number; close: true };
type DriverReply = { id: number; result?: LoadResult; error?: string };

/** A load driver in its own worker thread; one run at a time. */
export class LoadDriverThread {
  private readonly worker: Worker;
  private seq = 0;
  private readonly waiting = new Map<number, (reply: DriverReply) => void>();

  constructor() {
    // This very module is the worker (its guarded tail below).
    this.worker = new Worker(workerEntry(import.meta.url, './bench-utils'), {
      workerData: { stormlabBenchDriver: true },
    });
    this.worker.on('message', (reply: DriverReply) => {
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
  }

  private call(message: Omit<DriverMessage, 'id'>): Promise<DriverReply> {
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ ...message, id });
    });
  }

  async run(spec: LoadSpec): Promise<LoadResult> {
    const reply = await this.call({ spec });
    if (!reply.result) throw new Error(`load driver: ${reply.error ?? 'no result'}`);
    return reply.result;
  }

  async close(): Promise<void> {
    await this.call({ close: true });
    await this.worker.terminate();
  }
}

// Worker side: runs only in a thread started by LoadDriverThread.
if (!isMainThread && parentPort && (workerData as { stormlabBenchDriver?: boolean })?.stormlabBenchDriver) {
  const port = parentPort;
  port.on('message', (message: DriverMessage) => {
    if ('close' in message) {
      void closePools().then(() => port.postMessage({ id: message.id }));
      return;
    }
    driveLoad(message.spec).then(
      (result) => port.postMessage({ id: message.id, result } satisfies DriverReply),
      (err: unknown) => port.postMessage({ id: message.id, error: String(err) } satisfies DriverReply),
    );
  });
}
