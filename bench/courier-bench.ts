/**
 * Courier throughput against a bare node:http server answering the same request with a body of the same
 * size, both driven by the same undici client (in a worker thread of its own) in interleaved rounds.
 * Figures: median requests per second of the rounds, and the ratio courier / bare (median of the
 * round-by-round ratios), for throttled traffic (every answer a 429 from a tiny bucket) and for
 * instant-success traffic (no failures, latency 0-0). The courier logs as it does in a run (to a
 * temporary file).
 *
 * Also the server thread's CPU per request and its ratio (bare / courier: how many requests a CPU-second
 * serves, relative to bare). On a machine with few cores the client thread is the bottleneck, which pulls
 * the throughput ratio towards 1 whatever the server costs; CPU per request still shows the difference.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { labOptionsWith, type CourierOptions } from '../lab/config/parse-options.js';
import { THROTTLED_BODY, successBody } from '../lab/courier/courier-policy.js';
import { startCourierServer, type CourierServer } from '../lab/courier/courier-server.js';
import { CourierThread } from '../lab/courier/courier-thread.js';
import { LogWriter } from '../lab/logs/log-writer.js';
import { RealClock, wallNowMs } from '../lab/time/clock.js';
import { SeededRandom } from '../lab/time/random.js';
import {
  LoadDriverThread,
  median,
  round,
  threadCpuMs,
  type BenchContext,
  type Figures,
  type LoadSpec,
} from './bench-utils.js';

const API_KEY = 'bench-key';
/** Requests in flight at once (and pool connections): enough to keep one server thread busy. */
const CONCURRENCY = 32;

interface Target {
  name: string;
  origin: string;
  /** Served by this thread, so its CPU per request can be read here. */
  onThisThread: boolean;
  close(): Promise<void>;
}

function startBare(status: number, body: string): Promise<Target> {
  const length = String(Buffer.byteLength(body));
  const server: Server = createServer((_req, res) => {
    res.writeHead(status, ['content-type', 'application/json', 'content-length', length]);
    res.end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        name: 'bare',
        onThisThread: true,
        origin: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function startCourier(name: string, options: CourierOptions, logFile: string): Promise<Target> {
  const logWriter = new LogWriter({ file: logFile });
  const server: CourierServer = await startCourierServer({
    options,
    clock: new RealClock({ speed: 1 }),
    random: new SeededRandom(1),
    logWriter,
  });
  return {
    name,
    onThisThread: true,
    origin: server.url,
    close: async () => {
      await server.close();
      await logWriter.close();
    },
  };
}

async function startCourierThread(options: CourierOptions, logFile: string): Promise<Target> {
  const thread = new CourierThread({
    options,
    speed: 1,
    originWallMs: wallNowMs(),
    seed: 1,
    startedAtMs: Date.now(),
    logFile,
  });
  const url = await thread.start();
  return { name: 'courier-thread', onThisThread: false, origin: url, close: () => thread.stop() };
}

interface Runs {
  /** Requests per second, one per round. */
  rps: number[];
  /** Server-thread CPU microseconds per request, one per round (targets on this thread only). */
  cpuUs: number[];
}

/**
 * Runs `rounds` rounds over every target, rotating the order each round, so that slow drifts of the
 * machine hit every target alike; a round's figures for two targets were measured seconds apart.
 */
async function interleave(
  driver: LoadDriverThread,
  targets: readonly Target[],
  spec: Omit<LoadSpec, 'origin'>,
  rounds: number,
  expectStatus: number,
  ctx: BenchContext,
): Promise<Map<string, Runs>> {
  const runs = new Map<string, Runs>(targets.map((t) => [t.name, { rps: [], cpuUs: [] }]));
  for (const t of targets) await driver.run({ ...spec, origin: t.origin, durationMs: 300 }); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < targets.length; i++) {
      const t = targets[(r + i) % targets.length]!;
      const cpuBefore = threadCpuMs();
      const result = await driver.run({ ...spec, origin: t.origin });
      const cpuAfter = threadCpuMs();
      const wrong = result.requests - (result.byStatus[expectStatus] ?? 0);
      if (wrong > 0 || result.errors > 0) {
        throw new Error(`${t.name}: ${wrong} answers not ${expectStatus}, ${result.errors} errors`);
      }
      const target = runs.get(t.name)!;
      target.rps.push(result.rps);
      if (t.onThisThread && cpuBefore !== undefined && cpuAfter !== undefined) {
        target.cpuUs.push(((cpuAfter - cpuBefore) * 1000) / result.requests);
      }
    }
    ctx.log(
      `courier bench round ${r + 1}/${rounds}: ` +
        targets.map((t) => `${t.name} ${Math.round(runs.get(t.name)!.rps.at(-1)!)}/s`).join(', '),
    );
  }
  return runs;
}

/** Median of the round-by-round ratios a/b (each pair measured side by side). */
function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((x, i) => x / b[i]!));
}

/** Figures of one kind of traffic under `prefix`-style keys. */
function figures(runs: Map<string, Runs>, suffix: string, ratioKey: string, cpuRatioKey: string): Figures {
  const bare = runs.get('bare')!;
  const courier = runs.get('courier')!;
  const out: Figures = {
    [`courier.rpsBare${suffix}`]: Math.round(median(bare.rps)),
    [`courier.rps${suffix}`]: Math.round(median(courier.rps)),
    [ratioKey]: round(pairedRatio(courier.rps, bare.rps)),
  };
  if (bare.cpuUs.length > 0 && courier.cpuUs.length > 0) {
    out[`courier.cpuUsPerRequestBare${suffix}`] = round(median(bare.cpuUs), 1);
    out[`courier.cpuUsPerRequest${suffix}`] = round(median(courier.cpuUs), 1);
    // Requests one CPU-second serves, courier over bare: the capacity ratio.
    out[cpuRatioKey] = round(pairedRatio(bare.cpuUs, courier.cpuUs));
  }
  return out;
}

export default async function courierBench(ctx: BenchContext): Promise<Figures> {
  const rounds = ctx.full ? 15 : 7;
  const durationMs = ctx.full ? 2000 : 700;
  const base = labOptionsWith().courier;
  const instant = { failureRate: 0, latency: { minMs: 0, maxMs: 0 } };
  const throttled: CourierOptions = { ...base, ...instant, apiKey: API_KEY, rate: 0.001, burst: 1 };
  const success: CourierOptions = {
    ...base,
    apiKey: API_KEY,
    rate: 100_000,
    burst: 100_000,
    failureRate: 0,
    latency: { minMs: 0, maxMs: 0 },
  };
  const logFile = join(tmpdir(), `stormlab-courier-bench-${process.pid}.jsonl`);
  const spec = {
    path: base.path,
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY, 'x-correlation-id': 'bench-0001' },
    body: JSON.stringify({ order_id: 'bench-order-0001', address: '1 Bench Road', items: 3 }),
    concurrency: CONCURRENCY,
    durationMs,
  };
  const loadAtStart = loadavg()[0]!;
  const driver = new LoadDriverThread();
  const started: Target[] = [];
  const start = async (t: Promise<Target>): Promise<Target> => {
    const target = await t;
    started.push(target);
    return target;
  };
  try {
    const bare429 = await start(startBare(429, THROTTLED_BODY));
    const courier429 = await start(startCourier('courier', throttled, logFile));
    const thread429 = await start(startCourierThread(throttled, logFile));
    const r429 = await interleave(driver, [bare429, courier429, thread429], spec, rounds, 429, ctx);

    // The bare server's success body has the courier's length: same request id shape.
    const bare200 = await start(startBare(200, successBody('abcdef-1a2b')));
    const courier200 = await start(startCourier('courier', success, logFile));
    const r200 = await interleave(driver, [bare200, courier200], spec, rounds, 200, ctx);

    const thread = r429.get('courier-thread')!;
    return {
      ...figures(r429, 'Throttled', 'courier.ratioVsBare', 'courier.cpuRatioVsBare'),
      'courier.rpsThreadThrottled': Math.round(median(thread.rps)),
      'courier.ratioThreadVsBare': round(pairedRatio(thread.rps, r429.get('bare')!.rps)),
      ...figures(r200, 'Success', 'courier.ratioVsBareSuccess', 'courier.cpuRatioVsBareSuccess'),
      'courier.rounds': rounds,
      'courier.roundMs': durationMs,
      'courier.concurrency': CONCURRENCY,
      'courier.cores': availableParallelism(),
      'courier.loadAverageAtStart': round(loadAtStart, 2),
    };
  } finally {
    await driver.close();
    for (const t of started) await t.close();
    rmSync(logFile, { force: true });
  }
}
