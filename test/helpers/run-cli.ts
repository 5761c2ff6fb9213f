import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The project's root: where `lab/cli.ts` runs from, as `npm run lab` would. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run lab -- ARGS` as its own process (node --import tsx lab/cli.ts) and resolves when it exits. */
export function runCli(args: string[]): Promise<CliOutcome> {
  return runNode(['--import', 'tsx', 'lab/cli.ts', ...args]);
}

/** Runs node with `args` in the project's root and resolves with its exit code and output. */
export function runNode(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliOutcome> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
