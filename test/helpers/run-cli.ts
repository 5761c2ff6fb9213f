import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The project's root: where `lab/cli.ts` runs from, as `npm run lab` would. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  /** Resolves when the process has exited and its streams are closed. */
  done: Promise<CliOutcome>;
  /** The first match of `pattern` in the stream so far or to come; rejects if the process ends first. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpExecArray>;
}

/**
 * Starts `npm run lab -- ARGS` (or another of the project's commands, `script`) as its own process, as
 * `node --import tsx SCRIPT ARGS`, with its output collected.
 */
export function startCli(args: string[], script = 'lab/cli.ts'): CliProcess {
  return startNode(['--import', 'tsx', script, ...args]);
}

/** Starts node with `args` in the project's root, its output collected. */
export function startNode(args: string[], env: NodeJS.ProcessEnv = process.env): CliProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const text = { stdout: '', stderr: '' };
  const waiters: (() => void)[] = [];
  const onData = (stream: 'stdout' | 'stderr') => (c: Buffer) => {
    text[stream] += c.toString();
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.on('data', onData('stdout'));
  child.stderr.on('data', onData('stderr'));
  const done = new Promise<CliOutcome>((resolve) =>
    child.once('close', (code) => {
      resolve({ code, ...text });
      for (const w of waiters.splice(0)) w();
    }),
  );
  const waitFor = (stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = pattern.exec(text[stream]);
        if (m) resolve(m);
        else if (child.exitCode !== null || child.signalCode !== null)
          reject(
            new Error(`${args.join(' ')} ended before ${pattern} on ${stream}: ${text.stderr.slice(-1000)}`),
          );
        else waiters.push(check);
      };
      check();
    });
  return { child, done, waitFor };
}

/** Runs `npm run lab -- ARGS` as its own process (node --import tsx lab/cli.ts) and resolves when it exits. */
export function runCli(args: string[]): Promise<CliOutcome> {
  return startCli(args).done;
}

/** Runs node with `args` in the project's root and resolves with its exit code and output. */
export function runNode(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliOutcome> {
  return startNode(args, env).done;
}
