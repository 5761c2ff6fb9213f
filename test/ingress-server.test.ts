import { connect, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { request } from 'undici';
import { ConfigError } from '../lab/config/config-error.js';
import {
  startIngress,
  type IngressOptions,
  type IngressRequestEvent,
} from '../lab/ingress/ingress-server.js';

type Notified = { body: unknown; headers: Record<string, unknown> };

async function ingress(t: Test, overrides: Partial<IngressOptions> = {}) {
  const notified: Notified[] = [];
  const events: IngressRequestEvent[] = [];
  const server = await startIngress({
    port: 0,
    onNotify: async (body, headers) => {
      notified.push({ body, headers });
      return {
        status: 200,
        body: { request_id: `req-${notified.length}`, correlation_id: `cor-${notified.length}` },
      };
    },
    onRequest: (event) => events.push(event),
    ...overrides,
  });
  t.teardown(() => server.close());
  return { server, notified, events };
}

async function post(
  url: string,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  method = 'POST',
) {
  const res = await request(url, {
    method: method as 'POST',
    body: method === 'GET' ? undefined : body,
    headers,
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
  };
}

/** Wall-clock bound for the few things only real time can show; the message says what hung. */
async function finishesWithin<T>(t: Test, ms: number, what: string, work: Promise<T>): Promise<T> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still not done after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
    t.pass(`${what}: done in ${Math.round(performance.now() - started)} ms (limit ${ms})`);
  }
}

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

t.test('POST /notify hands the parsed order to onNotify and answers what it returns', async (t) => {
  const { server, notified, events } = await ingress(t);
  t.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await post(`${server.url}/notify`, JSON.stringify({ order_id: 'o-1', items: [1] }), {
    'content-type': 'application/json; charset=utf-8',
    'x-trace': 'abc',
  });
  t.equal(res.status, 200);
  t.same(res.body, { request_id: 'req-1', correlation_id: 'cor-1' });
  t.same(notified[0]?.body, { order_id: 'o-1', items: [1] });
  t.equal(notified[0]?.headers['x-trace'], 'abc', 'the headers come along');
  const withQuery = await post(`${server.url}/notify?from=artillery`, '{"order_id":"o-2"}');
  t.equal(withQuery.status, 200, 'a query string does not change the route');
  const noType = await post(`${server.url}/notify`, '{"order_id":"o-3"}', {});
  t.equal(noType.status, 200, 'no content type is taken as JSON, as curl -d sends it');
  t.same(
    events.map((e) => [e.method, e.path, e.status]),
    [
      ['POST', '/notify', 200],
      ['POST', '/notify', 200],
      ['POST', '/notify', 200],
    ],
  );
  t.ok(events.every((e) => e.ms >= 0));

  const custom = await ingress(t, {
    onNotify: async () => ({ status: 429, body: { message: 'Too Many Requests' } }),
  });
  const refused = await post(`${custom.server.url}/notify`, '{}');
  t.same(
    [refused.status, refused.body],
    [429, { message: 'Too Many Requests' }],
    'any status onNotify returns',
  );
});

t.test('refusals: 400, 413, 415, 404, 405, 500, each with a JSON message', async (t) => {
  const { server, notified, events } = await ingress(t);
  const url = `${server.url}/notify`;
  const cases: [string, Promise<{ status: number; body: unknown }>, number, string][] = [
    ['malformed JSON', post(url, '{"order_id":'), 400, 'Could not parse request body into json'],
    [
      'a list',
      post(url, '[1,2]'),
      400,
      'Invalid request body: expected a JSON object (an order), got a list',
    ],
    [
      'a string',
      post(url, '"order"'),
      400,
      'Invalid request body: expected a JSON object (an order), got "order"',
    ],
    ['null', post(url, 'null'), 400, 'Invalid request body: expected a JSON object (an order), got null'],
    [
      'an empty body',
      post(url, ''),
      400,
      'Invalid request body: expected a JSON object (an order), got an empty body',
    ],
    ['over 64 KiB', post(url, JSON.stringify({ pad: 'x'.repeat(70_000) })), 413, 'Request Too Long'],
    [
      'wrong type',
      post(url, '{}', { 'content-type': 'text/html' }),
      415,
      'Unsupported Media Type: send application/json',
    ],
    ['another route', post(`${server.url}/orders`, '{}'), 404, 'Not Found: the lab serves POST /notify'],
    ['the root', post(`${server.url}/`, '', {}, 'GET'), 404, 'Not Found: the lab serves POST /notify'],
    ['GET /notify', post(url, '', {}, 'GET'), 405, 'Method Not Allowed: use POST /notify'],
  ];
  for (const [what, pending, status, message] of cases) {
    const res = await pending;
    t.same([res.status, res.body], [status, { message }], what);
  }
  const allow = await post(url, '', {}, 'GET');
  t.equal(allow.headers.allow, 'POST', '405 says what is allowed');
  t.equal(notified.length, 0, 'onNotify never saw any of them');
  t.equal(events.length, cases.length + 1, 'every request reported');

  const failing = await ingress(t, {
    onNotify: async () => {
      throw new Error('handler bug');
    },
  });
  const res = await post(`${failing.server.url}/notify`, '{}');
  t.same([res.status, res.body], [500, { message: 'Internal Server Error' }], 'an onNotify that throws');
  t.equal(failing.events[0]?.status, 500);
});

t.test('an oversized body streamed without a length is cut off at 64 KiB', async (t) => {
  const { server } = await ingress(t);
  const socket = await rawSocket(server.port);
  t.teardown(() => socket.destroy());
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => {});
  socket.write(
    'POST /notify HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n',
  );
  const chunk = 'x'.repeat(16 * 1024);
  for (let i = 0; i < 5; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
  await finishesWithin(t, 5000, 'the server closes the socket', closed);
  t.match(answer, /^HTTP\/1\.1 413 /);
  t.match(answer, /\{"message":"Request Too Long"\}/);
});

t.test(
  'a half-sent request does not hang the server, and close() does not wait for it for long',
  async (t) => {
    const { server, notified } = await ingress(t);
    const halfBody = await rawSocket(server.port);
    const halfHeaders = await rawSocket(server.port);
    t.teardown(() => {
      halfBody.destroy();
      halfHeaders.destroy();
    });
    halfBody.on('error', () => {});
    halfHeaders.on('error', () => {});
    halfBody.write(
      'POST /notify HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"order_id":',
    );
    halfHeaders.write('POST /notify HTTP/1.1\r\nhost: x\r\ncontent-le');
    const others = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post(`${server.url}/notify`, JSON.stringify({ order_id: `o-${i}` })),
      ),
    );
    t.ok(
      others.every((r) => r.status === 200),
      'twenty other requests answered while two sit half-sent',
    );
    t.equal(notified.length, 20, 'the half-sent ones never reached onNotify');
    const halfClosed = new Promise<void>((resolve) => halfBody.on('close', () => resolve()));
    await finishesWithin(t, 3000, 'close() with half-sent requests open', server.close());
    await finishesWithin(t, 1000, 'the half-sent socket is closed', halfClosed);
  },
);

t.test('close() ends idle keep-alive sockets at once', async (t) => {
  const { server } = await ingress(t);
  const { Agent } = await import('undici');
  const agent = new Agent({ keepAliveTimeout: 60_000 });
  t.teardown(() => agent.close());
  const res = await request(`${server.url}/notify`, { method: 'POST', body: '{}', dispatcher: agent });
  await res.body.text();
  t.equal(res.headers.connection, 'keep-alive', 'the socket stays open after the answer');
  await finishesWithin(t, 500, 'close() with an idle keep-alive socket', server.close());
  await t.rejects(post(`${server.url}/notify`, '{}'), { code: 'ECONNREFUSED' }, 'nothing listens afterwards');
});

t.test('a port in use is refused with a ConfigError naming --port and the value', async (t) => {
  const { server } = await ingress(t);
  await t.rejects(
    startIngress({ port: server.port, onNotify: async () => ({ status: 200, body: {} }) }),
    new ConfigError(
      `option --port: got ${server.port}; port ${server.port} on 127.0.0.1 is already in use; allowed: a free port, or 0 to pick one`,
    ),
  );
  const still = await post(`${server.url}/notify`, '{}');
  t.equal(still.status, 200, 'the first one still serves');
});
