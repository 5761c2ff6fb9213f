/**
 * The functions' log lines (`notify-handler`, `delivery-handler`: DESIGN section 5). A virtual storm writes
 * some 100,000 of them, so the line is put together from pieces instead of building a record and
 * serialising it; the text is exactly JSON.stringify of the record (a test compares the two), and the
 * record itself is built only for listeners (the dashboard's log pane).
 */
import { FUNCTION_LINE_FIELDS, type LogRecord } from '../logs/log-record.js';
import type { FunctionConfig, HandlerLog, TaskContext } from './function-types.js';
import { fixed, LineText, type FixedPiece, type LineOut } from '../logs/line-out.js';

export function functionLogRecord(
  config: FunctionConfig,
  context: TaskContext,
  line: HandlerLog,
  timestamp: string,
): LogRecord {
  const record: LogRecord = {
    level: line.level,
    message: line.message,
    timestamp,
    service: config.service,
    cold_start: context.coldStart,
    function_name: config.functionName,
    function_memory_size: config.memoryMb,
    function_request_id: context.requestId,
    correlation_id: context.correlationId ?? '',
  };
  if (line.status) record.status = line.status;
  if (line.extra) Object.assign(record, line.extra);
  return record;
}

/** What stays the same across one function's lines, quoted once. */
const fixedParts = new WeakMap<FunctionConfig, { service: FixedPiece; name: FixedPiece }>();

const LEVEL_HEAD = fixed('{"level":"');
const MESSAGE_KEY = fixed('","message":');
const TIMESTAMP_KEY = fixed(',"timestamp":"');
const TRUE = fixed('true');
const FALSE = fixed('false');
const CORRELATION_KEY = fixed(',"correlation_id":');
const STATUS_KEY = fixed(',"status":"');
const QUOTE = fixed('"');
const END = fixed('}');

/**
 * What JSON.stringify makes of the line's extra fields, after a comma ('' when there are none); undefined
 * when an extra field would change a field rather than add one (then serialise the record).
 */
export function functionLogExtra(line: HandlerLog): string | undefined {
  if (!line.extra) return '';
  for (const key of Object.keys(line.extra)) if (FUNCTION_LINE_FIELDS.has(key)) return undefined;
  // JSON.stringify drops what it would drop from the record (undefined, functions) and quotes the rest.
  const text = JSON.stringify(line.extra);
  return text.length > 2 ? ',' + text.slice(1, -1) : '';
}

/** The most bytes the line can take, with `extra` from functionLogExtra: what `beginLine` asks for. */
export function functionLineBound(
  config: FunctionConfig,
  context: TaskContext,
  line: HandlerLog,
  extra: string,
): number {
  const dynamic =
    line.message.length + (context.correlationId?.length ?? 0) + context.requestId.length + extra.length;
  return 512 + config.functionName.length * 3 + dynamic * 6;
}

/** Puts the line's pieces out; `extra` from functionLogExtra. */
export function putFunctionLine(
  out: LineOut,
  config: FunctionConfig,
  context: TaskContext,
  line: HandlerLog,
  timestamp: string,
  extra: string,
): void {
  let parts = fixedParts.get(config);
  if (!parts) {
    parts = {
      service: fixed(`","service":${JSON.stringify(config.service)},"cold_start":`),
      name: fixed(
        `,"function_name":${JSON.stringify(config.functionName)},"function_memory_size":${JSON.stringify(config.memoryMb)},"function_request_id":`,
      ),
    };
    fixedParts.set(config, parts);
  }
  out.fixed(LEVEL_HEAD);
  out.ascii(line.level);
  out.fixed(MESSAGE_KEY);
  out.quoted(line.message);
  out.fixed(TIMESTAMP_KEY);
  out.ascii(timestamp);
  out.fixed(parts.service);
  out.fixed(context.coldStart ? TRUE : FALSE);
  out.fixed(parts.name);
  out.quoted(context.requestId);
  out.fixed(CORRELATION_KEY);
  out.quoted(context.correlationId ?? '');
  if (line.status) {
    out.fixed(STATUS_KEY);
    out.ascii(line.status);
    out.fixed(QUOTE);
  }
  if (extra) out.text(extra);
  out.fixed(END);
}

/** The line as a string (JSON.stringify of the record, exactly). */
export function functionLogText(
  config: FunctionConfig,
  context: TaskContext,
  line: HandlerLog,
  timestamp: string,
): string {
  const extra = functionLogExtra(line);
  if (extra === undefined) return JSON.stringify(functionLogRecord(config, context, line, timestamp));
  const text = new LineText();
  putFunctionLine(text, config, context, line, timestamp, extra);
  return text.value;
}
