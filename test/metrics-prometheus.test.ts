/**
 * The Prometheus endpoint on a literal read model (issue 13, item 4): what each metric reads, the mode
 * label following the current mode, counters from the series' sums starting over on a new series (the
 * dashboard's restart), other paths and methods refused, and the linger that waits for one final scrape.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { labOptionsWith } from '../lab/config/parse-options.js';
import { preflight } from '../lab/preflight.js';
import type { LabSnapshot, SeriesRow } from '../lab/lab-view.js';
import { startMetricsServer } from '../lab/metrics/prometheus/metrics-server.js';
import { SeriesTotals } from '../lab/metrics/prometheus/series-totals.js';
import { rowWith, snapshotWith } from './helpers/lab-view-fixtures.js';
import { parsePrometheusText, sampleValue } from './helpers/prometheus-text.js';
import { probe } from './helpers/probes.js';

function literalSource() {
  const state: { snapshot: LabSnapshot; series: SeriesRow[] } = {
    snapshot: snapshotWith(),
    series: [
      rowWith(1, { invocations: 3, errors: 1, throttles: 2, deliverySuccesses: 1, deliveryFailures: 1 }),
      rowWith(2, { invocations: 4, timeouts: 1, errors: 1, deliverySuccesses: 2 }),
    ],
  };
  return { state, source: { snapshot: () => state.snapshot, series: () => state.series } };
}

async function scrape(url: string) {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

t.test('each metric reads the snapshot or the series sums, labelled by the current mode', async (t) => {
  const { state, source } = literalSource();
  const server = await startMetricsServer({ host: '127.0.0.1', port: 0, source });
  t.teardown(() => server.close());
  t.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  const first = await scrape(server.url);
  t.equal(first.status, 200);
  t.equal(first.type, 'text/plain; version=0.0.4; charset=utf-8');
  const m = parsePrometheusText(first.text);
  const none = { mode: 'none' };
  t.equal(sampleValue(m, 'stormlab_concurrency', { ...none, function: 'notify' }), 1);
  t.equal(sampleValue(m, 'stormlab_concurrency', { ...none, function: 'delivery' }), 4);
  t.equal(sampleValue(m, 'stormlab_peak_concurrency', none), 12);
  t.equal(sampleValue(m, 'stormlab_invocations_total', none), 7);
  t.equal(sampleValue(m, 'stormlab_function_errors_total', none), 2);
  t.equal(sampleValue(m, 'stormlab_throttles_total', none), 2);
  t.equal(sampleValue(m, 'stormlab_function_timeouts_total', none), 1);
  t.equal(sampleValue(m, 'stormlab_delivery_invocations_total', { outcome: 'success' }), 3);
  t.equal(sampleValue(m, 'stormlab_delivery_invocations_total', { outcome: 'failure' }), 1);
  t.equal(sampleValue(m, 'stormlab_retries_total', { kind: 'http' }), 20);
  t.equal(sampleValue(m, 'stormlab_retries_total', { kind: 'async' }), 1);
  t.equal(sampleValue(m, 'stormlab_retries_total', { kind: 'redelivery' }), 0);
  t.equal(sampleValue(m, 'stormlab_courier_requests_total', none), 40);
  t.equal(sampleValue(m, 'stormlab_courier_responses_total', { status: '429' }), 25);
  t.equal(sampleValue(m, 'stormlab_orders_accepted_total', none), 20);
  t.equal(sampleValue(m, 'stormlab_orders_total', { state: 'lost' }), 2);
  t.equal(sampleValue(m, 'stormlab_orders_in_flight', none), 8);
  t.equal(sampleValue(m, 'stormlab_cost_usd_total', none), 0.0001706421);
  t.equal(
    sampleValue(m, 'stormlab_run_info', { scenario: 'smoke', seed: '1', speed: '10', state: 'running' }),
    1,
  );
  for (const family of m.values()) {
    if (family.type === 'counter')
      t.match(family.name, /_total$/, `${family.name}: a counter's name ends in _total`);
    for (const s of family.samples) t.equal(s.labels['mode'], 'none', `${family.name}: labelled by mode`);
  }

  // Switched to the queue, one more second closed: the totals carry on under the new label only.
  state.snapshot = snapshotWith({ mode: 'queue' });
  state.series.push(rowWith(3, { invocations: 5, mode: 'queue' }));
  const switched = parsePrometheusText((await scrape(server.url)).text);
  t.equal(sampleValue(switched, 'stormlab_invocations_total', { mode: 'queue' }), 12);
  t.same(
    switched.get('stormlab_invocations_total')!.samples.map((s) => s.labels['mode']),
    ['queue'],
    'no sample left under the old mode',
  );

  // A restart hands over a new series: the sums start over.
  state.series = [rowWith(1, { invocations: 2 })];
  const restarted = parsePrometheusText((await scrape(server.url)).text);
  t.equal(sampleValue(restarted, 'stormlab_invocations_total', { mode: 'queue' }), 2);
  t.equal(server.scrapes, 3);
});

t.test('the series sums add only new rows', async (t) => {
  const totals = new SeriesTotals();
  const rows = [rowWith(1, { invocations: 1 })];
  t.equal(totals.read(rows).invocations, 1);
  rows.push(rowWith(2, { invocations: 10 }), rowWith(3, { invocations: 100 }));
  t.equal(totals.read(rows).invocations, 111);
  t.equal(totals.read(rows).invocations, 111, 'read twice, counted once');
});

t.test('other paths and methods are refused', async (t) => {
  const { source } = literalSource();
  const server = await startMetricsServer({ host: '127.0.0.1', port: 0, source });
  t.teardown(() => server.close());
  const base = server.url.replace(/\/metrics$/, '');
  t.equal((await fetch(`${base}/`)).status, 404);
  t.equal((await fetch(`${base}/metricsx`)).status, 404);
  const post = await fetch(server.url, { method: 'POST' });
  t.equal(post.status, 405);
  t.equal(post.headers.get('allow'), 'GET, HEAD');
  t.equal(server.scrapes, 0);
});

t.test('close with a linger waits for one scrape of the final figures, then stops serving', async (t) => {
  const { state, source } = literalSource();
  const server = await startMetricsServer({ host: '127.0.0.1', port: 0, source });
  state.snapshot = snapshotWith({ state: 'stopped' });
  let closed = false;
  const closing = server.close(120).then(() => (closed = true));
  t.equal(await probe(server.url), 'open', 'still serving while it lingers');
  t.equal(closed, false);
  const last = parsePrometheusText((await scrape(server.url)).text);
  t.equal(sampleValue(last, 'stormlab_run_info', { state: 'stopped' }), 1);
  await closing;
  t.equal(await probe(server.url), 'ECONNREFUSED');
});

t.test(
  'the Grafana dashboard reads only metrics the endpoint serves, from a datasource variable',
  async (t) => {
    const { source } = literalSource();
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, source });
    t.teardown(() => server.close());
    const served = new Set(parsePrometheusText((await scrape(server.url)).text).keys());
    const dashboard = JSON.parse(
      readFileSync(new URL('../grafana/stormlab-dashboard.json', import.meta.url), 'utf8'),
    ) as {
      templating: { list: { name: string; type: string; query: unknown }[] };
      panels: { title: string; datasource: { uid: string }; targets: { expr: string }[] }[];
    };
    t.match(
      dashboard.templating.list.find((v) => v.name === 'datasource'),
      { name: 'datasource', type: 'datasource', query: 'prometheus' },
    );
    t.ok(dashboard.panels.length >= 10, 'the terminal dashboard has as many views');
    for (const panel of dashboard.panels) {
      t.equal(panel.datasource.uid, '${datasource}', `${panel.title}: datasource from the variable`);
      for (const { expr } of panel.targets) {
        for (const name of expr.match(/stormlab_[a-z_]+/g) ?? [])
          t.ok(served.has(name), `${panel.title}: ${name} is served`);
      }
    }
  },
);

t.test('a --metrics-port in use is refused by the preflight, before anything starts', async (t) => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  t.teardown(() => holder.close());
  const held = (holder.address() as AddressInfo).port;
  const refused = await preflight(labOptionsWith({ scenario: 'smoke', metricsPort: held })).then(
    () => 'accepted',
    (err: Error) => err.message,
  );
  t.equal(
    refused,
    `option --metrics-port: got ${held}, but 127.0.0.1:${held} is already in use; allowed: a free port, or 0 to pick one`,
  );
  t.equal(
    await preflight(labOptionsWith({ scenario: 'smoke', metricsPort: 0 })).then(() => 'accepted'),
    'accepted',
  );
});
