import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { runDashboard } from '../tui/dashboard.js';
import { labOptionsWith } from '../lab/config/parse-options.js';
import { LiveLabSession } from '../lab/lab-session.js';
import type { VirtualClock } from '../lab/time/clock.js';
import { tick } from './fixtures/dashboard-harness.js';
import { tempDir } from './helpers/capture.js';

const dir = tempDir('stormlab-dash-exit-');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let runs = 0;

/** A real session on the virtual engine with a manual clock, `historyS` scenario seconds in. */
async function session(t: Test, historyS = 0): Promise<LiveLabSession> {
  const s = await LiveLabSession.start(
    labOptionsWith({
      engine: 'virtual',
      seed: 7,
      seedGiven: true,
      logFile: 'none',
      report: join(dir, `${++runs}.json`),
    }),
    { watched: true, virtual: { manual: true } },
  );
  t.teardown(() => s.finish('quit'));
  await (s.current.clock as VirtualClock).advance(historyS * 1000);
  return s;
}

const LEAVE_ALT_SCREEN = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';
const ENTER_ALT_SCREEN = '\x1b[?1049h';

function fakeTty(cols = 80, rows = 24) {
  const input = new PassThrough();
  const output = Object.assign(new PassThrough(), { columns: cols, rows, isTTY: true });
  let written = '';
  output.on('data', (d: Buffer) => (written += d.toString('utf8')));
  return { input, output, written: () => written };
}

/** After the last frame, the stream leaves the alternate screen and shows the cursor, and draws nothing more. */
function assertRestored(t: Test, written: string): void {
  t.ok(written.includes(ENTER_ALT_SCREEN), 'the dashboard took the alternate screen');
  const leave = written.lastIndexOf(LEAVE_ALT_SCREEN);
  const show = written.lastIndexOf(SHOW_CURSOR);
  t.ok(leave > written.lastIndexOf(ENTER_ALT_SCREEN), 'the alternate screen is left');
  t.ok(show > written.lastIndexOf('\x1b[?25l'), 'the cursor is shown again');
  const after = written.slice(Math.max(leave, show));
  t.notMatch(
    after.replace(new RegExp(String.raw`\x1b\[[0-9;?]*[A-Za-z]`, 'g'), ''),
    /\S/,
    'nothing is drawn after the terminal is restored',
  );
}

t.test('q: the screen is destroyed, the terminal restored, and runDashboard resolves "quit"', async (t) => {
  const term = fakeTty();
  const lab = await session(t, 60);
  const sigterm = process.listenerCount('SIGTERM');
  const running = runDashboard(lab, { input: term.input, output: term.output, captureStderr: false });
  await tick();
  t.match(term.written(), /Concurrency/, 'drawn');
  t.ok(process.listenerCount('SIGTERM') > sigterm, 'signals are handled while it runs');
  term.input.write('q');
  const exit = await running;
  await tick();
  t.same(exit, { reason: 'quit' });
  assertRestored(t, term.written());
  t.equal(process.listenerCount('SIGTERM'), sigterm, "its signal handlers (and blessed's) are gone");
});

t.test('Ctrl-C quits the same way (raw mode delivers it as a key)', async (t) => {
  const term = fakeTty();
  const running = runDashboard(await session(t), {
    input: term.input,
    output: term.output,
    captureStderr: false,
  });
  await tick();
  term.input.write('\x03');
  t.same(await running, { reason: 'quit' });
  await tick();
  assertRestored(t, term.written());
});

t.test('an error while drawing ends the dashboard with "error", terminal restored', async (t) => {
  const term = fakeTty();
  const lab = await session(t, 30);
  const running = runDashboard(lab, {
    input: term.input,
    output: term.output,
    fps: 50,
    captureStderr: false,
  });
  await tick();
  lab.snapshot = () => {
    throw new Error('lab state is gone');
  };
  const exit = await running;
  await tick();
  t.equal(exit.reason, 'error');
  t.match(String(exit.error), /lab state is gone/);
  assertRestored(t, term.written());
});

const child = fileURLToPath(new URL('./fixtures/dashboard-exit-child.ts', import.meta.url));

function runChild(
  how: string,
  onReady: (pid: number) => void,
): Promise<{ code: number | null; result: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, how], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.startsWith('ready\n') && !out.includes('{')) onReady(p.pid!);
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) reject(new Error(`child ${how} printed no result (exit ${code}); stderr: ${err}`));
      else resolve({ code, result: JSON.parse(line) as Record<string, unknown> });
    });
  });
}

t.test('real process events: SIGTERM, an uncaught exception, an unhandled rejection', async (t) => {
  // In parallel: each child pays a Node start-up.
  const [term, thrown, rejected] = await Promise.all([
    runChild('sigterm', (pid) => process.kill(pid, 'SIGTERM')),
    runChild('throw', () => {}),
    runChild('reject', () => {}),
  ]);
  t.equal(term.result.reason, 'signal', 'SIGTERM resolves "signal"');
  t.equal(term.result.signal, 'SIGTERM');
  t.match(thrown.result, { reason: 'error', error: /boom from a timer/ });
  t.match(rejected.result, { reason: 'error', error: /boom from a promise/ });
  for (const [how, { code, result }] of Object.entries({ sigterm: term, throw: thrown, reject: rejected })) {
    t.equal(code, 0, `${how}: no process.exit inside the dashboard; the process ends by itself`);
    const tail = String(result.tail);
    t.ok(tail.includes(LEAVE_ALT_SCREEN) && tail.includes(SHOW_CURSOR), `${how}: terminal restored`);
    t.equal(result.listenersRestored, true, `${how}: process listeners removed`);
    t.ok(
      Number(result.reportedS) > 0,
      `${how}: the lab ran, and its report was written after the dashboard ended`,
    );
  }
});
