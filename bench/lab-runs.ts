/**
 * Whole lab runs for the benches: the headless path (a Lab started, run to the end of its load, finished
 * with its report) with every file in a temporary folder, and the wall time it took.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabOptions } from '../lab/config/parse-options.js';
import { finishRun } from '../lab/finish-run.js';
import { createRun } from '../lab/run/create-run.js';
import type { LabRun as Lab } from '../lab/run/lab-run.js';
import type { RunReport } from '../lab/report/build-report.js';
import type { FidelityScenario } from './fidelity-scenarios.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A temporary folder for one bench section's runs; `remove()` deletes it and everything in it. */
export class RunFolder {
  readonly path = mkdtempSync(join(tmpdir(), 'stormlab-bench-'));
  private seq = 0;

  /** `--scenario` for `scenario`: the preset's name, or an Artillery file written here. */
  scenarioArg(scenario: FidelityScenario): string {
    if (scenario.preset) return scenario.name;
    const file = join(this.path, `${scenario.name}.json`);
    writeFileSync(file, JSON.stringify({ config: { phases: scenario.phases } }));
    return file;
  }

  /** Report and log file names for the next run. */
  files(label: string): { report: string; logFile: string } {
    const base = join(this.path, `${++this.seq}-${label}`);
    return { report: `${base}.json`, logFile: `${base}.log.jsonl` };
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export interface LabRun {
  report: RunReport;
  /** Orders the load sent (the scenario's arrivals unless paused). */
  sent: number;
  /** Real seconds from `new Lab` to the report written. */
  wallS: number;
  /** Real seconds of those spent starting (threads loading their code). */
  startS: number;
}

export interface LabRunHooks {
  /** Called once the lab runs (scenario time 0), before the load's first arrival is due. */
  started?(lab: Lab): void;
  /** Called when the load has ended, before the lab stops. */
  ended?(lab: Lab): void;
}

/** One headless run to the end of its load (and `--drain`, if set), as `npm run lab -- --headless` does. */
export async function runLab(options: LabOptions, hooks: LabRunHooks = {}): Promise<LabRun> {
  const t0 = performance.now();
  const lab = createRun(options);
  try {
    await lab.start();
    const t1 = performance.now();
    hooks.started?.(lab);
    const ended = await lab.runToEnd();
    hooks.ended?.(lab);
    const report = await finishRun(lab, ended === 'finished' ? 'load-finished' : 'signal');
    return {
      report,
      sent: lab.load?.sent ?? report.orders.accepted,
      wallS: (performance.now() - t0) / 1000,
      startS: (t1 - t0) / 1000,
    };
  } catch (err) {
    await lab.stop().catch(() => undefined);
    throw err;
  }
}

/** What one whole `npm run lab` process gave. */
export interface LabCommandRun {
  report: RunReport;
  /** Real seconds from spawn to exit: npm's and node's start-up included. */
  wallS: number;
}

/**
 * `npm run lab -- ARGS --report FILE` as a person runs it, in a process of its own: the launcher's build,
 * its node options, and a heap that no earlier run in the bench's process has shaped (the threads engine
 * keeps its young generation small, which only holds in a process it starts fresh).
 */
export function runLabCommand(args: string[], report: string): LabCommandRun {
  const t0 = performance.now();
  const child = spawnSync('npm', ['run', '--silent', 'lab', '--', ...args, '--report', report], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  const wallS = (performance.now() - t0) / 1000;
  if (child.status !== 0)
    throw new Error(`npm run lab -- ${args.join(' ')} exited ${child.status}: ${child.stderr}`);
  return { report: JSON.parse(readFileSync(report, 'utf8')) as RunReport, wallS };
}
