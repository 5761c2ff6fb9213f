/**
 * The functions' log lines (`notify-handler`, `delivery-handler`: DESIGN section 5). A virtual storm writes
 * some 100,000 of them, so the line is put together from pieces instead of building a record and
 * serialising it; the text is exactly JSON.stringify of the record (a test compares the two), and the
 * record itself is built only for listeners (the dashboard's log pane).
 */
import type { LogRecord } from '../logs/log-record.js';
import type { FunctionConfig, HandlerLog, TaskContext } from './function-types.js';

/** Fields of every function line: an `extra` field by one of these names changes a field, not appends one. */
const BASE_FIELDS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_name',
  'function_memory_size',
  'function_request_id',
  'correlation_id',
  'status',
]);

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
const fixedParts = new WeakMap<FunctionConfig, { service: string; name: string }>();

export function functionLogText(
  config: FunctionConfig,
  context: TaskContext,
  line: HandlerLog,
  timestamp: string,
): string {
  let extra = '';
  if (line.extra) {
    for (const key of Object.keys(line.extra))
      if (BASE_FIELDS.has(key)) return JSON.stringify(functionLogRecord(config, context, line, timestamp));
    // JSON.stringify drops what it would drop from the record (undefined, functions) and quotes the rest.
    const text = JSON.stringify(line.extra);
    if (text.length > 2) extra = ',' + text.slice(1, -1);
  }
  let fixed = fixedParts.get(config);
  if (!fixed) {
    fixed = {
      service: `","service":${JSON.stringify(config.service)},"cold_start":`,
      name: `,"function_name":${JSON.stringify(config.functionName)},"function_memory_size":${JSON.stringify(config.memoryMb)},"function_request_id":`,
    };
    fixedParts.set(config, fixed);
  }
  return (
    `{"level":${JSON.stringify(line.level)},"message":${JSON.stringify(line.message)},"timestamp":"${timestamp}` +
    fixed.service +
    (context.coldStart ? 'true' : 'false') +
    fixed.name +
    JSON.stringify(context.requestId) +
    ',"correlation_id":' +
    JSON.stringify(context.correlationId ?? '') +
    (line.status ? `,"status":${JSON.stringify(line.status)}` : '') +
    extra +
    '}'
  );
}
