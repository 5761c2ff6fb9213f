import t, { type Test } from 'tap';
import { fmtUsd } from '../tui/format.js';
import { PANEL_IDS } from '../tui/layout.js';
import { harness, tick, type Harness } from './fixtures/dashboard-harness.js';

const joined = (rows: string[]): string => rows.join('\n');

/** Every pane's top-left corner is a border corner where the layout put it: nothing drawn over another. */
function assertTiled(t: Test, h: Harness): void {
  const text = h.text();
  for (const id of PANEL_IDS) {
    const r = h.dash.layout.panels[id]!;
    const top = text[r.top]!;
    const bottom = text[r.top + r.height - 1]!;
    t.equal(top[r.left], '\u250c', `${id}: top-left corner`);
    t.equal(top[r.left + r.width - 1], '\u2510', `${id}: top-right corner`);
    t.equal(bottom[r.left], '\u2514', `${id}: bottom-left corner`);
    t.equal(bottom[r.left + r.width - 1], '\u2518', `${id}: bottom-right corner`);
  }
}

t.test("80x24: every pane, labelled with its unit, with the run's numbers", async (t) => {
  const h = await harness(80, 24, { historyS: 600 });
  t.teardown(() => h.close());
  await h.advance(2);
  const text = h.text();
  t.equal(text.length, 24);
  t.ok(
    text.every((l) => l.length === 80),
    'every row is exactly the terminal width',
  );
  assertTiled(t, h);
  const snap = h.session.snapshot();

  t.match(
    text[0],
    /^ +MODE NONE +t 10:02\/18:00 +RUNNING +load \S+\/s x1 +virtual 10x/,
    'status bar, with the engine',
  );
  t.match(text[23], /^q quit {2}\? help {2}1\/2\/3 mode {2}\+\/- load {2}space pause/, 'hint bar');

  const conc = joined(h.pane('conc'));
  t.match(conc, /Concurrency, executions/);
  t.match(conc, /total \d+ {2}.*limit 1000/, 'colour key with current values and the limit');
  t.match(conc, /[\u2800-\u28ff]/, 'braille plot');
  t.match(conc, /00:0\d +0\d:\d\d/, 'x axis in scenario time');

  const rates = h.pane('rates');
  t.match(rates[0], /Functions, per second/);
  t.same(
    rates.slice(1, 5).map((l) => l.slice(1).split(/\s+/)[0]),
    ['invocations', 'errors', 'throttles', 'retries'],
  );
  const courier = h.pane('courier');
  t.match(courier[0], /Courier answers, per second/);
  t.same(
    courier.slice(1, 4).map((l) => l.slice(1, 4)),
    ['200', '429', '5xx'],
  );
  const last = h.session.series().at(-1)!;
  t.match(courier[2], new RegExp(`${last.courier429} *\\u2502$`), '429 readout is the last second');

  const gauges = joined(h.pane('gauges'));
  t.match(gauges, /Health, %/);
  for (const g of ['delivery ok', 'courier 200s', 'conc/limit', 'retries/calls'])
    t.match(gauges, new RegExp(`${g} +[\\u2588\\u2591]+ +\\d+%`));

  const orders = joined(h.pane('orders'));
  t.match(orders, /Orders, count/);
  t.match(orders, new RegExp(`accepted +${snap.orders.accepted}\\b`));
  t.match(orders, new RegExp(`lost +${snap.orders.lost}\\b`));
  t.match(orders, /in flight +\d+/);
  t.match(orders, /queued +0/);
  t.match(orders, /(DLQ|dead-lettered) +0/);
  t.match(orders, /oldest +0s/);
  t.match(orders, new RegExp(`cost +\\${fmtUsd(snap.cost.usd)}`));

  const log = h.pane('log');
  t.match(log[0], /Log, lines/);
  t.match(
    joined(log),
    /(notify|deliver|courier) +(START|COMPLETE|FAILED|200|429|502) +[0-9a-f]{8}/,
    'structured lines',
  );
});

t.test('200x60: three line charts, tall gauges, more order rows, a wide log', async (t) => {
  const h = await harness(200, 60, { historyS: 900 });
  t.teardown(() => h.close());
  await h.advance(1);
  const text = h.text();
  t.ok(text.every((l) => l.length === 200));
  assertTiled(t, h);
  t.match(
    text[0],
    /virtual 10x +phase 4\/4 Sustained load +seed 7 +seed-article/,
    'the whole status bar fits',
  );
  t.match(text[59], /Tab focus {2}Enter story/, 'all hints fit');
  t.match(joined(h.pane('conc')), /total \d+ {2}delivery \d+ {2}notify \d+ {2}limit 1000/);
  t.match(
    joined(h.pane('rates')),
    /invocations [\d.]+ {2}errors [\d.]+ {2}throttles [\d.]+ {2}retries [\d.]+/,
  );
  t.match(joined(h.pane('courier')), /200 [\d.]+ {2}429 [\d.]+ {2}5xx [\d.]+/);
  for (const id of ['rates', 'courier'] as const)
    t.match(joined(h.pane(id)), /[\u2800-\u28ff]{10}/, `${id} is a line chart`);
  const gauges = joined(h.pane('gauges'));
  t.match(gauges, /delivery ok, last minute: \d+ of \d+ invocations +\d+%/);
  t.match(gauges, /concurrency of limit, now: \d+ of 1000 +\d+%/);
  const orders = joined(h.pane('orders'));
  for (const label of [
    'dead-lettered',
    'oldest queued',
    'cost so far',
    'courier calls/order',
    'peak concurrency',
  ]) {
    t.match(orders, label);
  }
  const log = h.pane('log');
  t.match(log[1], /^\u2502\d\d:\d\d:\d\d (notify|deliver|courier)/, 'wide log lines carry the time');
});

t.test('resize: re-lays out, rebuilds the canvases, and says when the terminal is too small', async (t) => {
  const h = await harness(80, 24, { historyS: 300 });
  t.teardown(() => h.close());
  t.equal(h.dash.layout.kind, 'compact');
  h.term.resize(200, 60);
  await tick();
  t.equal(h.dash.layout.kind, 'full');
  t.equal(h.text()[0]!.length, 200);
  t.equal(
    h.dash.widgets.conc.canvasSize.width,
    (h.dash.layout.panels.conc!.width as number) * 2 - 12,
    'canvas follows the pane',
  );
  assertTiled(t, h);
  t.match(joined(h.pane('courier')), /[\u2800-\u28ff]{10}/, 'courier became a chart');

  h.term.resize(50, 15);
  await tick();
  const small = joined(h.text());
  t.match(small, /Terminal too small: 50x15/);
  t.match(small, /needs 60x20/);
  t.notMatch(small, /Concurrency/, 'no pane is drawn');

  h.term.resize(80, 24);
  await tick();
  t.equal(h.dash.layout.kind, 'compact');
  assertTiled(t, h);
  t.notMatch(joined(h.text()), /too small/);
  t.equal(h.dash.widgets.conc.canvasSize.width, 46 * 2 - 12);
});

t.test('an empty run draws without data', async (t) => {
  const h = await harness(80, 24, { historyS: 0 });
  t.teardown(() => h.close());
  const text = joined(h.text());
  t.match(text, /Concurrency, executions/);
  t.match(text, /t 00:00\/18:00/);
  t.match(text, /delivery ok +\u2591+ +-/, 'no fraction yet');
});

t.test('one frame renders once and writes no full clear in steady state', async (t) => {
  const h = await harness(120, 40, { historyS: 100 });
  t.teardown(() => h.close());
  await tick();
  h.term.clearWritten();
  let renders = 0;
  h.term.screen.on('render', () => renders++);
  for (let i = 0; i < 5; i++) {
    await h.advance(1);
    await tick();
  }
  t.equal(renders, 5, 'one render per frame');
  t.not(h.term.written().includes('\x1b[2J'), true, 'no clear screen: blessed sends only the changed cells');
});
