/**
 * `npm run soak [-- --minutes 5] [-- --speed 20] [-- --modes none,queue,throttle] [-- --seed 1]`: runs the
 * `seed-repo` scenario in each mode, one after the other and again, until at least `--minutes` of wall
 * time have passed (and every mode has run once). It checks the orders identity
 * (accepted = delivered + lost + deadLettered + inFlight) live every scenario second and again on every
 * row of each run's series, and watches the process's memory: sampled every scenario second during a run,
 * and measured after a forced garbage collection between runs, where a leak would show as a heap that
 * keeps growing from run to run. Prints the figures; exits 1 on any violation or on memory growth past
 * the limit. Not part of CI.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ConfigError } from '../lab/config/config-error.js';
import { MODES, SPEC_BY_NAME, type Mode } from '../lab/config/option-spec.js';
import { labOptionsWith, validateValue } from '../lab/config/parse-options.js';
import { createRun } from '../lab/run/create-run.js';
import { finishRun } from '../lab/finish-run.js';
import { formatTable } from './bench-utils.js';

/** Heap after GC may grow this much from the first run to the last before it counts as a leak. */
const HEAP_GROWTH_LIMIT_MIB = 32;
const HEAP_GROWTH_LIMIT_SHARE = 0.25;
const MiB = 1024 * 1024;

interface SoakArgs {
  minutes: number;
  speed: number;
  modes: Mode[];
  seed: number;
}

function parseArgs(argv: readonly string[]): SoakArgs {
  const args: SoakArgs = { minutes: 5, speed: 20, modes: [...MODES], seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`option ${name}: no value given`);
    if (name === '--minutes') {
      const n = Number(value);
      if (!/^\d+(\.\d+)?$/.test(value) || n <= 0 || n > 24 * 60) {
        throw new ConfigError(
          `option --minutes: got ${JSON.stringify(value)}; allowed: a number above 0 to 1440`,
        );
      }
      args.minutes = n;
    } else if (name === '--speed')
      args.speed = validateValue(SPEC_BY_NAME.get('speed')!, value, 'option --speed') as number;
    else if (name === '--seed')
      args.seed = validateValue(SPEC_BY_NAME.get('seed')!, value, 'option --seed') as number;
    else if (name === '--modes') {
      args.modes = value
        .split(',')
        .map((m) => validateValue(SPEC_BY_NAME.get('mode')!, m.trim(), 'option --modes') as Mode);
    } else
      throw new ConfigError(
        `unknown option ${JSON.stringify(name)}; allowed: --minutes, --speed, --modes, --seed`,
      );
  }
  return args;
}

/** A garbage collection on demand, so the heap between runs shows what is still held, not what is garbage. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}

interface RunFigures {
  mode: Mode;
  wallS: number;
  scenarioS: number;
  accepted: number;
  delivered: number;
  lost: number;
  deadLettered: number;
  inFlight: number;
  liveChecks: number;
  rowsChecked: number;
  violations: string[];
  peakRssMiB: number;
  peakHeapMiB: number;
  /** After the run, all of it closed, and a forced GC. */
  rssAfterMiB: number;
  heapAfterMiB: number;
}

async function soakRun(
  mode: Mode,
  speed: number,
  seed: number,
  dir: string,
  index: number,
): Promise<RunFigures> {
  const name = `soak-${index}-${mode}`;
  const options = labOptionsWith({
    scenario: 'seed-repo',
    mode,
    speed,
    seed,
    headless: true,
    report: join(dir, `${name}.json`),
    logFile: join(dir, `${name}.log.jsonl`),
  });
  const lab = createRun(options);
  const started = performance.now();
  const violations: string[] = [];
  let liveChecks = 0;
  let peakRss = 0;
  let peakHeap = 0;
  await lab.start();
  // Live, every scenario second: the order book and the snapshot a dashboard would read.
  const check = (): void => {
    if (lab.lifecycle === 'stopped') return;
    const book = lab.pipeline.orders;
    const o = lab.snapshot().orders;
    liveChecks++;
    if (!book.identityHolds() || o.accepted !== o.delivered + o.lost + o.deadLettered + o.inFlight) {
      violations.push(`live at ${lab.t.toFixed(1)} s: ${JSON.stringify(o)}`);
    }
    const mem = process.memoryUsage();
    peakRss = Math.max(peakRss, mem.rss);
    peakHeap = Math.max(peakHeap, mem.heapUsed);
    lab.clock.setTimeout(check, 1000 - (lab.clock.now() % 1000) + 500);
  };
  lab.clock.setTimeout(check, 500);
  await lab.runToEnd();
  const report = await finishRun(lab, 'load-finished');
  const wallS = (performance.now() - started) / 1000;
  for (const row of report.series) {
    if (row.accepted !== row.delivered + row.lost + row.deadLettered + row.inFlight) {
      violations.push(
        `series row t=${row.t}: accepted ${row.accepted}, delivered ${row.delivered}, lost ${row.lost}, dlq ${row.deadLettered}, in flight ${row.inFlight}`,
      );
    }
  }
  const o = report.orders;
  if (o.accepted !== o.delivered + o.lost + o.deadLettered + o.inFlight)
    violations.push(`report totals: ${JSON.stringify(o)}`);
  rmSync(join(dir, `${name}.json`), { force: true });
  rmSync(join(dir, `${name}.log.jsonl`), { force: true });
  return {
    mode,
    wallS,
    scenarioS: report.durationS,
    accepted: o.accepted,
    delivered: o.delivered,
    lost: o.lost,
    deadLettered: o.deadLettered,
    inFlight: o.inFlight,
    liveChecks,
    rowsChecked: report.series.length,
    violations,
    peakRssMiB: peakRss / MiB,
    peakHeapMiB: peakHeap / MiB,
    rssAfterMiB: 0,
    heapAfterMiB: 0,
  };
}

function memoryNow(gc: () => void): { rssMiB: number; heapMiB: number } {
  gc();
  const mem = process.memoryUsage();
  return { rssMiB: mem.rss / MiB, heapMiB: mem.heapUsed / MiB };
}

async function main(): Promise<number> {
  let args: SoakArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`soak: ${err.message}\n`);
    return 2;
  }
  const gc = collector();
  const dir = join(tmpdir(), `stormlab-soak-${process.pid}`);
  const start = memoryNow(gc);
  const began = performance.now();
  const runs: RunFigures[] = [];
  process.stderr.write(
    `soak: seed-repo at speed ${args.speed}, modes ${args.modes.join(', ')}, at least ${args.minutes} min; ` +
      `memory at start: rss ${start.rssMiB.toFixed(1)} MiB, heap ${start.heapMiB.toFixed(1)} MiB\n`,
  );
  try {
    for (let i = 0; ; i++) {
      const elapsedMin = (performance.now() - began) / 60_000;
      if (i >= args.modes.length && elapsedMin >= args.minutes) break;
      const mode = args.modes[i % args.modes.length]!;
      const run = await soakRun(mode, args.speed, args.seed + i, dir, i);
      const after = memoryNow(gc);
      run.rssAfterMiB = after.rssMiB;
      run.heapAfterMiB = after.heapMiB;
      runs.push(run);
      process.stderr.write(
        `soak: run ${i + 1} (${mode}) ${run.wallS.toFixed(0)} s: ${run.accepted} orders, ${run.liveChecks} live checks, ` +
          `${run.rowsChecked} rows, ${run.violations.length} violations; heap after ${run.heapAfterMiB.toFixed(1)} MiB\n`,
      );
      for (const v of run.violations.slice(0, 5)) process.stderr.write(`soak:   ${v}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const end = memoryNow(gc);
  const wallMin = (performance.now() - began) / 60_000;

  const f1 = (n: number): string => n.toFixed(1);
  process.stdout.write(
    '\n' +
      formatTable(
        [
          'run',
          'mode',
          'wall s',
          'scen. s',
          'accepted',
          'delivered',
          'lost',
          'in flight',
          'live checks',
          'rows',
          'violations',
          'peak rss MiB',
          'peak heap MiB',
          'heap after MiB',
        ],
        runs.map((r, i) => [
          String(i + 1),
          r.mode,
          f1(r.wallS),
          f1(r.scenarioS),
          r.accepted,
          r.delivered,
          r.lost,
          r.inFlight,
          r.liveChecks,
          r.rowsChecked,
          r.violations.length,
          f1(r.peakRssMiB),
          f1(r.peakHeapMiB),
          f1(r.heapAfterMiB),
        ]),
      ) +
      '\n\n',
  );
  const ordersChecked = runs.reduce((n, r) => n + r.accepted, 0);
  const liveChecks = runs.reduce((n, r) => n + r.liveChecks, 0);
  const rows = runs.reduce((n, r) => n + r.rowsChecked, 0);
  const violations = runs.reduce((n, r) => n + r.violations.length, 0);
  // A leak shows as the heap after a run of a mode growing from that mode's first run to its last (modes
  // hold different amounts for a while after they end, so runs are compared within a mode).
  const growthLines: string[] = [];
  let leak = false;
  for (const mode of args.modes) {
    const of = runs.filter((r) => r.mode === mode);
    if (of.length < 2) continue;
    const first = of[0]!.heapAfterMiB;
    const last = of.at(-1)!.heapAfterMiB;
    const growth = last - first;
    const limit = Math.max(HEAP_GROWTH_LIMIT_MIB, first * HEAP_GROWTH_LIMIT_SHARE);
    if (growth > limit) leak = true;
    growthLines.push(
      `heap after ${mode.padEnd(8)}      ${of.map((r) => f1(r.heapAfterMiB)).join(' -> ')} MiB (${growth >= 0 ? '+' : ''}${f1(growth)}; limit +${f1(limit)}): ${growth > limit ? 'GROWTH' : 'no growth'}`,
    );
  }
  if (growthLines.length === 0)
    growthLines.push('heap growth              not judged: no mode ran twice (give --minutes more)');
  const lines = [
    `wall time                 ${f1(wallMin)} min, ${runs.length} runs of seed-repo at speed ${args.speed}`,
    `orders checked            ${ordersChecked} (identity checked live ${liveChecks} times, on ${rows} series rows, and on each report)`,
    `identity violations       ${violations}`,
    `memory at start           rss ${f1(start.rssMiB)} MiB, heap ${f1(start.heapMiB)} MiB`,
    `memory at end             rss ${f1(end.rssMiB)} MiB, heap ${f1(end.heapMiB)} MiB (after GC)`,
    `peak during runs          rss ${f1(Math.max(...runs.map((r) => r.peakRssMiB)))} MiB, heap ${f1(Math.max(...runs.map((r) => r.peakHeapMiB)))} MiB`,
    ...growthLines,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return violations > 0 || leak ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`soak: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
