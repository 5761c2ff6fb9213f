import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import t, { type Test } from 'tap';
import { actionFor } from '../tui/key-map.js';
import { concurrencyChart, WHOLE_RUN } from '../tui/view-model.js';
import { harness, KEY, type Harness } from './fixtures/dashboard-harness.js';

const joined = (rows: string[]): string => rows.join('\n');

/** The run's controls as the run itself reports them: what a key must have changed. */
const controls = (h: Harness) => {
  const s = h.session.snapshot();
  return {
    mode: s.mode,
    loadFactor: s.loadFactor,
    loadPaused: s.loadPaused,
    queueConcurrency: s.queueConcurrency,
  };
};

/**
 * Keys must answer within 100 ms (issue 5). The check is on the CPU time the key costs, which is what the
 * dashboard controls; wall time on a shared CI machine also depends on the neighbours.
 */
function assertWithinKeyBudget(t: Test, cpuMs: number, wallMs: number, what: string): void {
  t.ok(
    cpuMs < 100,
    `${what}: ${cpuMs.toFixed(1)} ms of CPU (${wallMs.toFixed(1)} ms wall); a key must be answered within 100 ms`,
  );
}

t.test("1 2 3 and m switch the run's mode, and the status bar says so at once", async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const sent = h.run.pipeline.queue.totals.sent;
  await h.press('2');
  t.equal(h.run.pipeline.mode, 'queue', 'the pipeline switched');
  t.match(h.text()[0], /MODE QUEUE/);
  t.match(h.text()[23], /mode: queue/, 'the hint bar confirms');
  await h.advance(10);
  t.ok(h.run.pipeline.queue.totals.sent > sent, 'new orders go through the queue');
  const granted = h.run.throttle.granted;
  await h.press('3');
  t.equal(controls(h).mode, 'throttle');
  t.match(h.text()[0], /MODE THROTTLE/);
  await h.advance(10);
  t.ok(h.run.throttle.granted > granted, 'courier calls now wait for the client-side bucket');
  await h.press('1');
  t.equal(controls(h).mode, 'none');
  t.match(h.text()[0], /MODE NONE/);
  await h.press('m');
  t.equal(controls(h).mode, 'queue', 'm cycles none -> queue');
  await h.press('m');
  t.equal(controls(h).mode, 'throttle');
  await h.press('m');
  t.equal(controls(h).mode, 'none', '... -> throttle -> none');
  await h.advance(1);
  await h.press('2');
  await h.advance(1);
  // The event source mapping ramps from 5 towards the cap, so the chart draws the poller's limit as it moves.
  const model = concurrencyChart(h.session.series(), h.session.snapshot(), WHOLE_RUN, 60);
  const line = model.series.find((s) => s.title === 'queue limit');
  t.ok(line, 'queue modes draw the poller limit on the concurrency chart');
  t.equal(line?.readout, '10', 'its readout is MaximumConcurrency');
});

t.test('+ and - step the load factor; space pauses and resumes the arrivals', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const rate = h.session.snapshot().loadRate;
  t.ok(rate > 0);
  await h.press('+');
  t.equal(controls(h).loadFactor, 1.25);
  t.equal(h.session.snapshot().loadRate, rate * 1.25, 'the load aims at 1.25 times the scenario rate');
  t.match(h.text()[0], /x1\.25/);
  await h.press('+');
  t.equal(controls(h).loadFactor, 1.5);
  await h.press('-');
  await h.press('-');
  await h.press('-');
  t.equal(controls(h).loadFactor, 0.75);
  t.match(h.text()[0], /x0\.75/);
  await h.press(' ');
  t.equal(controls(h).loadPaused, true);
  t.match(h.text()[0], /LOAD PAUSED/);
  t.match(h.text()[0], /load 0\.0\/s/);
  const accepted = h.session.snapshot().orders.accepted;
  await h.advance(20);
  t.equal(h.session.snapshot().orders.accepted, accepted, 'no order arrives while paused');
  await h.press(' ');
  t.equal(controls(h).loadPaused, false);
  t.match(h.text()[0], /RUNNING/);
  await h.advance(5);
  t.ok(h.session.snapshot().orders.accepted > accepted, 'orders arrive again');
});

t.test('[ and ] step the queue concurrency; the poller keeps to it', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  await h.press('[');
  t.equal(controls(h).queueConcurrency, 9);
  t.match(h.text()[23], /queue concurrency: 9 \(applies in queue and throttle modes\)/);
  await h.press(']');
  await h.press(']');
  t.equal(controls(h).queueConcurrency, 11);
  t.equal(h.run.pipeline.queueConcurrency, 11);
  await h.press('[');
  await h.press('[');
  await h.press('[');
  await h.press('[');
  await h.press('[');
  await h.press('[');
  await h.press('[');
  await h.press('[');
  t.equal(controls(h).queueConcurrency, 3);
  await h.press('2');
  const inFlight: number[] = [];
  h.run.on('sample', (row) => inFlight.push(row.queueInFlight));
  await h.advance(60);
  t.equal(inFlight.length, 60, 'one sample a scenario second');
  t.equal(Math.max(...inFlight), 3, 'the poller holds at most 3 messages in flight, and uses them all');
  const model = concurrencyChart(h.session.series(), h.session.snapshot(), WHOLE_RUN, 60);
  t.equal(model.series.find((s) => s.title === 'queue limit')?.readout, '3', 'the chart reads the new cap');
});

t.test(
  'r restarts the run from scenario time 0, s writes a snapshot report and shows its path',
  async (t) => {
    const h = await harness();
    t.teardown(() => h.close());
    const first = h.run;
    await h.press('s');
    await h.dash.idle();
    const path = /snapshot written: (\S+)/.exec(h.text()[23]!)?.[1];
    t.ok(path, 'the hint bar shows the path');
    t.match(h.text()[23], /report-snapshot-1\.json/);
    const snap = JSON.parse(
      readFileSync(join(dirname(h.run.files.report), 'report-snapshot-1.json'), 'utf8'),
    ) as {
      endedBy: string;
      durationS: number;
      orders: { accepted: number };
    };
    t.equal(snap.endedBy, 'snapshot');
    t.equal(snap.durationS, 300, 'the report covers the run so far');
    t.equal(snap.orders.accepted, h.session.snapshot().orders.accepted);
    t.match(joined(h.pane('log')), /report snapshot written/, 'and notes it in the log');
    h.wall.ms += 10_000;
    await h.advance(1);
    t.match(h.text()[23], /q quit/, 'the message goes after a few seconds');

    // Where the snapshots go is now a file, not a folder: the write fails, and the dashboard says why.
    const folder = dirname(h.run.files.report);
    rmSync(folder, { recursive: true, force: true });
    writeFileSync(folder, 'not a folder');
    await h.press('s');
    await h.dash.idle();
    t.match(h.text()[23], /snapshot failed: Error: (EEXIST|ENOTDIR)/);
    rmSync(folder);

    t.ok(h.session.series().length > 300);
    // Both keys in one read: r comes while the snapshot is still being written.
    const flashes: string[] = [];
    const onRender = (): number => flashes.push(h.dash.ui.flash?.text ?? '');
    h.term.screen.on('render', onRender);
    await h.press('sr');
    await h.dash.idle();
    h.term.screen.removeListener('render', onRender);
    t.match(flashes.join('\n'), /still writing the report snapshot; try again once it is done/);
    t.equal(h.run, first, 'the restart was not started behind the snapshot');
    await h.press('r');
    await h.dash.idle();
    t.not(h.run, first, 'a new run');
    t.equal(first.lifecycle, 'stopped', 'the old one stopped');
    t.ok(existsSync(first.files.report), "the old run's report is written");
    t.equal(h.session.snapshot().t, 0, 'scenario time starts again at 0');
    t.equal(h.session.series().length, 0);
    t.equal(h.session.snapshot().orders.accepted, 0);
    t.match(h.text()[0], /t 00:00/);
    t.match(h.text()[23], /run restarted/);
    await h.advance(30);
    t.ok(h.session.snapshot().orders.accepted > 0, 'and the new run goes on as the keys and the clock say');
    t.equal(h.session.series().length, 30);
  },
);

t.test(
  "/ filters the log by status or id; Enter shows one order's story, courier lines included",
  async (t) => {
    const h = await harness(120, 40, { historyS: 60 });
    t.teardown(() => h.close());
    for (let i = 0; i < 5; i++) await h.advance(20, 1000);
    await h.press('/');
    t.match(h.text()[39], /filter log \(id or START\/COMPLETE\/FAILED; Enter applies, Esc cancels\):/);
    await h.press('complete');
    t.match(h.text()[39], /: complete/, 'typed text shows, q and other keys are text here');
    await h.press(KEY.enter);
    const log = h.pane('log');
    t.match(log[0], /\[filter complete\]/);
    const lines = log.slice(1, -1).filter((l) => /\S/.test(l.slice(1, -1)));
    t.ok(lines.length > 5, 'matching lines fill the pane');
    t.ok(
      lines.every((l) => / COMPLETE /.test(l)),
      'only COMPLETE lines',
    );

    // Pick a delivered order's id from a line and filter by its first 8 characters.
    const cid8 = /deliver COMPLETE +([0-9a-f]{8}) /.exec(lines.join('\n'))![1]!;
    await h.press('/');
    await h.press('\x7f'.repeat(8) + cid8 + KEY.enter);
    const byId = h
      .pane('log')
      .slice(1, -1)
      .filter((l) => /\S/.test(l.slice(1, -1)));
    t.ok(byId.length >= 6, 'the order has its notify, delivery and courier lines');
    t.ok(
      byId.every((l) => l.includes(cid8)),
      'all of them this order',
    );
    t.match(joined(byId), /courier START/);
    t.match(joined(byId), /courier COMPLETE .* 200 /, "the courier's 200");

    await h.press(KEY.enter);
    t.equal(h.dash.ui.overlay, 'story');
    const story = joined(h.text());
    t.match(story, /Story of one order/);
    t.match(story, new RegExp(`correlation id ${cid8}-`), 'the full id');
    t.match(story, /notify START/);
    t.match(story, /deliver START/);
    t.match(story, /courier START .*POST \/slow/, 'the courier saw the request');
    t.match(story, /courier COMPLETE 200 .* \d+ ms/, 'and answered 200, with its duration');
    t.match(story, /deliver COMPLETE/);
    await h.press(KEY.escape);
    t.equal(h.dash.ui.overlay, 'none');
    t.notMatch(joined(h.text()), /Story of one order/);

    await h.press('/');
    await h.press('\x7f'.repeat(20) + KEY.enter);
    t.notMatch(h.pane('log')[0], /filter/, 'an empty filter clears it');
    t.match(h.text()[39], /log filter cleared/);

    await h.press('/x');
    await h.press(KEY.escape);
    t.equal(h.dash.ui.prompt, undefined, 'Esc cancels the prompt');
    t.equal(h.dash.logs.filter, undefined, 'and leaves the filter as it was');
  },
);

t.test('arrows select a log line; Enter on it tells its story; End follows again', async (t) => {
  const h = await harness(100, 30, { historyS: 60 });
  t.teardown(() => h.close());
  for (let i = 0; i < 4; i++) await h.advance(10, 1000);
  t.equal(h.dash.ui.focus, 'log', 'the log has the focus at start');
  await h.press(KEY.up);
  await h.press(KEY.up);
  t.match(h.pane('log')[0], /\[paused\]/);
  const selected = h.dash.ui.focus === 'log' ? h.dash.logs.shown.at(-2) : undefined;
  t.ok(selected?.record.correlation_id);
  await h.press(KEY.enter);
  t.equal(h.dash.ui.story?.correlationId, selected!.record.correlation_id, 'the story of the selected line');
  await h.press(KEY.escape);

  // A long story scrolls: lines written to the run's own log writer, as any handler's are.
  const cid = 'feedface-0000-4c0d-9e11-000000000000';
  for (let i = 0; i < 40; i++) {
    h.run.logs.write({
      level: 'INFO',
      message: `attempt ${i}`,
      timestamp: new Date().toISOString(),
      service: 'delivery-handler',
      correlation_id: cid,
    });
  }
  await h.advance(1, 1000);
  await h.press('/feedface' + KEY.enter);
  await h.press(KEY.enter);
  t.equal(h.dash.ui.story?.correlationId, cid);
  t.match(joined(h.text()), /attempt 0\b/);
  await h.press(KEY.down + KEY.down + KEY.down);
  t.equal(h.dash.ui.overlayScroll, 3, 'arrows scroll the story (past its two header lines)');
  t.notMatch(joined(h.text()), /attempt 0\b/);
  await h.press(KEY.escape);
  await h.press('/' + '\x7f'.repeat(8) + KEY.enter);
  await h.press(KEY.end);
  t.notMatch(h.pane('log')[0], /paused/);
});

t.test('Tab moves the focus; arrows zoom and pan the charts', async (t) => {
  const h = await harness(200, 60, { historyS: 900, quietS: 600 });
  t.teardown(() => h.close());
  t.match(h.pane('log')[0], /> Log/);
  await h.press(KEY.tab);
  t.equal(h.dash.ui.focus, 'conc');
  t.match(h.pane('conc')[0], /> Concurrency/);
  t.notMatch(h.pane('log')[0], /> Log/);
  await h.press(KEY.up);
  t.match(h.pane('conc')[0], /\[last 15m00s\]/, 'Up zooms to 15 minutes');
  t.match(h.pane('rates')[0], /\[last 15m00s\]/, 'all charts share the window');
  await h.press(KEY.up);
  await h.press(KEY.up);
  t.match(h.pane('conc')[0], /\[last 1m00s\]/);
  const before = h.pane('conc').join('\n');
  await h.press(KEY.left);
  t.match(h.pane('conc')[0], /\[last 1m00s, 30s ago\]/, 'Left pans back half a window');
  t.not(h.pane('conc').join('\n'), before);
  await h.press(KEY.right);
  t.match(h.pane('conc')[0], /\[last 1m00s\]/);
  for (let i = 0; i < 5; i++) await h.press(KEY.down);
  t.notMatch(h.pane('conc')[0], /\[last/, 'Down zooms out to the whole run');
  await h.press(KEY.tab);
  t.equal(h.dash.ui.focus, 'rates');
  await h.press(KEY.tab);
  await h.press(KEY.tab);
  t.equal(h.dash.ui.focus, 'log', 'and round again');
  await h.press('\x1b[Z');
  t.equal(h.dash.ui.focus, 'courier', 'Shift-Tab goes back');
});

t.test('? opens the help, Esc and ? close it; q and Ctrl-C quit', async (t) => {
  const h = await harness(80, 24, { historyS: 10 });
  t.teardown(() => h.close());
  await h.press('?');
  const help = joined(h.text());
  t.match(help, /Help: keys/);
  t.match(help, /1 2 3 +flow control: none, queue, throttle/);
  t.match(help, /q {2}Ctrl-C +quit/);
  await h.press(KEY.escape);
  t.notMatch(joined(h.text()), /Help: keys/);
  await h.press('?');
  await h.press('?');
  t.notMatch(joined(h.text()), /Help: keys/);
  await h.press('2');
  t.equal(controls(h).mode, 'queue', 'keys work again after the help');

  let quit = false;
  void h.dash.quitRequested.then(() => (quit = true));
  await h.press('q');
  t.ok(quit, 'q asks to quit');

  const h2 = await harness(80, 24, { historyS: 10 });
  t.teardown(() => h2.close());
  let quit2 = false;
  void h2.dash.quitRequested.then(() => (quit2 = true));
  await h2.press('/');
  await h2.press('q');
  t.notOk(quit2, 'q is text while typing a filter');
  await h2.press(KEY.ctrlC);
  t.ok(quit2, 'Ctrl-C quits even then');
});

t.test('too small: only q works', async (t) => {
  const h = await harness(50, 15, { historyS: 10 });
  t.teardown(() => h.close());
  const before = controls(h);
  for (const k of ['2', '+', ']', ' ']) await h.press(k);
  t.same(controls(h), before, 'no key changed the run');
  let quit = false;
  void h.dash.quitRequested.then(() => (quit = true));
  await h.press('q');
  t.ok(quit);
});

t.test('every key is answered with a fresh screen well within 100 ms, with an hour of history', async (t) => {
  const h = await harness(200, 60, { historyS: 3600, quietS: 3300 });
  t.teardown(() => h.close());
  t.equal(h.session.series().length, 3600);
  let renders = 0;
  h.term.screen.on('render', () => renders++);
  for (const k of [
    '2',
    '+',
    '-',
    ']',
    '[',
    ' ',
    ' ',
    '\t',
    KEY.up,
    KEY.left,
    KEY.right,
    KEY.down,
    '\t',
    '\t',
    '\t',
    '?',
    KEY.escape,
    'm',
    '1',
  ]) {
    const before = renders;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    h.term.input.write(k);
    // blessed parses input on 'data'; the render happens in the key handler itself.
    await new Promise((resolve) => setImmediate(resolve));
    const c = process.cpuUsage(c0);
    assertWithinKeyBudget(t, (c.user + c.system) / 1000, performance.now() - t0, `key ${JSON.stringify(k)}`);
    t.equal(renders, before + 1, `key ${JSON.stringify(k)} rendered once`);
  }
});

t.test('the key table: Enter is acted on once, prompts take text', async (t) => {
  const none = { overlay: 'none', prompting: false } as const;
  t.same(actionFor('\r', { full: 'return' }, none), { type: 'none' });
  t.same(actionFor('\r', { full: 'enter' }, none), { type: 'story' });
  t.same(actionFor('=', { full: '=' }, none), { type: 'load', dir: 1 });
  t.same(actionFor('q', { full: 'q' }, { overlay: 'none', prompting: true }), {
    type: 'prompt-char',
    ch: 'q',
  });
  t.same(
    actionFor('2', { full: '2' }, { overlay: 'help', prompting: false }),
    { type: 'none' },
    'the help swallows other keys',
  );
  t.same(actionFor(undefined, { full: 'C-c', ctrl: true }, { overlay: 'story', prompting: true }), {
    type: 'quit',
  });
});
