import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countLogLines, noLogCounts, type LogCounts } from '../lab/logs/count-log-lines.js';
import type { LogRecord } from '../lab/logs/log-record.js';
import { LogWriter, scenarioTimestamp } from '../lab/logs/log-writer.js';
import { LightAbortController } from '../lab/runtime/light-abort.js';
import { seededUuid } from '../lab/runtime/request-id.js';
import { SeededRandom } from '../lab/time/random.js';
import {
  functionLineBound,
  functionLogExtra,
  functionLogRecord,
  functionLogText,
  putFunctionLine,
} from '../lab/runtime/function-log.js';
import type { HandlerLog } from '../lab/runtime/function-types.js';

const dir = mkdtempSync(join(tmpdir(), 'stormlab-logs-file-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('a flush resolves once every line written before it is in the file, in order', async (t) => {
  const file = join(dir, 'order.jsonl');
  const writer = new LogWriter({ file, maxBufferBytes: 1024 });
  const flushes: Promise<void>[] = [];
  const expected: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const line = JSON.stringify({ i, pad: 'é'.repeat(i % 97) });
    expected.push(line);
    writer.writeLine(line, () => ({ level: 'INFO', message: '', timestamp: '', service: 'stormlab' }));
    if (i === 2500) flushes.push(writer.flush().then(() => readFileSync(file, 'utf8')) as never);
  }
  const atHalf = (await flushes[0]) as unknown as string;
  t.ok(
    atHalf.split('\n').length - 1 >= 2501,
    'the first 2,501 lines were in the file when the flush resolved',
  );
  await writer.close();
  t.same(readFileSync(file, 'utf8').split('\n').slice(0, -1), expected, 'every line, whole, in order');
});

t.test('read-back counts: literal file, lines cut across read chunks', async (t) => {
  const file = join(dir, 'story.jsonl');
  const lines = [
    '{"level":"INFO","message":"run started","service":"stormlab"}',
    '{"level":"INFO","service":"notify-handler","status":"START"}',
    '{"level":"INFO","service":"notify-handler","cold_start":true,"status":"COMPLETE"}',
    '{"level":"INFO","message":"ünïcödé ✓","service":"delivery-handler","status":"START"}',
    '{"level":"WARN","message":"courier answered 429","service":"delivery-handler"}',
    '{"level":"ERROR","service":"delivery-handler","status":"FAILED","error_code":"x"}',
    '{"level":"INFO","service":"delivery-handler","status":"COMPLETE"}\r',
    '',
    '{"level":"INFO","service":"slow-api","status":"START","request_id":"a"}',
    '{"level":"WARN","service":"slow-api","status":"FAILED","http_status":429}',
    '{"level":"INFO","service":"slow-api","status":"COMPLETE","http_status":200}',
    'not json at all',
    '{"service":"slow-api","status":"START"',
    '{"level":"INFO","service":"slow-api","status":"SOMETHING"}',
  ];
  writeFileSync(file, lines.join('\n'));
  const expected = {
    lines: 13,
    malformed: 2,
    notifyStart: 1,
    notifyComplete: 1,
    deliveryStart: 1,
    deliveryComplete: 1,
    deliveryFailed: 1,
    courierStart: 1,
    courierComplete: 1,
    courierFailed: 1,
  };
  t.same(await countLogLines(file), expected, 'one chunk');
  t.same(await countLogLines(file, 160), expected, '160-byte chunks: most lines straddle two reads');
  await t.rejects(countLogLines(file, 64), /a line longer than 64 bytes/, 'a line longer than a chunk');
});

t.test('read-back counts: lines longer than the scan decodes at once', async (t) => {
  const file = join(dir, 'long.jsonl');
  const long = (n: number, status: string) =>
    `{"level":"INFO","message":"${'x'.repeat(n)}","service":"slow-api","status":"${status}"}`;
  // 200 kB and 70 kB lines among short ones, and lines without a status before and after them.
  const lines = [
    '{"level":"WARN","service":"delivery-handler"}',
    long(200_000, 'START'),
    '{"level":"WARN","service":"delivery-handler"}',
    long(70_000, 'FAILED'),
    '{"level":"INFO","service":"notify-handler","status":"START"}',
    long(10, 'COMPLETE'),
  ];
  writeFileSync(file, lines.join('\n') + '\n');
  t.same(await countLogLines(file), {
    ...noLogCounts(),
    lines: 6,
    notifyStart: 1,
    courierStart: 1,
    courierComplete: 1,
    courierFailed: 1,
  });
});

t.test('read-back counts agree with JSON.parse on a written file', async (t) => {
  const file = join(dir, 'parsed.jsonl');
  const writer = new LogWriter({ file, maxBufferBytes: 4096 });
  const services = ['notify-handler', 'delivery-handler', 'slow-api', 'stormlab'];
  const statuses: LogRecord['status'][] = ['START', 'COMPLETE', 'FAILED', undefined];
  for (let i = 0; i < 20_000; i++) {
    const status = statuses[(i >> 2) % 4];
    writer.write({
      level: 'INFO',
      // Quotes and field names inside a message must not fool the scan.
      message: i % 5 === 0 ? 'said "service":"slow-api" and "status":"START"' : `line ${i}`,
      timestamp: scenarioTimestamp(0, i),
      service: services[i % 4] as LogRecord['service'],
      ...(status ? { status } : {}),
    });
  }
  await writer.close();
  // What the count should be, from JSON.parse of every line and the story steps named here.
  const step: Record<string, keyof LogCounts> = {
    'notify-handler:START': 'notifyStart',
    'notify-handler:COMPLETE': 'notifyComplete',
    'delivery-handler:START': 'deliveryStart',
    'delivery-handler:COMPLETE': 'deliveryComplete',
    'delivery-handler:FAILED': 'deliveryFailed',
    'slow-api:START': 'courierStart',
    'slow-api:COMPLETE': 'courierComplete',
    'slow-api:FAILED': 'courierFailed',
  };
  const byParse = noLogCounts();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    byParse.lines++;
    const r = JSON.parse(line) as { service: string; status?: string };
    const key = step[`${r.service}:${r.status}`];
    if (key) byParse[key]++;
  }
  t.equal(byParse.lines, 20_000);
  t.ok(byParse.courierFailed > 0 && byParse.deliveryStart > 0, 'every kind of step is in the file');
  t.same(await countLogLines(file, 8192), byParse, '8 kB reads');
  t.same(await countLogLines(file), byParse, 'one read of the whole file, decoded 64 kB at a time');
});

t.test('scenario timestamps are what Date prints', async (t) => {
  const start = Date.UTC(2026, 10, 30, 23, 59, 58, 997);
  const offsets = [0, 0.4, 1, 2, 2.9, 3, 1000, 1002.5, 86_400_000, 3 * 86_400_000 + 7];
  for (const at of offsets)
    t.equal(scenarioTimestamp(start, at), new Date(start + at).toISOString(), `+${at} ms`);
  t.equal(scenarioTimestamp(start, 1003), '2026-12-01T00:00:00.000Z', 'a day, month and second roll over');
  t.equal(scenarioTimestamp(Date.UTC(10000, 0, 1), 5), '+010000-01-01T00:00:00.005Z', 'beyond year 9999');
  t.equal(scenarioTimestamp(start, 0), '2026-11-30T23:59:58.997Z', 'back in a second formatted before');
});

t.test('the light abort controller behaves as AbortController for what the lab uses', async (t) => {
  const script = (controller: { signal: AbortSignal; abort(reason?: unknown): void }): string[] => {
    const heard: string[] = [];
    const signal = controller.signal;
    const a = (): void => void heard.push(`a ${String(signal.reason)}`);
    const b = { handleEvent: () => void heard.push('b') };
    const c = (): void => void heard.push('c');
    signal.addEventListener('abort', a, { once: true });
    signal.addEventListener('abort', b);
    signal.addEventListener('abort', a);
    signal.addEventListener('abort', c);
    signal.removeEventListener('abort', c);
    heard.push(`aborted ${signal.aborted}`);
    controller.abort('why');
    controller.abort('again');
    heard.push(`aborted ${signal.aborted} ${String(signal.reason)}`);
    signal.addEventListener('abort', c);
    try {
      signal.throwIfAborted();
    } catch (err) {
      heard.push(`threw ${String(err)}`);
    }
    return heard;
  };
  const expected = ['aborted false', 'a why', 'b', 'aborted true why', 'threw why'];
  t.same(script(new AbortController()), expected, "Node's");
  t.same(script(new LightAbortController()), expected, 'the light one');
  const light = new LightAbortController();
  light.abort();
  t.equal((light.signal.reason as DOMException).name, 'AbortError', 'default reason as Node gives');
});

t.test('function lines put together by hand are exactly JSON.stringify of their records', async (t) => {
  const config = {
    key: 'delivery' as const,
    functionName: 'Delivery "Function" ✓',
    service: 'delivery-handler' as const,
    timeoutMs: 6000,
    memoryMb: 1024,
  };
  const context = {
    requestId: 'r-1',
    functionName: config.functionName,
    memoryMb: 1024,
    coldStart: true,
    deadlineMs: 0,
    correlationId: 'quote " back \\ nl \n é',
    environmentId: 'env-1',
  };
  const lines: HandlerLog[] = [
    { at: 1, level: 'INFO', message: 'delivery-handler START', status: 'START' },
    { at: 2, level: 'WARN', message: 'courier answered 429; retrying in 3.41 s' },
    {
      at: 3,
      level: 'ERROR',
      message: 'failed: "x"\t\u0001',
      status: 'FAILED',
      extra: { error_code: 'Boom' },
    },
    { at: 4, level: 'INFO', message: 'odd extras', extra: { a: undefined, b: 1.5, c: null, d: [1, 'x'] } },
    {
      at: 5,
      level: 'INFO',
      message: 'an extra that overrides',
      status: 'COMPLETE',
      extra: { status: 'FAILED' },
    },
    { at: 6, level: 'INFO', message: 'empty extra', extra: {} },
  ];
  for (const coldStart of [true, false])
    for (const correlationId of [context.correlationId, undefined])
      for (const line of lines) {
        const ctx = { ...context, coldStart, correlationId };
        const stamp = scenarioTimestamp(Date.UTC(2026, 0, 1), line.at);
        t.equal(
          functionLogText(config, ctx, line, stamp),
          JSON.stringify(functionLogRecord(config, ctx, line, stamp)),
          `${line.message}, cold ${coldStart}, correlation ${correlationId !== undefined}`,
        );
      }
  t.same(JSON.parse(functionLogText(config, context, lines[0]!, '2026-01-01T00:00:00.001Z')), {
    level: 'INFO',
    message: 'delivery-handler START',
    timestamp: '2026-01-01T00:00:00.001Z',
    service: 'delivery-handler',
    cold_start: true,
    function_name: 'Delivery "Function" ✓',
    function_memory_size: 1024,
    function_request_id: 'r-1',
    correlation_id: 'quote " back \\ nl \n é',
    status: 'START',
  });
});

t.test('seeded request ids: the same ids a seed always gave, UUID v4-shaped', async (t) => {
  const random = new SeededRandom(1);
  // Literal: what the character-by-character version drew for seed 1.
  t.equal(seededUuid(random), 'e535c9fe-52cb-4d3a-badb-c453f3f7fed5');
  t.equal(seededUuid(random), '8770df9b-7bf4-4f89-b342-a788cc3d9b6a');
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const id = seededUuid(random);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))
      t.fail(`shape: ${id}`);
    seen.add(id);
  }
  t.equal(seen.size, 2000, 'no id twice');
});

t.test('function lines encoded into the writer are JSON.stringify of their records', async (t) => {
  const file = join(dir, 'function-lines.jsonl');
  const writer = new LogWriter({ file, maxBufferBytes: 1024 });
  const config = {
    key: 'notify' as const,
    functionName: 'Notification ✓ "fn"',
    service: 'notify-handler' as const,
    timeoutMs: 3000,
    memoryMb: 128,
  };
  const expected: string[] = [];
  for (let i = 0; i < 300; i++) {
    const context = {
      requestId: `r-${i}`,
      functionName: config.functionName,
      memoryMb: 128,
      coldStart: i % 2 === 0,
      deadlineMs: 0,
      correlationId: i % 3 === 0 ? undefined : `c "${i}" é\n\u0002`,
      environmentId: 'env',
    };
    const line: HandlerLog = {
      at: i,
      level: (['INFO', 'WARN', 'ERROR'] as const)[i % 3]!,
      message: i % 4 === 0 ? `odd "message" ✓ \\ ${i}` : 'notify-handler START',
      ...(i % 5 === 0 ? { status: 'FAILED' as const, extra: { error_code: `E${i}`, gone: undefined } } : {}),
    };
    const stamp = scenarioTimestamp(Date.UTC(2026, 0, 1), i);
    const extra = functionLogExtra(line)!;
    const out = writer.beginLine(functionLineBound(config, context, line, extra))!;
    putFunctionLine(out, config, context, line, stamp, extra);
    if (writer.endLine()) writer.emit(functionLogRecord(config, context, line, stamp));
    expected.push(JSON.stringify(functionLogRecord(config, context, line, stamp)));
  }
  await writer.close();
  t.same(readFileSync(file, 'utf8').trimEnd().split('\n'), expected);
});
