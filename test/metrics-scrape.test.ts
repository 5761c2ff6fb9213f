/**
 * `--metrics-port 0` on a real headless run (issue 13, item 4): the endpoint's line on stdout, a scrape
 * mid-run in the Prometheus text format, a scrape after an order of our own was accepted (its count must
 * show), counters that never go down, and the final scrape (held open by --metrics-linger-s) agreeing with
 * the report's figures. Waits on the process's lines and on our own request, never on a timer.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RunReport } from '../lab/report/build-report.js';
import { tempDir } from './helpers/capture.js';
import { parsePrometheusText, sampleValue, type Family } from './helpers/prometheus-text.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = tempDir('stormlab-metrics-scrape-');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** Every family the endpoint serves, and its type. */
const FAMILIES: Record<string, string> = {
  stormlab_concurrency: 'gauge',
  stormlab_concurrency_limit: 'gauge',
  stormlab_queue_concurrency: 'gauge',
  stormlab_peak_concurrency: 'gauge',
  stormlab_orders_in_flight: 'gauge',
  stormlab_queue_depth: 'gauge',
  stormlab_queue_in_flight: 'gauge',
  stormlab_queue_oldest_age_seconds: 'gauge',
  stormlab_load_rate: 'gauge',
  stormlab_courier_up: 'gauge',
  stormlab_scenario_seconds: 'gauge',
  stormlab_run_info: 'gauge',
  stormlab_invocations_total: 'counter',
  stormlab_function_errors_total: 'counter',
  stormlab_throttles_total: 'counter',
  stormlab_function_timeouts_total: 'counter',
  stormlab_delivery_invocations_total: 'counter',
  stormlab_retries_total: 'counter',
  stormlab_courier_requests_total: 'counter',
  stormlab_courier_responses_total: 'counter',
  stormlab_orders_accepted_total: 'counter',
  stormlab_orders_total: 'counter',
  stormlab_cost_usd_total: 'counter',
  stormlab_cost_gb_seconds_total: 'counter',
  stormlab_cost_requests_total: 'counter',
};

async function scrape(url: string): Promise<Map<string, Family>> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`scrape answered ${res.status}`);
  return parsePrometheusText(await res.text());
}

/** Counter samples by name and labels but mode, for comparing two scrapes. */
function counters(m: Map<string, Family>): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of m.values()) {
    if (f.type !== 'counter') continue;
    for (const s of f.samples) {
      const { mode: _mode, ...rest } = s.labels;
      out.set(`${s.name}${JSON.stringify(rest)}`, s.value);
    }
  }
  return out;
}

t.test('scraped mid-run and at the end; the final counters are the report figures', async (t) => {
  const report = join(dir, 'r.json');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'lab/cli.ts',
      '--headless',
      '--scenario',
      'smoke',
      // 40 scenario seconds take 8 real ones: ample for the mid-run scrapes.
      '--speed',
      '5',
      '--seed',
      '3',
      '--report',
      report,
      '--log-file',
      join(dir, 'l.jsonl'),
      '--metrics-port',
      '0',
      '--metrics-linger-s',
      '120',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const lineMatching = async (re: RegExp): Promise<RegExpExecArray> => {
    for (;;) {
      const next = await lines.next();
      if (next.done) throw new Error(`stdout ended before ${re}; stderr: ${stderr}`);
      const m = re.exec(next.value);
      if (m) return m;
    }
  };

  const ingress = (await lineMatching(/^ingress listening on (\S+)$/))[1]!;
  const url = (await lineMatching(/^metrics listening on (http:\/\/127\.0\.0\.1:\d+\/metrics)$/))[1]!;

  const first = await scrape(url);
  for (const [name, type] of Object.entries(FAMILIES)) {
    t.equal(first.get(name)?.type, type, `${name}: a ${type}`);
    t.ok((first.get(name)?.help ?? '') !== '', `${name}: has help`);
  }
  t.same([...first.keys()].sort(), Object.keys(FAMILIES).sort(), 'no other family');
  t.equal(
    sampleValue(first, 'stormlab_run_info', {
      mode: 'none',
      engine: 'threads',
      scenario: 'smoke',
      seed: '3',
      speed: '5',
    }),
    1,
  );
  t.equal(first.get('stormlab_run_info')!.samples[0]!.labels['state'], 'running', 'scraped mid-run');

  // An order of our own: once the ingress has answered, the count includes it.
  const answer = await fetch(`${ingress}/notify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ order_id: 'scrape-test' }),
  });
  t.equal(answer.status, 200);
  const second = await scrape(url);
  t.ok(sampleValue(second, 'stormlab_orders_accepted_total') >= 1, 'our order is counted');
  // Function counts by kind come from the series (as of the last closed scenario second); billed requests are
  // read live, so the notify invocation that accepted our order is in them already.
  t.ok(
    sampleValue(second, 'stormlab_cost_requests_total') > sampleValue(first, 'stormlab_cost_requests_total'),
    'its notify invocation is billed',
  );
  const before = counters(first);
  for (const [key, value] of counters(second)) {
    t.ok(value >= (before.get(key) ?? 0), `${key}: never goes down`);
  }

  const written = (await lineMatching(/^report written to (\S+)$/))[1]!;
  t.equal(written, report);
  const last = await scrape(url);
  t.equal(await exited, 0, `the run ends once the final figures were scraped (${stderr})`);
  const r = JSON.parse(readFileSync(report, 'utf8')) as RunReport;
  t.equal(last.get('stormlab_run_info')!.samples[0]!.labels['state'], 'stopped');

  const v = (name: string, labels: Record<string, string> = {}): number => sampleValue(last, name, labels);
  const fns = [r.functions.notify, r.functions.delivery];
  const sum = (key: string): number => fns.reduce((n, f) => n + (f[key] ?? 0), 0);
  t.equal(v('stormlab_invocations_total'), sum('invocations'), 'invocations');
  t.equal(v('stormlab_function_errors_total'), sum('errors'), 'errors');
  t.equal(v('stormlab_throttles_total'), sum('throttles'), 'throttles');
  t.equal(v('stormlab_function_timeouts_total'), sum('timeouts'), 'timeouts');
  t.equal(v('stormlab_delivery_invocations_total', { outcome: 'failure' }), r.functions.delivery['errors']);
  t.equal(v('stormlab_retries_total', { kind: 'http' }), r.retries.http);
  t.equal(v('stormlab_retries_total', { kind: 'async' }), r.retries.async);
  t.equal(v('stormlab_retries_total', { kind: 'redelivery' }), r.retries.redeliveries);
  t.equal(v('stormlab_courier_requests_total'), r.courier.requests);
  const byStatus = Object.fromEntries(
    last.get('stormlab_courier_responses_total')!.samples.map((s) => [s.labels['status'], s.value]),
  );
  t.same(byStatus, r.courier.byStatus, 'courier answers by status');
  t.equal(v('stormlab_orders_accepted_total'), r.orders.accepted);
  t.equal(v('stormlab_orders_total', { state: 'delivered' }), r.orders.delivered);
  t.equal(v('stormlab_orders_total', { state: 'lost' }), r.orders.lost);
  t.equal(v('stormlab_orders_total', { state: 'dead_lettered' }), r.orders.deadLettered);
  t.equal(v('stormlab_orders_total', { state: 'rejected' }), r.orders.rejected);
  t.equal(v('stormlab_orders_in_flight'), r.orders.inFlight);
  t.equal(v('stormlab_peak_concurrency'), r.peakConcurrency);
  t.equal(v('stormlab_cost_requests_total'), r.cost.requests);
  t.equal(Math.round(v('stormlab_cost_usd_total') * 1e6) / 1e6, r.cost.usd, 'cost, to the report rounding');
  t.equal(Math.round(v('stormlab_cost_gb_seconds_total') * 1e3) / 1e3, r.cost.gbSeconds);
  t.equal(Math.round(v('stormlab_scenario_seconds') * 1e3) / 1e3, r.durationS);
  t.ok(r.orders.accepted >= 1, 'the run accepted orders');
});
