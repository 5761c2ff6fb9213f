/**
 * `npm run bench [-- --full] [-- --only NAME[,NAME]]`: runs every section `bench/<name>-bench.ts` (each
 * default-exports a BenchSection), merges their figures into bench/results.json under the keys they
 * return, and prints them as a table. Quick mode by default (the whole bench under 3 minutes); `--full`
 * runs more and longer rounds. A new section is a new file: this runner finds it.
 */
import { readdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
  let failed = 0;
  for (const name of names) {
    if (args.only && !args.only.has(name)) continue;
    const started = performance.now();
    ctx.log(`bench ${name}: ${args.full ? 'full' : 'quick'} run`);
    try {
      const mod = (await import(pathToFileURL(join(here, `${name}${SUFFIX}`)).href)) as {
        default: BenchSection;
      };
      const result = await mod.default(ctx);
      Object.assign(figures, result);
      figures[`bench.${name}.mode`] = args.full ? 'full' : 'quick';
      figures[`bench.${name}.at`] = new Date().toISOString();
      for (const [key, value] of Object.entries(result)) rows.push([key, show(value)]);
      ctx.log(`bench ${name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (err) {
      failed++;
      ctx.log(`bench ${name}: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  if (Object.keys(figures).length > 0) {
    mergeResults(join(here, 'results.json'), figures);
  }
  process.stdout.write(`${formatTable(['figure', 'value'], rows)}\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
