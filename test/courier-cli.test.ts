import t from 'tap';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';

const dir = mkdtempSync(join(tmpdir(), 'stormlab-courier-cli-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
// Each test spawns node with tsx (about a second to start); run them side by side.
t.jobs = 5;

function courier(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', 'lab/courier/courier-cli.ts', ...args], {
    cwd: new URL('..', import.meta.url),
    stdio: 'pipe',
  });
}

/** Collects stdout until a line matches; rejects if the process exits first. */
function waitForLine(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      for (const line of text.split('\n')) {
        const m = pattern.exec(line);
        if (m) {
          child.stdout.off('data', onData);
          child.off('exit', onExit);
          resolve(m);
          return;
        }
      }
    };
    const onExit = (code: number | null): void =>
      reject(new Error(`exited with ${code} before ${pattern}: ${text}`));
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });
}

async function finished(
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

async function post(url: string, key: string): Promise<number> {
  const res = await request(`${url}/slow`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'x-correlation-id': 'cli-test', 'content-type': 'application/json' },
    body: '{"order_id":"o-1"}',
  });
  await res.body.dump();
  return res.statusCode;
}

t.test('starts on port 0, answers, stops on SIGTERM with exit 0 and its logs flushed', async (t) => {
  const logFile = join(dir, 'courier.jsonl');
  const child = courier([
    '--port',
    '0',
    '--seed',
    '7',
    '--log-file',
    logFile,
    '--courier-api-key',
    'cli-key',
    '--courier-burst',
    '2',
    '--courier-rate',
    '0.01',
    '--courier-failure-rate',
    '0',
    '--courier-latency-ms',
    '0-0',
  ]);
  const done = finished(child);
  let seedLine = '';
  child.stdout.on('data', (c: Buffer) => (seedLine += c.toString('utf8')));
  const [, url] = await waitForLine(child, /^courier listening on (http:\/\/127\.0\.0\.1:\d+)$/);
  t.match(seedLine, /courier seed 7\b/, 'the seed is printed');
  const statuses = await Promise.all([
    post(url!, 'cli-key'),
    post(url!, 'cli-key'),
    post(url!, 'cli-key'),
    post(url!, 'x'),
  ]);
  t.same(statuses.sort(), [200, 200, 403, 429]);
  child.kill('SIGTERM');
  const { code, stderr } = await done;
  t.equal(code, 0, 'exit 0 on SIGTERM');
  t.match(stderr, /courier stopped \(SIGTERM\): 4 requests/);
  const lines = readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.equal(lines.length, 8, 'START and an end line for each request, all flushed');
  t.ok(lines.every((l) => l.service === 'slow-api' && l.correlation_id === 'cli-test'));
  t.notOk(readFileSync(logFile, 'utf8').includes('cli-key'), 'the key is not logged');
});

t.test('SIGINT stops it too', async (t) => {
  const child = courier(['--port', '0', '--log-file', join(dir, 'sigint.jsonl')]);
  const done = finished(child);
  await waitForLine(child, /^courier listening on /);
  child.kill('SIGINT');
  t.equal((await done).code, 0);
});

t.test('bad input: one line naming the option, exit 2, nothing started', async (t) => {
  const cases = [
    [['--courier-rate', '0'], /^option --courier-rate: got "0"; allowed: a number above 0/],
    [['--mode', 'queue'], /^unknown option --mode/],
  ] as const;
  const results = await Promise.all(
    cases.map(async ([args]) => {
      const child = courier([...args, '--log-file', join(dir, 'never.jsonl')]);
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
      return { ...(await finished(child)), stdout };
    }),
  );
  cases.forEach(([args, pattern], i) => {
    const { code, stderr, stdout } = results[i]!;
    t.equal(code, 2, `${args.join(' ')}: exit 2`);
    t.equal(stderr.trim().split('\n').length, 1, 'one line');
    t.match(stderr, pattern);
    t.equal(stdout, '', 'nothing printed on stdout: nothing started');
  });
});

t.test('a port in use: one line naming --port and the value, exit 2', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const { code, stderr } = await finished(
    courier(['--port', String(port), '--log-file', join(dir, 'busy.jsonl')]),
  );
  t.equal(code, 2);
  t.equal(
    stderr.trim(),
    `option --port: ${port} is already in use on 127.0.0.1; allowed: a free port, or 0 to pick one`,
  );
});
