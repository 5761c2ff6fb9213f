/**
 * `npm run bench [-- --full] [-- --only NAME[,NAME]]`: runs every section `bench/<name>-bench.ts` (each
 * default-exports a BenchSection), merges their figures into bench/results.json under the keys they
 * return, and prints them as a table, then every goal next to its figure (bench/goals.ts) and, plainly,
 * the goals missed. Quick mode by default (the whole bench under 3 minutes); `--full` runs more and longer
 * rounds. A new section is a new file: this runner finds it. A section's keys start with its name
 * (`speed-bench.ts` returns `speed.*`): the keys it wrote last time and not this time are dropped.
 */
import { readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { judgeGoals } from './goals.js';
import {
  formatTable,
  mergeResults,
  type BenchContext,
  type BenchSection,
  type Figures,
} from './bench-utils.js';

const here = dirname(fileURLToPath(import.meta.url));
const ext = extname(fileURLToPath(import.meta.url));
const SUFFIX = `-bench${ext}`;

interface Args {
  full: boolean;
  only: Set<string> | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { full: false, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--full') args.full = true;
    else if (a === '--quick') args.full = false;
    else if (a === '--only' || a.startsWith('--only=')) {
      const value = a === '--only' ? argv[++i] : a.slice('--only='.length);
      if (!value) fail('option --only: no value given; allowed: section names separated by commas');
      args.only = new Set(value.split(',').map((s) => s.trim()));
    } else if (a === '--help') {
      process.stdout.write('npm run bench [-- --full] [-- --only NAME[,NAME]]\n');
      process.exit(0);
    } else fail(`unknown option ${JSON.stringify(a)}; allowed: --full, --quick, --only NAME[,NAME]`);
  }
  return args;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function sectionNames(): string[] {
  return readdirSync(here)
    .filter((f) => f.endsWith(SUFFIX))
    .map((f) => f.slice(0, -SUFFIX.length))
    .sort();
}

function show(value: number | string | boolean): string {
  if (typeof value !== 'number') return String(value);
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const names = sectionNames();
  if (args.only) {
    const unknown = [...args.only].filter((n) => !names.includes(n));
    if (unknown.length > 0)
      fail(`option --only: no section ${unknown.join(', ')}; allowed: ${names.join(', ')}`);
  }
  const ctx: BenchContext = {
    full: args.full,
    log: (message) => process.stderr.write(`${message}\n`),
  };
  const figures: Figures = {};
  const rows: (string | number)[][] = [];
  /** Text figures too long for the table, printed under it. */
  const notes: string[] = [];
  let failed = 0;
  const wallStarted = performance.now();
  for (const name of names) {
    if (args.only && !args.only.has(name)) continue;
    const started = performance.now();
    ctx.log(`bench ${name}: ${args.full ? 'full' : 'quick'} run`);
    try {
      const mod = (await import(pathToFileURL(join(here, `${name}${SUFFIX}`)).href)) as {
        default: BenchSection;
      };
      const result = await mod.default(ctx);
      for (const [key, value] of Object.entries(result)) {
        if (typeof value === 'string' && value.length > LONG_TEXT) {
          rows.push([key, '(below)']);
          notes.push(`${key}: ${value}`);
        } else rows.push([key, show(value)]);
      }
      const seconds = (performance.now() - started) / 1000;
      const section: Figures = {
        ...result,
        [`bench.${name}.mode`]: args.full ? 'full' : 'quick',
        [`bench.${name}.at`]: new Date().toISOString(),
        [`bench.${name}.wallS`]: Math.round(seconds * 10) / 10,
      };
      Object.assign(figures, section);
      // Saved as each section ends: a long --full run stopped half-way keeps what it measured.
      mergeResults(join(here, 'results.json'), section, [`${name}.`]);
      ctx.log(`bench ${name}: done in ${seconds.toFixed(1)} s`);
    } catch (err) {
      failed++;
      ctx.log(`bench ${name}: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  const wallS = (performance.now() - wallStarted) / 1000;
  const load = loadavg().map((n) => n.toFixed(2));
  process.stdout.write(`${formatTable(['figure', 'value'], rows)}\n`);
  for (const note of notes) process.stdout.write(`${note}\n`);
  const goals = judgeGoals(figures);
  process.stdout.write(
    `\n${formatTable(
      ['goal', 'figure', 'value', 'verdict'],
      goals.map((g) => [g.goal, g.key, g.value, g.verdict]),
    )}\n`,
  );
  for (const g of goals) if (g.note) process.stdout.write(`${g.key} ${g.verdict}: ${g.note}\n`);
  const missed = goals.filter((g) => g.verdict === 'MISSED');
  if (missed.length === 0) process.stdout.write(`\nevery goal judged in this run is met\n`);
  else process.stdout.write('\n');
  for (const g of missed) process.stdout.write(`MISSED: ${g.goal}: ${g.key} = ${g.value}\n`);
  process.stdout.write(
    `bench ${args.full ? 'full' : 'quick'} run: ${wallS.toFixed(1)} s of wall time on ${availableParallelism()} cores; ` +
      `load average at the end ${load.join(' ')} (other work on this machine bends timings)\n`,
  );
  // Exit now: a stopped lab may still hold timers (retry waits scheduled in scenario minutes).
  process.exit(failed > 0 ? 1 : 0);
}

/** Text figures longer than this are printed under the table rather than in it. */
const LONG_TEXT = 40;

await main();
