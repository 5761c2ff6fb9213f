import t, { type Test } from 'tap';
import { Readable } from 'node:stream';
import { Pool } from 'undici';
import { labOptionsWith, type CourierOptions } from '../lab/config/parse-options.js';
import { startCourierServer, type CourierServer } from '../lab/courier/courier-server.js';
import type { LogRecord } from '../lab/logs/log-record.js';
import { RealClock, VirtualClock, type Clock } from '../lab/time/clock.js';
import { SeededRandom } from '../lab/time/random.js';

const KEY = 'test-key-0123';

function courier(overrides: Partial<CourierOptions> = {}): CourierOptions {
  return { ...labOptionsWith().courier, apiKey: KEY, ...overrides };
}

interface Rig {
  server: CourierServer;
  pool: Pool;
  clock: Clock;
  logs: LogRecord[];
}

async function rig(
  t: Test,
  options: CourierOptions,
  clock: Clock = new RealClock({ speed: 1 }),
  connections = 64,
): Promise<Rig> {
  const logs: LogRecord[] = [];
  const server = await startCourierServer({
    options,
    clock,
    random: new SeededRandom(11),
    port: 0,
    logWriter: { write: (r) => void logs.push(r) },
  });
  const pool = new Pool(server.url, { connections });
  t.teardown(async () => {
    await pool.close();
    await server.close();
  });
  return { server, pool, clock, logs };
}

interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

async function post(
  pool: Pool,
  opts: {
    path?: string;
    method?: 'POST' | 'GET' | 'PUT';
    key?: string;
    body?: string | Readable;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (opts.key !== undefined) headers['x-api-key'] = opts.key;
  const res = await pool.request({
    path: opts.path ?? '/slow',
    method: opts.method ?? 'POST',
    headers,
    body: opts.method === 'GET' ? undefined : (opts.body ?? '{"order_id":"o-1"}'),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: JSON.parse(text), headers: res.headers };
}

function countBy(statuses: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}

t.test('hundreds of concurrent requests: statuses counted on both sides', async (t) => {
  const options = courier({ rate: 10, burst: 50, failureRate: 0.2, latency: { minMs: 0, maxMs: 300 } });
  // A connection per request: all 450 are in flight at once.
  const { server, pool, logs } = await rig(t, options, new RealClock({ speed: 10 }), 450);
  const good = Array.from({ length: 400 }, () => post(pool, { key: KEY }));
  const bad = Array.from({ length: 50 }, () => post(pool, { key: 'nope' }));
  const answers = await Promise.all([...good, ...bad]);
  const byStatus = countBy(answers.map((a) => a.status));
  t.equal(byStatus[403], 50, 'every bad key is a 403');
  const admitted = (byStatus[200] ?? 0) + (byStatus[502] ?? 0);
  // The burst of 50, plus what the bucket earned while the requests were arriving (by the courier's clock).
  const arrivals = logs.filter((r) => r.status === 'START').map((r) => Date.parse(r.timestamp));
  const spanS = (Math.max(...arrivals) - Math.min(...arrivals)) / 1000;
  const most = 50 + Math.floor(10 * spanS) + 1;
  t.ok(
    admitted >= 50 && admitted <= most,
    `admitted ${admitted}: from 50 to ${most} (arrivals over ${spanS} s)`,
  );
  t.equal(byStatus[429], 400 - admitted, 'the rest are 429');
  t.ok((byStatus[502] ?? 0) > 0 && (byStatus[200] ?? 0) > (byStatus[502] ?? 0), 'both 200 and 502 occur');
  const stats = server.stats.snapshot();
  t.same(stats.byStatus, {
    '200': byStatus[200],
    '403': 50,
    '429': byStatus[429],
    '502': byStatus[502],
    '504': 0,
  });
  t.equal(stats.requests, 450);
  t.equal(stats.received, 450);
  t.equal(stats.admitted, admitted);
  t.ok(
    stats.peakAdmittedPerSecond >= 25 && stats.peakAdmittedPerSecond <= admitted,
    `peak admitted per second ${stats.peakAdmittedPerSecond}: the burst lands in one or two seconds`,
  );
  const bodies = new Set(answers.filter((a) => a.status !== 200).map((a) => JSON.stringify(a.body)));
  t.same([...bodies].sort(), [
    '{"message":"Forbidden"}',
    '{"message":"Internal server error"}',
    '{"message":"Too Many Requests"}',
  ]);
  const ok = answers.find((a) => a.status === 200)!;
  t.match(ok.body, { message: 'delivery scheduled', request_id: String });
  t.equal(ok.headers['content-type'], 'application/json');
});

t.test('404, 405, 400, 413, 415 with JSON messages; x-correlation-id echoed and logged', async (t) => {
  const { pool, logs, server } = await rig(t, courier({ failureRate: 0, latency: { minMs: 0, maxMs: 0 } }));
  const cid = { 'x-correlation-id': 'corr-42' };
  const cases: [string, Promise<Answer>, number, string][] = [
    ['other route', post(pool, { path: '/other', key: KEY, headers: cid }), 404, 'Not Found'],
    ['GET on the path', post(pool, { method: 'GET', key: KEY, headers: cid }), 405, 'Method Not Allowed'],
    ['PUT on the path', post(pool, { method: 'PUT', key: KEY, headers: cid }), 405, 'Method Not Allowed'],
    [
      'malformed JSON',
      post(pool, { key: KEY, body: '{"order_id": ', headers: cid }),
      400,
      'Could not parse request body into json',
    ],
    [
      'declared body over 64 KiB',
      post(pool, { key: KEY, body: JSON.stringify({ pad: 'x'.repeat(70_000) }), headers: cid }),
      413,
      'Request Too Long',
    ],
    [
      'streamed body over 64 KiB',
      post(pool, {
        key: KEY,
        body: Readable.from([Buffer.alloc(40_000, 32), Buffer.alloc(40_000, 32)]),
        headers: cid,
      }),
      413,
      'Request Too Long',
    ],
    [
      'not JSON',
      post(pool, {
        key: KEY,
        body: 'a=1',
        headers: { ...cid, 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'Unsupported Media Type: send application/json',
    ],
    ['success', post(pool, { key: KEY, headers: cid }), 200, 'delivery scheduled'],
    ['bad key', post(pool, { key: 'wrong', headers: cid }), 403, 'Forbidden'],
  ];
  for (const [name, answer, status, message] of cases) {
    const a = await answer;
    t.equal(a.status, status, `${name}: ${status}`);
    t.match(a.body, { message }, `${name}: message`);
    t.equal(a.headers['x-correlation-id'], 'corr-42', `${name}: correlation id echoed`);
  }
  t.equal(
    (await post(pool, { method: 'GET', key: KEY })).headers.allow,
    'POST',
    '405 names the allowed method',
  );
  const noCid = await post(pool, { key: KEY });
  t.equal(noCid.headers['x-correlation-id'], undefined, 'no header given, none echoed');

  const starts = logs.filter((r) => r.status === 'START');
  const ends = logs.filter((r) => r.status === 'COMPLETE' || r.status === 'FAILED');
  t.equal(starts.length, ends.length, 'every START has its COMPLETE or FAILED');
  t.equal(starts.length, server.stats.snapshot().requests);
  t.ok(
    logs.every((r) => r.service === 'slow-api' && typeof r.timestamp === 'string' && r.level && r.message),
    'Powertools shape',
  );
  t.equal(
    logs.filter((r) => r.correlation_id === 'corr-42').length,
    2 * cases.length,
    'correlation id logged',
  );
  t.same(
    ends.filter((r) => r.status === 'COMPLETE').map((r) => r.http_status),
    [200, 200],
    'COMPLETE only for 200s',
  );
  t.notOk(JSON.stringify(logs).includes(KEY), 'the API key is never logged');
});

t.test('the x-api-key check comes before the body: a bad key on a malformed body is 403', async (t) => {
  const { pool } = await rig(t, courier());
  t.equal((await post(pool, { key: 'bad', body: '{oops' })).status, 403);
  t.equal((await post(pool, { body: '{oops' })).status, 403, 'missing key');
});

t.test(
  'latency is waited out on the clock; a latency above the timeout is a 504 at the timeout',
  async (t) => {
    const clock = new VirtualClock();
    const options = courier({
      failureRate: 0,
      latency: { minMs: 20_000, maxMs: 40_000 },
      timeoutS: 29,
      burst: 100,
    });
    const { pool, server, logs } = await rig(t, options, clock);
    const answers: Answer[] = [];
    const inFlight = Array.from({ length: 40 }, () => post(pool, { key: KEY }).then((a) => answers.push(a)));
    while (server.stats.snapshot().admitted < 40) await new Promise((r) => setTimeout(r, 5));
    // Real HTTP round trips need real time between virtual steps; advance in 1 s steps and let sockets flush.
    for (let s = 1; s <= 30; s++) {
      await clock.advance(1000);
      if (s === 19) t.equal(answers.length, 0, 'nothing answered before 20 s');
    }
    await Promise.all(inFlight);
    const byStatus = countBy(answers.map((a) => a.status));
    t.ok(byStatus[504]! > 0 && byStatus[200]! > 0, `both: ${JSON.stringify(byStatus)}`);
    const durations = logs.filter((r) => r.status === 'FAILED').map((r) => r.duration_ms);
    t.ok(
      durations.every((d) => d === 29_000),
      '504s answered after exactly 29 s of scenario time',
    );
    const ok = logs.filter((r) => r.status === 'COMPLETE').map((r) => r.duration_ms as number);
    t.ok(
      ok.every((d) => d >= 20_000 && d <= 29_000),
      '200s between 20 and 29 s',
    );
  },
);

interface AdmissionRun {
  admitted: number;
  serverAdmitted: number;
  statuses: Record<string, number>;
  /** Scenario seconds from the first counted request's arrival at the courier to the last one's. */
  elapsedS: number;
  /** Longest pause between two arrivals, scenario ms. */
  maxGapMs: number;
  /** Whether the last request to arrive found the bucket empty. */
  lastRefused: boolean;
}

/**
 * One run of the check: 1000 requests with a valid key sent over 2 real seconds to a courier with
 * rate 10, burst 10, no failures and no latency. Arrival times are the courier's own clock readings (its
 * START log lines, 1 scenario ms resolution), which is when it decided.
 */
async function admissionRun(speed: number): Promise<AdmissionRun> {
  const clock = new RealClock({ speed });
  const logs: LogRecord[] = [];
  const options = courier({ rate: 10, burst: 10, failureRate: 0, latency: { minMs: 0, maxMs: 0 } });
  const server = await startCourierServer({
    options,
    clock,
    random: new SeededRandom(5),
    logWriter: { write: (r) => void logs.push(r) },
  });
  const pool = new Pool(server.url, { connections: 64 });
  try {
    // Open the pool's connections first with bad-key requests (403s spend no token), so the first counted
    // request is not held up by a TCP handshake.
    await Promise.all(Array.from({ length: 64 }, () => post(pool, { key: 'warm-up' })));
    const n = 1000;
    const spreadMs = 2000;
    const load = { 'x-correlation-id': 'load' };
    // The last `closing` requests go together at the end of the 2 s, so whatever the bucket earned in the
    // last moments is asked for: the last request to arrive then finds it empty.
    const closing = 20;
    const answers = await new Promise<Answer[]>((resolve) => {
      const pending: Promise<Answer>[] = [];
      const started = performance.now();
      const tick = (): void => {
        // Send every request whose slot (one each 2 real ms) has come, then wait for the next slot.
        const slot = Math.floor((performance.now() - started) / (spreadMs / n)) + 1;
        const due = slot >= n - closing ? n : slot;
        while (pending.length < due) pending.push(post(pool, { key: KEY, headers: load }));
        if (pending.length < n) setTimeout(tick, 1);
        else void Promise.all(pending).then(resolve);
      };
      tick();
    });
    // Log order is arrival order; timestamps are the courier's clock at arrival.
    const starts = logs.filter((r) => r.status === 'START' && r.correlation_id === 'load');
    const arrivals = starts.map((r) => Date.parse(r.timestamp));
    const lastId = starts.at(-1)!.request_id;
    const last = logs.find((r) => r.status !== 'START' && r.request_id === lastId)!;
    const statuses = countBy(answers.map((a) => a.status));
    return {
      lastRefused: last.http_status === 429,
      admitted: n - (statuses[429] ?? 0) - (statuses[403] ?? 0),
      serverAdmitted: server.stats.snapshot().admitted,
      statuses,
      elapsedS: (arrivals.at(-1)! - arrivals[0]!) / 1000,
      maxGapMs: Math.max(...arrivals.slice(1).map((at, i) => at - arrivals[i]!)),
    };
  } finally {
    await pool.close();
    await server.close();
  }
}

/**
 * The "done when": admitted (any status but 429 and 403) = 10 + 10 x elapsed scenario seconds,
 * give or take one. That holds while requests keep the bucket drained: a pause long enough to refill the
 * whole bucket (burst / rate = 1 scenario s, a tenth of a real second at speed 10) throws tokens away, as
 * the usage plan would, and tokens earned during a pause just before the last arrival are never asked
 * for. A run in which the machine stalled like that (seen as a long pause, or as a last request that was
 * admitted) proves nothing either way, so it is reported and repeated (up to 4 runs) rather than judged.
 */
const ATTEMPTS = 4;

async function admissionCheck(t: Test, speed: number): Promise<void> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const run = await admissionRun(speed);
    const expected = 10 + 10 * run.elapsedS;
    const summary =
      `speed ${speed}: 1000 requests over ${run.elapsedS.toFixed(3)} scenario s, admitted ${run.admitted}, ` +
      `expected 10 + 10 x ${run.elapsedS.toFixed(3)} = ${expected.toFixed(2)}, longest pause ${run.maxGapMs} ms, ` +
      `last request ${run.lastRefused ? 'refused' : 'admitted'}`;
    const clean = run.maxGapMs < 900 && run.lastRefused;
    if (!clean && attempt < ATTEMPTS) {
      t.comment(`attempt ${attempt} stalled (${summary}); running again`);
      continue;
    }
    t.comment(summary);
    t.same(Object.keys(run.statuses).sort(), ['200', '429'], 'only 200 and 429');
    t.equal(run.serverAdmitted, run.admitted, 'the courier counted the same admissions');
    t.ok(run.maxGapMs < 900, `arrivals never paused long enough to refill the bucket (${run.maxGapMs} ms)`);
    t.ok(run.lastRefused, 'the last request found the bucket drained');
    t.ok(Math.abs(run.admitted - expected) <= 1, `${run.admitted} admitted = ${expected.toFixed(2)} +- 1`);
    return;
  }
}

t.test('done when: admitted = 10 + 10 x elapsed s (+-1), at speed 1 and at speed 10', async (t) => {
  await t.test('speed 1', (t) => admissionCheck(t, 1));
  await t.test('speed 10', (t) => admissionCheck(t, 10));
});

t.test('close ends keep-alive sockets and pending answers at once', async (t) => {
  const options = courier({ failureRate: 0, latency: { minMs: 60_000, maxMs: 60_000 }, timeoutS: 100 });
  const server = await startCourierServer({
    options,
    clock: new RealClock({ speed: 1 }),
    random: new SeededRandom(1),
  });
  const pool = new Pool(server.url, { connections: 4 });
  const slow = pool
    .request({ path: '/slow', method: 'POST', headers: { 'x-api-key': KEY }, body: '{}' })
    .then(
      () => 'answered',
      () => 'cut off',
    );
  await pool.request({ path: '/x', method: 'GET' }).then((r) => r.body.dump()); // leaves a keep-alive socket
  while (server.stats.snapshot().admitted < 1) await new Promise((r) => setTimeout(r, 5));
  const started = performance.now();
  await server.close();
  t.ok(performance.now() - started < 500, 'close took under 0.5 s despite a 60 s answer pending');
  t.equal(await slow, 'cut off');
  await pool.destroy();
});
