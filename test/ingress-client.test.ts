import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { createIngressClient } from '../lab/ingress/ingress-client.js';
import { startIngress } from '../lab/ingress/ingress-server.js';
import { LoadGenerator } from '../lab/load/load-generator.js';
import { createOrderFactory } from '../lab/load/order-factory.js';
import { RealClock } from '../lab/time/clock.js';
import { SeededRandom } from '../lab/time/random.js';

t.test('orders: seeded, unique, small JSON objects', async (t) => {
  const a = createOrderFactory(new SeededRandom(7));
  const b = createOrderFactory(new SeededRandom(7));
  const first = Array.from({ length: 200 }, () => a());
  t.same(
    first,
    Array.from({ length: 200 }, () => b()),
    'the same seed gives the same orders',
  );
  t.equal(new Set(first.map((o) => o.order_id)).size, 200, 'order ids are unique');
  t.equal(first[0]!.order_id, 'ord-00000007-000001');
  t.notSame(
    createOrderFactory(new SeededRandom(8))().customer,
    createOrderFactory(new SeededRandom(7))().customer,
    'another seed, other orders',
  );
  t.match(first[0], {
    customer: { id: /^cus-\d{5}$/, name: String, email: /@example\.com$/ },
    items: Array,
    address: { street: String, city: String, postcode: /^\d{4}$/, country: 'AU' },
  });
  t.ok(
    first.every((o) => o.items.length >= 1 && o.items.length <= 3 && JSON.stringify(o).length < 1024),
    '1 to 3 items, under 1 KiB each',
  );
});

t.test('the client posts orders through the ingress, the same door outside clients use', async (t) => {
  const seen: unknown[] = [];
  const ingress = await startIngress({
    port: 0,
    onNotify: async (body, headers) => {
      seen.push({ body, type: headers['content-type'] });
      return { status: 200, body: { request_id: `r${seen.length}`, correlation_id: `c${seen.length}` } };
    },
  });
  t.teardown(() => ingress.close());
  const client = createIngressClient(ingress.url);
  t.teardown(() => client.close());
  const next = createOrderFactory(new SeededRandom(1));
  const order = next();
  const answer = await client.postOrder(order);
  t.same(answer, { status: 200, body: { request_id: 'r1', correlation_id: 'c1' } });
  t.same(seen[0], { body: order, type: 'application/json' });

  // The built-in load end to end: a LoadGenerator on a fast real clock posting through the client.
  const clock = new RealClock({ speed: 50 });
  const answers: Promise<{ status: number }>[] = [];
  const generator = new LoadGenerator({
    clock,
    scenario: { phases: [{ duration: 10, arrivalRate: 5 }] },
    send: () => answers.push(client.postOrder(next())),
  });
  generator.start();
  await generator.done;
  const statuses = (await Promise.all(answers)).map((a) => a.status);
  t.equal(statuses.length, 50, 'every arrival of 10 s at 5/s posted');
  t.ok(
    statuses.every((s) => s === 200),
    'all answered 200',
  );
  t.equal(seen.length, 51);
});

t.test('bounded connections, answers that are not JSON, and a refused connection', async (t) => {
  let open = 0;
  let mostOpen = 0;
  let inFlight = 0;
  let mostInFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        inFlight--;
        res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway');
      }, 5),
    );
  });
  server.on('connection', (socket) => {
    open++;
    mostOpen = Math.max(mostOpen, open);
    socket.on('close', () => open--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = createIngressClient(url, { connections: 3 });
  const answers = await Promise.all(
    Array.from({ length: 30 }, (_, i) => client.postOrder({ order_id: `o${i}` })),
  );
  t.ok(
    answers.every((a) => a.status === 502 && a.body === 'Bad Gateway'),
    'a text answer comes back as text',
  );
  t.ok(mostOpen <= 3, `at most 3 connections (saw ${mostOpen})`);
  t.ok(mostInFlight <= 3, `at most 3 requests at once (saw ${mostInFlight})`);
  await client.close();

  const refused = createIngressClient('http://127.0.0.1:1');
  t.teardown(() => refused.destroy());
  await t.rejects(refused.postOrder({ order_id: 'x' }), { code: 'ECONNREFUSED' });
});
