import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { NodeSpec } from '../fixtures/cluster-node.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/cluster-node.ts', import.meta.url));

export interface NodeLine {
  event: string;
  node: string;
  [key: string]: unknown;
}

/** A cluster node in its own process (test/fixtures/cluster-node.ts), read line by line. */
export class NodeProcess {
  readonly child: ChildProcess;
  readonly lines: NodeLine[] = [];
  readonly exited: Promise<number | null>;
  private waiters: { match: (l: NodeLine) => boolean; resolve: (l: NodeLine) => void }[] = [];
  private stderr = '';

  constructor(spec: NodeSpec) {
    // stdin is a pipe the node watches: it exits when the pipe closes, so a test killed by tap's timeout
    // leaves no node behind.
    this.child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, JSON.stringify(spec)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    createInterface({ input: this.child.stdout! }).on('line', (text) => {
      const line = JSON.parse(text) as NodeLine;
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(line)) return true;
        w.resolve(line);
        return false;
      });
    });
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
  }

  /** The first line (past or future) with this event, and matching `where` if given. */
  waitFor(event: string, where: (l: NodeLine) => boolean = () => true): Promise<NodeLine> {
    const match = (l: NodeLine): boolean => l.event === event && where(l);
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.waiters.push({ match, resolve });
      void this.exited.then((code) =>
        reject(new Error(`node exited (${code}) before "${event}": ${this.stderr.trim().slice(-2000)}`)),
      );
    });
  }

  /** SIGTERM, then its final figures. */
  async stop(): Promise<NodeLine> {
    const final = this.waitFor('final');
    this.child.kill('SIGTERM');
    return final;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/** Starts nodes and kills whatever is still running when the test ends. */
export function startNodes(t: { teardown(fn: () => unknown): void }, specs: NodeSpec[]): NodeProcess[] {
  const nodes = specs.map((s) => new NodeProcess(s));
  t.teardown(() => {
    for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) n.kill();
  });
  return nodes;
}

/**
 * Starts one-shot nodes (concurrency, throttle, ledger roles) and releases them together once every one has
 * joined and said "ready".
 */
export async function startTogether(
  t: { teardown(fn: () => unknown): void },
  redis: { rpush(key: string, ...values: string[]): Promise<number> },
  prefix: string,
  specs: NodeSpec[],
): Promise<NodeProcess[]> {
  const nodes = startNodes(t, specs);
  await Promise.all(nodes.map((n) => n.waitFor('ready')));
  await redis.rpush(`${prefix}:probe:go`, ...specs.map((s) => s.node));
  return nodes;
}
