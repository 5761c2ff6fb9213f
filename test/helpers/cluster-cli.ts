import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterOrderTotals } from '../../lab/cluster/cluster-ledger.js';
import { startCli } from './run-cli.js';

/** One outside courier for every node; resolves to its /slow URL. */
export async function startCourier(t: { teardown(fn: () => unknown): void }, speed: number): Promise<string> {
  const courier = startCli(
    ['--port', '0', '--speed', String(speed), '--seed', '3'],
    'lab/courier/courier-cli.ts',
  );
  t.teardown(() => courier.child.kill());
  const [, url] = await courier.waitFor('stdout', /listening on (http:\/\/\S+)/);
  return `${url}/slow`;
}

/** A node's command line: headless, queue mode, draining, its report in `dir`. */
export function nodeArgs(
  dir: string,
  o: {
    redis: string;
    courier: string;
    node: string;
    seed: number;
    scenario: string;
    speed: number;
  },
): string[] {
  return [
    ...['--headless', '--scenario', o.scenario, '--mode', 'queue', '--speed', String(o.speed)],
    ...['--drain', '3600', '--seed', String(o.seed), '--log-file', 'none', '--courier-url', o.courier],
    ...['--cluster', o.redis, '--node', o.node, '--report', join(dir, `${o.node}.json`)],
  ];
}

export interface NodeReport {
  endedBy: string;
  orders: { accepted: number };
  cluster: {
    node: string;
    orders: ClusterOrderTotals;
    peakConcurrency: number;
    unsynced: Record<string, number>;
    redisOutages: { startS: number; endS?: number }[];
    stateLost: unknown[];
    ledgerWrites: { replayed: number; pending: number };
  };
}

export const reportOf = (dir: string, node: string): NodeReport =>
  JSON.parse(readFileSync(join(dir, `${node}.json`), 'utf8')) as NodeReport;
