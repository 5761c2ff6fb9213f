import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli, runNode, type CliOutcome } from './helpers/run-cli.js';
import type { RunReport } from '../lab/report/build-report.js';

const dir = mkdtempSync(join(tmpdir(), 'stormlab-launcher-'));
// Inside the project, as dist/ is: a build resolves its packages from the project's node_modules.
const builds = join(ROOT, 'dist', `.test-launcher-${process.pid}`);
t.teardown(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(builds, { recursive: true, force: true });
});

/** `npm run lab -- ARGS` as the README runs it: node on bin/lab.mjs, with a build directory of its own. */
function runLauncher(args: string[]): Promise<CliOutcome> {
  return runNode(['bin/lab.mjs', ...args], { ...process.env, STORMLAB_BUILD_DIR: builds });
}

t.test('the launcher builds once, then runs the build; it says what the sources say', async (t) => {
  const first = await runLauncher(['--help']);
  t.equal(first.code, 0, first.stderr);
  const made = readdirSync(builds);
  t.equal(made.length, 1, 'one build');
  t.ok(readdirSync(join(builds, made[0]!, 'workers')).includes('function-worker.js'), 'workers built too');
  const second = await runLauncher(['--help']);
  t.same(readdirSync(builds), made, 'the second start reuses it');
  const fromSource = await runCli(['--help']);
  t.equal(first.stdout, fromSource.stdout, 'the same help as the sources under tsx');
  t.equal(second.stdout, fromSource.stdout);
  const bad = await runLauncher(['--mode', 'sideways']);
  t.equal(bad.code, 2, 'bad input: exit 2 through the launcher too');
  t.match(bad.stderr, /--mode/);
});

t.test('a virtual run from the build gives the report the sources give', async (t) => {
  const args = (name: string): string[] => [
    '--headless',
    '--engine',
    'virtual',
    '--scenario',
    'smoke',
    '--mode',
    'queue',
    '--seed',
    '5',
    '--drain',
    '600',
    '--report',
    join(dir, `${name}.json`),
    '--log-file',
    join(dir, `${name}.jsonl`),
  ];
  const built = await runLauncher(args('built'));
  const source = await runCli(args('source'));
  t.equal(built.code, 0, built.stderr);
  t.equal(source.code, 0, source.stderr);
  const comparable = (name: string): string => {
    const {
      startedAt: _s,
      host: _h,
      logs,
      config,
      ...rest
    } = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as RunReport;
    return JSON.stringify({
      ...rest,
      logs: { ...logs, file: '' },
      config: { ...config, report: '', logFile: '' },
    });
  };
  const report = JSON.parse(readFileSync(join(dir, 'built.json'), 'utf8')) as RunReport;
  t.equal(report.orders.accepted, 120, 'smoke: 120 orders');
  t.equal(comparable('built'), comparable('source'), 'identical apart from start time, host and paths');
});
