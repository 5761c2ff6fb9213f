import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CourierLog } from '../lab/courier/courier-log.js';
import type { LogRecord } from '../lab/logs/log-record.js';
import { LogWriter } from '../lab/logs/log-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'stormlab-courier-log-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const STARTED = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A sink that keeps both the hand-made lines and the records they stand for. */
function twoWaySink() {
  const lines: string[] = [];
  const records: LogRecord[] = [];
  return {
    lines,
    records,
    write: (r: LogRecord) => void records.push(r),
    writeLine: (line: string, record: () => LogRecord) => {
      lines.push(line);
      records.push(record());
    },
  };
}

t.test('hand-made lines are exactly JSON.stringify of their records', async (t) => {
  const sink = twoWaySink();
  const log = new CourierLog(sink, STARTED);
  const awkward = 'quote " backslash \\ newline \n tab \t unicode é ✓ \u0001';
  log.start(1500.7, 'corr-1', 'abc-1', 'POST', '/slow');
  log.end(1500.9, 200, 'delivery scheduled', 'corr-1', 'abc-1', 0);
  log.start(2000, undefined, 'abc-2', 'GET', '/slow?x="y"');
  log.end(2000, 405, 'Method Not Allowed', undefined, 'abc-2', 0);
  log.start(3000, awkward, 'abc-3', 'POST', '/sl\\ow');
  log.end(32000, 504, 'Endpoint request timed out', awkward, 'abc-3', 29000);
  log.end(32000, 429, 'Too Many Requests', 'other', 'abc-4', 0);
  t.equal(sink.lines.length, 7);
  sink.lines.forEach((line, i) => {
    t.equal(line, JSON.stringify(sink.records[i]), `line ${i + 1}`);
  });
  t.same(sink.records[0], {
    level: 'INFO',
    message: 'request received',
    timestamp: '2026-01-01T12:00:01.500Z',
    service: 'slow-api',
    correlation_id: 'corr-1',
    status: 'START',
    request_id: 'abc-1',
    method: 'POST',
    path: '/slow',
  });
  t.match(sink.records[1], { level: 'INFO', status: 'COMPLETE', http_status: 200, duration_ms: 0 });
  t.match(sink.records[3], { level: 'WARN', status: 'FAILED', http_status: 405 });
  t.match(sink.records[5], { level: 'ERROR', status: 'FAILED', timestamp: '2026-01-01T12:00:32.000Z' });
  t.notOk('correlation_id' in JSON.parse(sink.lines[2]!), 'no correlation id, no field');
});

t.test('a sink without writeLine gets records', async (t) => {
  const records: LogRecord[] = [];
  const log = new CourierLog({ write: (r) => void records.push(r) }, STARTED);
  log.start(0, 'c', 'r', 'POST', '/slow');
  log.end(5, 502, 'Internal server error', 'c', 'r', 5);
  t.match(records, [{ status: 'START' }, { status: 'FAILED', http_status: 502, level: 'ERROR' }]);
});

t.test('through a LogWriter: whole lines in the file, listeners get records', async (t) => {
  const file = join(dir, 'run.jsonl');
  const writer = new LogWriter({ file, maxBufferBytes: 4096 });
  const heard: LogRecord[] = [];
  const unsubscribe = writer.subscribe((r) => heard.push(r));
  const log = new CourierLog(writer, STARTED);
  const n = 3000;
  for (let i = 0; i < n; i++) {
    log.start(i, `corr-${i}-é`, `r-${i}`, 'POST', '/slow');
    log.end(i, 429, 'Too Many Requests', `corr-${i}-é`, `r-${i}`, 0);
  }
  // A line longer than a buffer block, written through the record path.
  writer.write({ level: 'INFO', message: 'x'.repeat(100_000), timestamp: 'now', service: 'stormlab' });
  unsubscribe();
  log.start(n, 'after', 'r-last', 'POST', '/slow');
  await writer.close();
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  t.equal(lines.length, 2 * n + 2, 'every line written, none split or merged');
  const parsed = lines.map((l) => JSON.parse(l) as LogRecord);
  t.equal(parsed[1]!.correlation_id, 'corr-0-é', 'non-ASCII survives');
  t.equal(parsed[2 * n]!.message.length, 100_000, 'the long line is whole');
  t.equal(parsed.at(-1)!.correlation_id, 'after');
  t.equal(heard.length, 2 * n + 1, 'listeners heard everything until they left');
  t.equal(writer.lines, 2 * n + 2);
});

t.test('lines encoded into the writer are, byte for byte, JSON.stringify of their records', async (t) => {
  const file = join(dir, 'encoded.jsonl');
  const writer = new LogWriter({ file, maxBufferBytes: 2048 });
  const heard: LogRecord[] = [];
  writer.subscribe((r) => heard.push(r));
  const log = new CourierLog(writer, STARTED);
  const awkward = 'quote " backslash \\ newline \n tab \t unicode é ✓ \u0001 \ud83d\ude00';
  for (let i = 0; i < 400; i++) {
    const correlation = i % 3 === 0 ? undefined : i % 3 === 1 ? `corr-${i}` : `${awkward} ${i}`;
    log.start(i * 7.3, correlation, `req-${i}`, i % 2 ? 'POST' : 'GET', i % 5 ? '/slow' : '/sl"ow/é');
    const status = [200, 429, 502, 504, 405][i % 5]!;
    log.end(i * 7.3 + 1, status, i % 4 ? 'Too Many Requests' : awkward, correlation, `req-${i}`, i % 7);
  }
  await writer.close();
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  t.equal(lines.length, 800);
  t.equal(heard.length, 800);
  let same = 0;
  lines.forEach((line, i) => {
    if (line === JSON.stringify(heard[i])) same++;
    else t.equal(line, JSON.stringify(heard[i]), `line ${i + 1}`);
  });
  t.equal(same, 800, 'every line');
});
