/**
 * Stopping a headless run with a signal (issue 7, item 3): the load stops, work in flight gets a short
 * grace, the logs are flushed, the report is written with what is still in flight, the exit code is 130
 * (SIGINT) or 143 (SIGTERM), a second signal exits at once, and nothing is left listening.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STOP_GRACE_REAL_MS } from '../lab/finish-run.js';
import type { RunReport } from '../lab/report/build-report.js';
import { tempDir } from './helpers/capture.js';
import { probe } from './helpers/probes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = tempDir('stormlab-cli-signals-');
const children: ChildProcess[] = [];
// Whatever fails, no run is left behind, nor its files.
t.teardown(() => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  ingress: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Starts a headless run and resolves once it prints its ingress line. */
function startRun(name: string, extra: string[]): Promise<Running> {
  const args = [
    '--import',
    'tsx',
    'lab/cli.ts',
    '--headless',
    '--seed',
    '9',
    '--report',
    join(dir, `${name}.json`),
  ];
  args.push('--log-file', join(dir, `${name}.log.jsonl`), ...extra);
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /ingress listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, ingress: m[1]!, stderr: () => err, exited });
    });
    void exited.then(({ code }) => reject(new Error(`the run exited (${code}) before listening: ${err}`)));
  });
}

/** POSTs one order and resolves with the status: a 200 means the order is accepted, so work is in flight. */
async function postOrder(ingress: string): Promise<number> {
  const res = await fetch(`${ingress}/notify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ order_id: 'signal-test', items: [{ sku: 'x', qty: 1 }] }),
  });
  await res.arrayBuffer();
  return res.status;
}

function readReport(name: string): RunReport {
  return JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as RunReport;
}

// Slow courier answers (10 scenario s = 5 real s at speed 2) outlast the grace, so work is still in flight.
const SLOW = [
  '--scenario',
  'smoke',
  '--speed',
  '2',
  '--courier-latency-ms',
  '10000-10000',
  '--courier-failure-rate',
  '0',
];

interface Stopped {
  /** Status of the order posted before the first signal. */
  posted: number;
  code: number | null;
  /** Real ms from the first signal, and from the last, to the exit. */
  afterFirstMs: number;
  afterLastMs: number;
  stderr: string;
  /** How a connection to the ingress port went once the process was gone. */
  ingressAfter: string;
}

/** Starts a slow run, posts an order, sends `signals` 100 ms apart, and waits for the exit. */
async function stopWith(name: string, signals: NodeJS.Signals[]): Promise<Stopped> {
  const run = await startRun(name, SLOW);
  const posted = await postOrder(run.ingress);
  const firstAt = Date.now();
  let lastAt = firstAt;
  for (const [i, signal] of signals.entries()) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100));
    lastAt = Date.now();
    run.child.kill(signal);
  }
  const { code, at } = await run.exited;
  return {
    posted,
    code,
    afterFirstMs: at - firstAt,
    afterLastMs: at - lastAt,
    stderr: run.stderr(),
    ingressAfter: await probe(run.ingress),
  };
}

// The runs mostly wait (start-up, the grace), so all three go at once; each test then checks its own.
const stopped = {
  SIGINT: stopWith('SIGINT', ['SIGINT']),
  SIGTERM: stopWith('SIGTERM', ['SIGTERM']),
  twice: stopWith('twice', ['SIGINT', 'SIGINT']),
};
for (const p of Object.values(stopped)) p.catch(() => undefined); // failures surface in the tests

for (const [signal, exitCode] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  t.test(`${signal}: stops, writes the report with what is in flight, exits ${exitCode}`, async (t) => {
    const run = await stopped[signal];
    t.equal(run.posted, 200, 'an order accepted before the signal');
    t.equal(run.code, exitCode, `exit code ${exitCode}`);
    t.ok(
      run.afterFirstMs >= STOP_GRACE_REAL_MS * 0.9,
      `work in flight had its grace (${run.afterFirstMs} ms)`,
    );
    t.match(run.stderr, new RegExp(`${signal}: stopping the load`), 'says what it does');
    t.equal(run.ingressAfter, 'ECONNREFUSED', 'the ingress port refuses connections afterwards');
    t.ok(existsSync(join(dir, `${signal}.json`)), 'the report is written');
    const r = readReport(signal);
    t.equal(r.endedBy, 'signal');
    t.ok(r.orders.inFlight >= 1, `the report shows what was still in flight (${r.orders.inFlight})`);
    const o = r.orders;
    t.equal(o.accepted, o.delivered + o.lost + o.deadLettered + o.inFlight, 'orders identity');
    t.equal(r.logs.notifyStart, r.functions.notify.invocations, 'the logs were flushed before the count');
    t.ok(r.logs.lines > 0, 'log lines counted from the file');
  });
}

t.test('a second SIGINT exits at once, without waiting for the grace', async (t) => {
  const run = await stopped.twice;
  t.equal(run.posted, 200, 'an order accepted, so the first signal has work to wait for');
  t.equal(run.code, 130);
  t.ok(
    run.afterLastMs < STOP_GRACE_REAL_MS,
    `exited ${run.afterLastMs} ms after the second signal (grace ${STOP_GRACE_REAL_MS} ms)`,
  );
  t.match(run.stderr, /second SIGINT, exiting at once/);
  t.notOk(existsSync(join(dir, 'twice.json')), 'it did not stay to write the report');
  t.equal(run.ingressAfter, 'ECONNREFUSED', 'nothing listening afterwards');
});
