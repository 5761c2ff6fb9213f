/**
 * The courier's `slow-api` log lines (DESIGN section 5): START on arrival, COMPLETE (200) or FAILED
 * (anything else) at the answer. Two lines per request at tens of thousands of requests a second, so the
 * lines are put together from fixed pieces (into the log writer's block, see line-out.ts) instead of
 * building an object and serialising it; the text is exactly what JSON.stringify would give for the record
 * (tests compare the two). The record object is built only when the writer has listeners (the dashboard's
 * log pane).
 */
import type { LogRecord } from '../logs/log-record.js';
import type { LogWriter } from '../logs/log-writer.js';
import { scenarioTimestamp } from '../logs/log-writer.js';
import { fixed, LineText, type LineOut } from '../logs/line-out.js';

/**
 * What the courier needs of a log writer: lines encoded in place or strings when it has them (LogWriter
 * does), else records.
 */
export type CourierLogSink = Pick<LogWriter, 'write'> &
  Partial<Pick<LogWriter, 'writeLine' | 'beginLine' | 'endLine' | 'emit'>>;

type Level = 'INFO' | 'WARN' | 'ERROR';

function levelOf(status: number): Level {
  return status === 200 ? 'INFO' : status >= 500 ? 'ERROR' : 'WARN';
}

/** JSON text of a string that came from outside (header values, URLs), remembering the last one. */
class Quoter {
  private last = '';
  private lastText = '""';

  quote(text: string): string {
    if (text !== this.last) {
      this.last = text;
      this.lastText = JSON.stringify(text);
    }
    return this.lastText;
  }
}

const START_HEAD = fixed('{"level":"INFO","message":"request received","timestamp":"');
const LEVEL_HEAD = fixed('{"level":"');
const MESSAGE_KEY = fixed('","message":');
const TIMESTAMP_KEY = fixed(',"timestamp":"');
const SERVICE = fixed('","service":"slow-api",');
const CORRELATION_KEY = fixed('"correlation_id":');
const COMMA = fixed(',');
const START_STATUS = fixed('"status":"START","request_id":"');
const METHOD_KEY = fixed('","method":"');
const PATH_KEY = fixed('","path":');
const STATUS_KEY = fixed('"status":"');
const REQUEST_KEY = fixed('","request_id":"');
const HTTP_STATUS_KEY = fixed('","http_status":');
const DURATION_KEY = fixed(',"duration_ms":');
const END = fixed('}');
/** Bytes of the fixed pieces of either line, and then some: the bound `beginLine` asks for. */
const FIXED_BYTES = 256;

export class CourierLog {
  private readonly sink: CourierLogSink;
  private readonly startedAtMs: number;
  private stampMs = NaN;
  private stampText = '';
  // A request's START and its answer carry the same correlation id; a load test sends one path; answers
  // repeat a handful of messages.
  private readonly correlation = new Quoter();
  private readonly path = new Quoter();
  private readonly message = new Quoter();

  /** @param startedAtMs wall ms at scenario time 0: timestamps are that plus scenario time. */
  constructor(sink: CourierLogSink, startedAtMs: number) {
    this.sink = sink;
    this.startedAtMs = startedAtMs;
  }

  /** ISO timestamp of scenario ms `now`; formatted once per millisecond, as many requests share one. */
  private stamp(now: number): string {
    const ms = Math.floor(this.startedAtMs + now);
    if (ms !== this.stampMs) {
      this.stampMs = ms;
      this.stampText = scenarioTimestamp(ms, 0);
    }
    return this.stampText;
  }

  start(
    now: number,
    correlationId: string | undefined,
    requestId: string,
    method: string,
    path: string,
  ): void {
    const timestamp = this.stamp(now);
    const sink = this.sink;
    if (!sink.writeLine) {
      sink.write(startRecord(timestamp, correlationId, requestId, method, path));
      return;
    }
    const correlation = correlationId === undefined ? undefined : this.correlation.quote(correlationId);
    const pathText = this.path.quote(path);
    const out = sink.beginLine?.(
      FIXED_BYTES + 3 * ((correlation?.length ?? 0) + pathText.length + requestId.length + method.length),
    );
    if (out) {
      startLine(out, timestamp, correlation, requestId, method, pathText);
      if (sink.endLine!()) sink.emit!(startRecord(timestamp, correlationId, requestId, method, path));
      return;
    }
    const text = new LineText();
    startLine(text, timestamp, correlation, requestId, method, pathText);
    sink.writeLine(text.value, () => startRecord(timestamp, correlationId, requestId, method, path));
  }

  end(
    now: number,
    status: number,
    message: string,
    correlationId: string | undefined,
    requestId: string,
    durationMs: number,
  ): void {
    const timestamp = this.stamp(now);
    const sink = this.sink;
    if (!sink.writeLine) {
      sink.write(endRecord(timestamp, status, message, correlationId, requestId, durationMs));
      return;
    }
    const correlation = correlationId === undefined ? undefined : this.correlation.quote(correlationId);
    const messageText = this.message.quote(message);
    const out = sink.beginLine?.(
      FIXED_BYTES + 3 * ((correlation?.length ?? 0) + messageText.length + requestId.length),
    );
    if (out) {
      endLine(out, timestamp, status, messageText, correlation, requestId, durationMs);
      if (sink.endLine!())
        sink.emit!(endRecord(timestamp, status, message, correlationId, requestId, durationMs));
      return;
    }
    const text = new LineText();
    endLine(text, timestamp, status, messageText, correlation, requestId, durationMs);
    sink.writeLine(text.value, () =>
      endRecord(timestamp, status, message, correlationId, requestId, durationMs),
    );
  }
}

/**
 * The START line. Quoted texts come JSON already; the request id is ours ([a-z0-9-]) and node accepts only
 * known method names: nothing to escape.
 */
function startLine(
  out: LineOut,
  timestamp: string,
  correlation: string | undefined,
  requestId: string,
  method: string,
  path: string,
): void {
  out.fixed(START_HEAD);
  putTimestampToCorrelation(out, timestamp, correlation);
  out.fixed(START_STATUS);
  out.ascii(requestId);
  out.fixed(METHOD_KEY);
  out.ascii(method);
  out.fixed(PATH_KEY);
  out.text(path);
  out.fixed(END);
}

/** The timestamp's value, the service, and the correlation id when there is one: both lines have them. */
function putTimestampToCorrelation(out: LineOut, timestamp: string, correlation: string | undefined): void {
  out.ascii(timestamp);
  out.fixed(SERVICE);
  if (correlation === undefined) return;
  out.fixed(CORRELATION_KEY);
  out.text(correlation);
  out.fixed(COMMA);
}

/** The answer's line, COMPLETE (200) or FAILED. */
function endLine(
  out: LineOut,
  timestamp: string,
  status: number,
  message: string,
  correlation: string | undefined,
  requestId: string,
  durationMs: number,
): void {
  out.fixed(LEVEL_HEAD);
  out.ascii(levelOf(status));
  out.fixed(MESSAGE_KEY);
  out.text(message);
  out.fixed(TIMESTAMP_KEY);
  putTimestampToCorrelation(out, timestamp, correlation);
  out.fixed(STATUS_KEY);
  out.ascii(status === 200 ? 'COMPLETE' : 'FAILED');
  out.fixed(REQUEST_KEY);
  out.ascii(requestId);
  out.fixed(HTTP_STATUS_KEY);
  out.ascii(String(status));
  out.fixed(DURATION_KEY);
  out.ascii(String(durationMs));
  out.fixed(END);
}

function startRecord(
  timestamp: string,
  correlationId: string | undefined,
  requestId: string,
  method: string,
  path: string,
): LogRecord {
  return {
    level: 'INFO',
    message: 'request received',
    timestamp,
    service: 'slow-api',
    correlation_id: correlationId,
    status: 'START',
    request_id: requestId,
    method,
    path,
  };
}

function endRecord(
  timestamp: string,
  status: number,
  message: string,
  correlationId: string | undefined,
  requestId: string,
  durationMs: number,
): LogRecord {
  return {
    level: levelOf(status),
    message,
    timestamp,
    service: 'slow-api',
    correlation_id: correlationId,
    status: status === 200 ? 'COMPLETE' : 'FAILED',
    request_id: requestId,
    http_status: status,
    duration_ms: durationMs,
  };
}
