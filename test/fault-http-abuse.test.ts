/**
 * Nonsense sent to a running lab's two servers (issue 7, items 4 and 5): malformed JSON, wrong content
 * types, oversized bodies and headers, garbage, slow and half-sent requests, wrong API keys. Each gets a
 * 4xx answer or a closed socket, never a crash or a stuck connection, and the run goes on. Both servers
 * listen on 127.0.0.1, and the API key reaches neither the log nor the report.
 */
import t from 'tap';
import { readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { labOptionsWith } from '../lab/config/parse-options.js';
import { threadsRun } from './helpers/threads-run.js';
import { finishRun } from '../lab/finish-run.js';
import { tempDir } from './helpers/capture.js';

const dir = tempDir('stormlab-fault-http-');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const KEY = 'fault-test-key-7d1e9a';
/** Real ms an abusive request may take to be answered or closed before it counts as stuck. */
const ANSWER_WITHIN_MS = 5000;

interface RawAnswer {
  /** The answer's status, if one came. */
  status: number | undefined;
  /** True when the server closed the socket (or reset it); false when it was still open at the limit. */
  closed: boolean;
}

/** One HTTP/1.1 request as text; content-length from the body unless the headers say otherwise. */
function request(method: string, path: string, headers: Record<string, string>, body = ''): string {
  const all: Record<string, string> = { host: '127.0.0.1', connection: 'close', ...headers };
  if (!('transfer-encoding' in all) && !('content-length' in all))
    all['content-length'] = String(Buffer.byteLength(body));
  const head = Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`);
  return `${method} ${path} HTTP/1.1\r\n${head.join('')}\r\n${body}`;
}

/** Sends `chunks` over a fresh socket (`gapMs` apart) and waits for the answer and the close. */
function send(url: string, chunks: (string | Buffer)[], gapMs = 0): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let text = '';
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(limit);
      socket.destroy();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : undefined, closed });
    };
    const limit = setTimeout(() => finish(false), ANSWER_WITHIN_MS);
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => {
      void (async () => {
        for (const chunk of chunks) {
          if (socket.destroyed) return;
          socket.write(chunk);
          if (gapMs > 0) await sleep(gapMs);
        }
      })();
    });
  });
}

/** Opens a socket, sends a part of a request and leaves it hanging; `closedAt` resolves when the server closes it. */
async function halfSend(
  url: string,
  text: string,
): Promise<{ socket: Socket; closed: () => boolean; answered: () => string }> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  let closed = false;
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(text);
  return { socket, closed: () => closed, answered: () => received };
}

function probe(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

const ORDER = JSON.stringify({ order_id: 'abuse-test', items: [{ sku: 'x', qty: 1 }] });
const JSON_TYPE = { 'content-type': 'application/json' };

t.test('a running lab shrugs off bad requests to the ingress and the courier', async (t) => {
  const options = labOptionsWith({
    scenario: 'smoke',
    speed: 20,
    seed: 4,
    drainS: 10, // long enough for the load's last post to be answered

    headless: true,
    report: join(dir, 'abuse.json'),
    logFile: join(dir, 'abuse.log.jsonl'),
    courier: { apiKey: KEY },
  });
  const { lab, engine } = threadsRun(options);
  t.teardown(() => lab.stop()); // a failed assertion must not leave the run going
  await lab.start();
  const ended = lab.runToEnd();
  const ingress = engine.ingress!.url;
  const courier = engine.courier!.url!;
  const path = options.courier.path;

  t.equal(new URL(ingress).hostname, '127.0.0.1', 'the ingress listens on loopback');
  t.equal(new URL(courier).hostname, '127.0.0.1', 'the courier listens on loopback');
  const outside = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (outside) {
    t.equal(
      await probe(outside, Number(new URL(ingress).port)),
      'ECONNREFUSED',
      `ingress not reachable on ${outside}`,
    );
    t.equal(
      await probe(outside, Number(new URL(courier).port)),
      'ECONNREFUSED',
      `courier not reachable on ${outside}`,
    );
  }

  // Left half-sent on purpose: they must neither block others nor outlive the run.
  const hanging = [
    await halfSend(
      ingress,
      request('POST', '/notify', { ...JSON_TYPE, 'content-length': '100' }, '{"order_id"'),
    ),
    await halfSend(ingress, 'POST /notify HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-ty'),
    await halfSend(
      courier,
      request('POST', path, { ...JSON_TYPE, 'x-api-key': KEY, 'content-length': '100' }, '{"a"'),
    ),
    await halfSend(courier, `POST ${path} HTTP/1.1\r\nx-api-`),
  ];

  const big = 'x'.repeat(200 * 1024);
  const chunked = ['1000', 'y'.repeat(0x1000)].join('\r\n') + '\r\n';
  const abuse: Record<string, { url: string; chunks: (string | Buffer)[] }> = {
    'ingress: malformed JSON': {
      url: ingress,
      chunks: [request('POST', '/notify', JSON_TYPE, '{"order_id": ')],
    },
    'ingress: wrong content type': {
      url: ingress,
      chunks: [request('POST', '/notify', { 'content-type': 'text/html' }, '<p>hi</p>')],
    },
    'ingress: a JSON list': { url: ingress, chunks: [request('POST', '/notify', JSON_TYPE, '[1,2]')] },
    'ingress: a JSON string': { url: ingress, chunks: [request('POST', '/notify', JSON_TYPE, '"order"')] },
    'ingress: an empty body': { url: ingress, chunks: [request('POST', '/notify', JSON_TYPE)] },
    'ingress: bytes that are not UTF-8': {
      url: ingress,
      chunks: [
        request('POST', '/notify', { ...JSON_TYPE, 'content-length': '4' }),
        Buffer.from([0xff, 0xfe, 0x00, 0x7b]),
      ],
    },
    'ingress: oversized, declared': { url: ingress, chunks: [request('POST', '/notify', JSON_TYPE, big)] },
    'ingress: oversized, chunked': {
      url: ingress,
      chunks: [
        request('POST', '/notify', { ...JSON_TYPE, 'transfer-encoding': 'chunked' }),
        ...Array.from({ length: 40 }, () => chunked),
      ],
    },
    'ingress: oversized header': {
      url: ingress,
      chunks: [request('POST', '/notify', { ...JSON_TYPE, 'x-big': 'a'.repeat(20_000) }, ORDER)],
    },
    'ingress: GET': { url: ingress, chunks: [request('GET', '/notify', {})] },
    'ingress: another path': { url: ingress, chunks: [request('POST', '/admin', JSON_TYPE, ORDER)] },
    'ingress: garbage': { url: ingress, chunks: ['\x16\x03\x01 this is not HTTP\r\n\r\n'] },
    'courier: no key': { url: courier, chunks: [request('POST', path, JSON_TYPE, ORDER)] },
    'courier: wrong key': {
      url: courier,
      chunks: [request('POST', path, { ...JSON_TYPE, 'x-api-key': 'fault-test-key-7d1e9b' }, ORDER)],
    },
    'courier: short key': {
      url: courier,
      chunks: [request('POST', path, { ...JSON_TYPE, 'x-api-key': 'k' }, ORDER)],
    },
    'courier: malformed JSON': {
      url: courier,
      chunks: [request('POST', path, { ...JSON_TYPE, 'x-api-key': KEY }, '{"a": ')],
    },
    'courier: wrong content type': {
      url: courier,
      chunks: [request('POST', path, { 'content-type': 'application/xml', 'x-api-key': KEY }, '<a/>')],
    },
    'courier: oversized, declared': {
      url: courier,
      chunks: [request('POST', path, { ...JSON_TYPE, 'x-api-key': KEY }, big)],
    },
    'courier: oversized header': {
      url: courier,
      chunks: [request('POST', path, { ...JSON_TYPE, 'x-api-key': KEY, 'x-big': 'a'.repeat(20_000) }, ORDER)],
    },
    'courier: GET': { url: courier, chunks: [request('GET', path, { 'x-api-key': KEY })] },
    'courier: another path': {
      url: courier,
      chunks: [request('POST', '/admin', { ...JSON_TYPE, 'x-api-key': KEY }, ORDER)],
    },
    'courier: garbage': { url: courier, chunks: ['GARBAGE\r\n\r\n'] },
  };
  const names = Object.keys(abuse);
  const answers = await Promise.all(names.map((name) => send(abuse[name]!.url, abuse[name]!.chunks)));
  names.forEach((name, i) => {
    const a = answers[i]!;
    const fine = a.status === undefined ? a.closed : a.status >= 400 && a.status < 500;
    t.ok(fine, `${name}: ${a.status ?? 'no answer'}, ${a.closed ? 'closed' : 'STILL OPEN'}`);
    t.ok(a.closed, `${name}: the connection is not left stuck`);
  });
  const statusOf = (name: string): number | undefined => answers[names.indexOf(name)]!.status;
  t.equal(statusOf('ingress: malformed JSON'), 400);
  t.equal(statusOf('ingress: wrong content type'), 415);
  t.equal(statusOf('ingress: oversized header'), 431);
  t.equal(statusOf('courier: wrong key'), 403);
  t.equal(statusOf('courier: short key'), 403);
  t.equal(statusOf('courier: oversized header'), 431);

  // A slow client that does finish is served; the servers still answer good requests.
  const slowly = request('POST', '/notify', JSON_TYPE, ORDER);
  const cuts = [0, 10, 40, 90, slowly.length];
  const pieces = cuts.slice(1).map((end, i) => slowly.slice(cuts[i], end));
  t.equal((await send(ingress, pieces, 60)).status, 200, 'a slow, whole request is served');
  t.equal(
    (await send(ingress, [request('POST', '/notify', JSON_TYPE, ORDER)])).status,
    200,
    'the ingress still serves orders',
  );
  t.ok(
    [200, 429, 502].includes(
      (await send(courier, [request('POST', path, { ...JSON_TYPE, 'x-api-key': KEY }, ORDER)])).status ?? 0,
    ),
    'the courier still answers a keyed request',
  );

  t.equal(await ended, 'finished', 'the run went on to its end');
  t.same(
    hanging.map((h) => h.closed()),
    [false, false, false, false],
    'half-sent requests did not hold anything up (they are simply still waiting)',
  );
  const report = await finishRun(lab, 'drain');
  await sleep(50);
  t.same(
    hanging.map((h) => h.closed()),
    [true, true, true, true],
    'and the end of the run closed them',
  );
  t.same(
    hanging
      .map((h) => h.answered().match(/^HTTP\/1\.1 (\d+)/)?.[1] ?? 'none')
      .filter((s) => s !== 'none' && !s.startsWith('4')),
    [],
    'any answer they got was a 4xx',
  );
  for (const h of hanging) h.socket.destroy();

  const o = report.orders;
  t.equal(lab.engine.loadErrors, 0, 'every order of the built-in load got through');
  t.equal(o.accepted, 120 + 2, "the smoke scenario's 120 orders and the test's 2 were accepted");
  t.equal(o.accepted, o.delivered + o.lost + o.deadLettered + o.inFlight, 'orders identity');
  t.equal(
    await probe('127.0.0.1', Number(new URL(ingress).port)),
    'ECONNREFUSED',
    'nothing listens on the ingress port',
  );
  t.equal(
    await probe('127.0.0.1', Number(new URL(courier).port)),
    'ECONNREFUSED',
    'nothing listens on the courier port',
  );

  const logText = readFileSync(lab.files.log!, 'utf8');
  const reportText = readFileSync(lab.files.report, 'utf8');
  t.notMatch(logText, KEY, 'the API key is not in the log');
  t.notMatch(logText, 'fault-test-key-7d1e9b', 'nor a wrong key someone sent');
  t.notMatch(reportText, KEY, 'the API key is not in the report');
  t.equal((report.config.courier as { apiKey: string }).apiKey, '[redacted]');
});
