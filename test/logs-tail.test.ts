import t from 'tap';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countLogLines, LogLineScan, noLogCounts } from '../lab/logs/count-log-lines.js';
import { LogTail } from '../lab/logs/log-tail.js';
import { LogWriter } from '../lab/logs/log-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'stormlab-logs-tail-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const LINES = [
  '{"level":"INFO","service":"notify-handler","status":"START"}',
  '{"level":"INFO","message":"ünïcödé ✓","service":"delivery-handler","status":"START"}',
  '{"level":"WARN","message":"courier answered 429","service":"delivery-handler"}',
  '{"level":"INFO","service":"slow-api","status":"COMPLETE","http_status":200}\r',
  '',
  'not json at all',
  '{"level":"ERROR","service":"delivery-handler","status":"FAILED"}',
];
const LINES_EXPECTED = {
  ...noLogCounts(),
  lines: 6,
  malformed: 1,
  notifyStart: 1,
  deliveryStart: 1,
  deliveryFailed: 1,
  courierComplete: 1,
};

t.test('a scan fed in reads cut anywhere counts what one read counts', async (t) => {
  const bytes = Buffer.from(LINES.join('\n'));
  // Every place a first read can end, then reads of 7 bytes (never more than the room left): lines are
  // cut at every byte.
  for (let cut = 0; cut <= bytes.length; cut++) {
    const scan = new LogLineScan('literal', 128);
    for (let at = 0, wanted = cut; at < bytes.length; wanted = 7) {
      const piece = bytes.subarray(at, at + Math.min(wanted, scan.room));
      piece.copy(scan.buffer, scan.kept);
      scan.took(piece.length);
      at += piece.length;
    }
    t.same(scan.ended(), LINES_EXPECTED, `first read of ${cut} bytes`);
  }
});

t.test(
  'the tail counts the whole file, written by two writers, as one read after the end does',
  async (t) => {
    const file = join(dir, 'two-writers.jsonl');
    // The writer makes the file the tail opens; it tells the tail of writes that end after both exist.
    const writer = new LogWriter({ file, maxBufferBytes: 512, onWritten: (bytes) => tail.wrote(bytes) });
    // Started once 4 kB are written (so it first reads what came before it), then told to read after every
    // kilobyte: many reads while the file grows.
    const tail = new LogTail(file, { startAfterBytes: 4096, readEveryBytes: 1024 });
    const written = { ...noLogCounts() };
    const services = ['notify-handler', 'delivery-handler', 'stormlab'] as const;
    const statuses = ['START', 'COMPLETE', 'FAILED', undefined] as const;
    for (let i = 0; i < 3000; i++) {
      const service = services[i % 3]!;
      const status = statuses[(i >> 1) % 4];
      writer.write({
        level: 'INFO',
        message: `line ${i} é`,
        timestamp: '',
        service,
        ...(status && { status }),
      });
      written.lines++;
      if (service === 'notify-handler' && status === 'START') written.notifyStart++;
      if (service === 'notify-handler' && status === 'COMPLETE') written.notifyComplete++;
      if (service === 'delivery-handler' && status === 'START') written.deliveryStart++;
      if (service === 'delivery-handler' && status === 'COMPLETE') written.deliveryComplete++;
      if (service === 'delivery-handler' && status === 'FAILED') written.deliveryFailed++;
      // The courier's lines, as its thread appends them to the same file (the tail is not told).
      if (i % 100 === 0) {
        await writer.flush();
        appendFileSync(file, '{"level":"INFO","service":"slow-api","status":"START"}\n');
        written.lines++;
        written.courierStart++;
      }
    }
    // The other writer's last line has no newline: the file's end ends it.
    await writer.close();
    appendFileSync(file, '{"level":"INFO","service":"slow-api","status":"FAILED"}');
    written.lines++;
    written.courierFailed++;
    const counts = await tail.counts();
    t.same(counts, written, 'the lines written, by kind');
    t.same(counts, await countLogLines(file), 'what reading the file after its end counts');
  },
);

t.test('a tail that cannot read its file says why', async (t) => {
  const tail = new LogTail(join(dir, 'missing', 'run.jsonl'), { startAfterBytes: 0 });
  await t.rejects(tail.counts(), /ENOENT/);
});

t.test('a line longer than the scan buffer is refused, not miscounted', async (t) => {
  const file = join(dir, 'long.jsonl');
  writeFileSync(file, '');
  const tail = new LogTail(file, { startAfterBytes: 0 });
  appendFileSync(file, `{"message":"${'x'.repeat(5 * 1024 * 1024)}"}\n`);
  await t.rejects(tail.counts(), /a line longer than 4194304 bytes/);
});

t.test('a log too small to start the thread for is read at the end', async (t) => {
  const file = join(dir, 'small.jsonl');
  const writer = new LogWriter({ file, onWritten: (bytes) => tail.wrote(bytes) });
  const tail = new LogTail(file);
  for (const line of LINES)
    writer.writeLine(line, () => ({ level: 'INFO', message: '', timestamp: '', service: 'stormlab' }));
  await writer.close();
  t.same(await tail.counts(), LINES_EXPECTED);
});
