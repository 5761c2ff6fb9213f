/**
 * The courier's `slow-api` log lines (DESIGN section 5): START on arrival, COMPLETE (200) or FAILED
 * (anything else) at the answer. Two lines per request at tens of thousands of requests a second, so the
 * lines are put together from fixed pieces instead of building an object and serialising it; the text is
 * exactly what JSON.stringify would give for the record (tests compare the two). The record object is
 * built only when the writer has listeners (the dashboard's log pane).
 */
import type { LogRecord } from '../logs/log-record.js';
import type { LogWriter } from '../logs/log-writer.js';
import { scenarioTimestamp } from '../logs/log-writer.js';

/** What the courier needs of a log writer: `writeLine` when it has one (LogWriter does), else `write`. */
export type CourierLogSink = Pick<LogWriter, 'write'> & Partial<Pick<LogWriter, 'writeLine'>>;

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

export class CourierLog {
  private readonly sink: CourierLogSink;
  private readonly startedAtMs: number;
  private stampMs = NaN;
  private stampText = '';
  // A request's START and its answer carry the same correlation id; a load test sends one path.
  private readonly correlation = new Quoter();
  private readonly path = new Quoter();

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
    sink.writeLine(
      `{"level":"INFO","message":"request received","timestamp":"${timestamp}","service":"slow-api",` +
        (correlationId === undefined ? '' : `"correlation_id":${this.correlation.quote(correlationId)},`) +
        // The request id is ours ([a-z0-9-]) and node accepts only known method names: nothing to escape.
        `"status":"START","request_id":"${requestId}","method":"${method}","path":${this.path.quote(path)}}`,
      () => startRecord(timestamp, correlationId, requestId, method, path),
    );
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
    sink.writeLine(
      `{"level":"${levelOf(status)}","message":${JSON.stringify(message)},"timestamp":"${timestamp}",` +
        `"service":"slow-api",` +
        (correlationId === undefined ? '' : `"correlation_id":${this.correlation.quote(correlationId)},`) +
        `"status":"${status === 200 ? 'COMPLETE' : 'FAILED'}","request_id":"${requestId}",` +
        `"http_status":${status},"duration_ms":${durationMs}}`,
      // Inline arrows, not named consts: under tsx a named closure costs a defineProperty per call.
      () => endRecord(timestamp, status, message, correlationId, requestId, durationMs),
    );
  }
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
