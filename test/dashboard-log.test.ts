import t from 'tap';
import type { LogRecord } from '../lab/logs/log-record.js';
import { CourierLog } from '../lab/courier/courier-log.js';
import { LogWriter } from '../lab/logs/log-writer.js';
import { LogModel, matchesFilter, parseFilter } from '../tui/log-model.js';
import {
  cutLine,
  formatLogLine,
  lineDetail,
  logColour,
  logLineText,
  LogScroll,
  storyLines,
} from '../tui/log-pane.js';

let n = 0;
function rec(fields: Partial<LogRecord> = {}): LogRecord {
  n++;
  return {
    level: 'INFO',
    message: `line ${n}`,
    timestamp: new Date(Date.UTC(2025, 0, 1, 12, 0, 0) + n * 10).toISOString(),
    service: 'delivery-handler',
    ...fields,
  };
}

t.test('filter words: statuses and levels, anything else is part of a correlation id', async (t) => {
  t.equal(parseFilter('  '), undefined);
  t.same(parseFilter('failed'), { kind: 'status', value: 'FAILED', raw: 'failed' });
  t.same(parseFilter('Error'), { kind: 'status', value: 'ERROR', raw: 'Error' });
  t.same(parseFilter('AB12'), { kind: 'cid', value: 'ab12', raw: 'AB12' });
  t.ok(matchesFilter(rec({ status: 'FAILED' }), parseFilter('FAILED')));
  t.ok(matchesFilter(rec({ level: 'ERROR' }), parseFilter('error')));
  t.notOk(matchesFilter(rec({ status: 'START' }), parseFilter('FAILED')));
  t.ok(matchesFilter(rec({ correlation_id: 'xx-AB12-yy' }), parseFilter('ab12')));
  t.same(parseFilter('Courier'), { kind: 'service', value: 'slow-api', raw: 'Courier' });
  t.ok(matchesFilter(rec({ service: 'slow-api' }), parseFilter('courier')));
  t.notOk(matchesFilter(rec({ service: 'delivery-handler' }), parseFilter('courier')));
  t.ok(matchesFilter(rec({ service: 'notify-handler' }), parseFilter('notify')));
  t.notOk(matchesFilter(rec({}), parseFilter('ab12')), 'no correlation id: no match');
});

t.test('a fast stream is sampled down to what a person can read', async (t) => {
  const logs = new LogModel({ linesPerSecond: 10 });
  logs.flush(0);
  for (let i = 0; i < 1000; i++) logs.ingest(rec());
  logs.flush(1000);
  t.equal(logs.shown.length, 20, 'the first burst is capped at two seconds of reading');
  // 1000 lines a second for 5 s, flushed at 4 frames a second: the stride settles near 100.
  let before = logs.shown.length;
  for (let frame = 1; frame <= 20; frame++) {
    for (let i = 0; i < 250; i++) logs.ingest(rec());
    logs.flush(1000 + frame * 250);
    if (frame === 16) before = logs.shown.length;
  }
  t.ok(logs.stride >= 95 && logs.stride <= 101, `one in about 100 (${logs.stride})`);
  const lastSecond = logs.shown.length - before;
  t.ok(lastSecond >= 9 && lastSecond <= 12, `about ten lines a second (${lastSecond})`);
  // Batches with quiet frames between them do not reset the sampling.
  for (let i = 0; i < 500; i++) logs.ingest(rec());
  logs.flush(6250);
  logs.flush(6500);
  t.ok(logs.stride > 40, `a quiet frame keeps the stride up (${logs.stride})`);
  for (let s = 7; s < 14; s++) {
    for (let i = 0; i < 5; i++) logs.ingest(rec());
    logs.flush(s * 1000);
  }
  t.equal(logs.stride, 1, 'a slow stream is shown whole again');
  t.equal(logs.received, 1000 + 5000 + 500 + 35);
});

t.test('the story index is bounded by ids and by lines, and keeps both ends of a story', async (t) => {
  const logs = new LogModel({ indexIds: 3, perIdLines: 6 });
  for (const cid of ['a', 'b', 'c'])
    logs.ingest(rec({ correlation_id: cid, status: 'START', message: `${cid} start` }));
  logs.ingest(rec({ correlation_id: 'a', message: 'a again' })); // a is now the most recently active
  logs.ingest(rec({ correlation_id: 'd' }));
  t.equal(logs.indexedIds, 3);
  t.equal(logs.story('b'), undefined, 'the least recently active id went');
  t.ok(logs.story('a'));
  for (let i = 0; i < 20; i++) logs.ingest(rec({ correlation_id: 'a', message: `attempt ${i}` }));
  logs.ingest(rec({ correlation_id: 'a', status: 'COMPLETE', message: 'a delivered' }));
  const story = logs.story('a')!;
  t.equal(story.records.length, 6);
  t.equal(story.omitted, 17, '23 lines, 6 kept');
  t.equal(story.records[0]!.message, 'a start', 'the start stays');
  t.equal(story.records[5]!.message, 'a delivered', 'the end stays');
  const lines = storyLines(story, 100);
  t.match(lines[0], /correlation id a/);
  t.ok(lines.some((l) => /17 lines from the middle/.test(l)));
  t.equal(logs.findCorrelationId('A'), 'a');
});

t.test('filters refill the pane from recent lines and, for an id, from its story', async (t) => {
  const logs = new LogModel({ recentSize: 5, linesPerSecond: 1000 });
  logs.ingest(rec({ correlation_id: 'old-1', status: 'START', message: 'first' }));
  for (let i = 0; i < 10; i++)
    logs.ingest(rec({ correlation_id: `other-${i}`, status: i % 2 ? 'FAILED' : 'COMPLETE' }));
  logs.setFilter(parseFilter('FAILED'));
  t.same(
    logs.shown.map((e) => e.record.status),
    ['FAILED', 'FAILED', 'FAILED'],
    'the matching lines among the five recent ones (others 5 to 9)',
  );
  logs.ingest(rec({ status: 'COMPLETE' }));
  logs.ingest(rec({ status: 'FAILED', message: 'new failure' }));
  logs.flush(0);
  logs.flush(100);
  t.equal(logs.shown[logs.shown.length - 1]!.record.message, 'new failure', 'new matching lines follow');
  t.equal(logs.shown.filter((e) => e.record.status !== 'FAILED').length, 0);
  logs.setFilter(parseFilter('old-1'));
  t.same(
    logs.shown.map((e) => e.record.message),
    ['first'],
    'an id older than the recent ring comes from the index',
  );
  logs.setFilter(undefined);
  t.equal(logs.shown.length, 5);
  logs.note({
    level: 'INFO',
    message: 'run restarted',
    timestamp: new Date().toISOString(),
    service: 'stormlab',
  });
  t.equal(logs.shown[logs.shown.length - 1]!.record.message, 'run restarted');
});

t.test('lines: coloured by status, cut at a word, narrow panes drop the time', async (t) => {
  const r = rec({
    correlation_id: '0123456789abcdef',
    status: 'FAILED',
    message: 'gave up after 5 attempts',
    timestamp: '2025-01-01T12:34:56.789Z',
  });
  t.equal(logColour(r), 'red');
  t.equal(logColour(rec({ status: 'COMPLETE' })), 'green');
  t.equal(logColour(rec({ status: 'START' })), 'cyan');
  t.equal(logColour(rec({ level: 'WARN' })), 'yellow');
  t.match(logLineText(r, 100), /^12:34:56 deliver FAILED {3}01234567 gave up after 5 attempts$/);
  t.match(logLineText(r, 40), /^deliver FAILED {3}01234567 gave up/);
  t.equal(cutLine('one two three', 9), 'one two');
  t.equal(cutLine('abcdefghij', 5), 'abcde', 'no space near the end: a hard cut');
  t.equal(formatLogLine(r, 30), '{red-fg}deliver FAILED   01234567 gave{/red-fg}');
  t.match(
    formatLogLine(rec({ message: 'a {bold} b' }), 80),
    /\{open\}bold\{close\}/,
    'tags in messages are escaped',
  );
  t.match(formatLogLine(r, 30, true), /^\{inverse\}.{30}\{\/inverse\}$/);
});

t.test('scrolling: follow the tail, or hold a line while new ones arrive', async (t) => {
  const logs = new LogModel({ linesPerSecond: 1000 });
  const add = (k: number): void => {
    for (let i = 0; i < k; i++) logs.ingest(rec());
    logs.flush(Date.now());
  };
  add(10);
  const s = new LogScroll();
  let v = s.view(logs.shown, 4);
  t.same(v.rows, logs.shown.slice(6));
  t.equal(v.selectedRow, -1, 'following: nothing selected');
  s.move(logs.shown, -1, 4);
  v = s.view(logs.shown, 4);
  t.equal(v.selectedRow, 3, 'the first Up selects the newest line');
  s.move(logs.shown, -5, 4);
  const held = s.selected;
  add(20);
  v = s.view(logs.shown, 4);
  t.equal(v.rows[v.selectedRow], held, 'the selection stays on its line');
  t.notOk(s.follow);
  s.home(logs.shown);
  t.equal(s.view(logs.shown, 4).rows[0], logs.shown[0]);
  s.move(logs.shown, 1000, 4);
  t.ok(s.follow, 'past the bottom: following again');
  s.move(logs.shown, -1, 4);
  s.end();
  t.ok(s.follow);
});

/** Courier lines exactly as the courier writes them: CourierLog into a log writer, read by its listener. */
function courierLines(): LogRecord[] {
  const writer = new LogWriter({ file: undefined });
  const seen: LogRecord[] = [];
  writer.subscribe((r) => seen.push(r));
  const log = new CourierLog(writer, Date.UTC(2025, 0, 1, 12, 0, 0));
  const cid = 'c0ffee00-1111-4c0d-9e11-222222222222';
  log.start(1000, cid, 'req-1', 'POST', '/slow');
  log.end(1003, 429, 'Too Many Requests', cid, 'req-1', 3);
  log.start(6000, cid, 'req-2', 'POST', '/slow');
  log.end(6812, 200, 'delivery scheduled', cid, 'req-2', 812);
  log.start(9000, cid, 'req-3', 'POST', '/slow');
  log.end(9004, 502, 'Internal server error', cid, 'req-3', 4);
  void writer.close();
  return seen;
}

t.test('courier lines: a courier label, the request, the HTTP status and the duration', async (t) => {
  const [start, tooMany, start2, ok, , failed] = courierLines();
  t.match(start, { service: 'slow-api', status: 'START', request_id: 'req-1' }, 'as the courier writes it');
  t.match(tooMany, { status: 'FAILED', http_status: 429, duration_ms: 3, level: 'WARN' });
  t.match(
    logLineText(start!, 100),
    /^12:00:01 courier START {4}c0ffee00 POST \/slow$/,
    'START: the request it received',
  );
  t.match(logLineText(tooMany!, 100), /^12:00:01 courier FAILED {3}c0ffee00 429 Too Many Requests, 3 ms$/);
  t.match(logLineText(ok!, 100), /^12:00:06 courier COMPLETE c0ffee00 200 delivery scheduled, 812 ms$/);
  t.equal(lineDetail(failed!), '502 Internal server error, 4 ms');
  t.equal(logColour(start2!), 'cyan');
  t.equal(logColour(tooMany!), 'yellow', "a 429 is the storm's usual answer, not an error");
  t.equal(logColour(ok!), 'green');
  t.equal(logColour(failed!), 'red');
  t.match(
    formatLogLine(tooMany!, 40),
    /^\{yellow-fg\}courier FAILED {3}c0ffee00 429 Too Many\{\/yellow-fg\}$/,
  );
});

t.test("courier lines join the order's story and answer the filters", async (t) => {
  const logs = new LogModel({ linesPerSecond: 1000 });
  const cid = 'c0ffee00-1111-4c0d-9e11-222222222222';
  const at = (ms: number): string => new Date(Date.UTC(2025, 0, 1, 12, 0, 0) + ms).toISOString();
  const delivery = { correlation_id: cid, service: 'delivery-handler' as const };
  // The delivery function's lines come when its invocation ends, after the courier's: the story sorts by time.
  logs.ingest(rec({ ...delivery, status: 'START', message: 'delivering', timestamp: at(500) }));
  for (const r of courierLines()) logs.ingest(r);
  logs.ingest(rec({ ...delivery, level: 'WARN', message: 'courier answered 429', timestamp: at(1003) }));
  logs.ingest(rec({ ...delivery, status: 'COMPLETE', message: 'done', timestamp: at(9500) }));
  const story = logs.story(cid)!;
  t.equal(story.records.length, 9, 'the delivery lines and the six courier lines');
  const lines = storyLines(story, 200).map((l) => l.replace(/\{[^}]*\}/g, ''));
  t.match(lines[2], /^12:00:00\.500 deliver START delivering$/);
  t.match(lines[3], /^12:00:01\.000 courier START POST \/slow {2}request_id=req-1$/);
  t.match(lines[4], /^12:00:01\.003 courier FAILED 429 Too Many Requests, 3 ms {2}request_id=req-1$/);
  t.match(lines[5], /^12:00:01\.003 deliver WARN courier answered 429$/, 'the retry note after the answer');
  t.match(lines[7], /^12:00:06\.812 courier COMPLETE 200 delivery scheduled, 812 ms {2}request_id=req-2$/);
  t.match(lines[10], /^12:00:09\.500 deliver COMPLETE done$/, 'the end last');
  t.notMatch(lines.join('\n'), /http_status=|duration_ms=/, 'shown once, in the line itself');

  logs.setFilter(parseFilter('courier'));
  t.equal(logs.shown.length, 6, 'the courier filter keeps its six lines');
  logs.setFilter(parseFilter('failed'));
  t.same(
    logs.shown.map((e) => e.record.http_status),
    [429, 502],
    "FAILED is the courier's word for every answer but 200",
  );
});
