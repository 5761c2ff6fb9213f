/** One structured log line, in the Powertools shape (DESIGN section 5). */
export type LogStatus = 'START' | 'COMPLETE' | 'FAILED';
export type ServiceName = 'notify-handler' | 'delivery-handler' | 'slow-api' | 'stormlab';

export interface LogRecord {
  level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  message: string;
  /** ISO 8601; the run's start plus scenario time, so per-minute queries match the scenario. */
  timestamp: string;
  service: ServiceName;
  cold_start?: boolean;
  function_name?: string;
  function_memory_size?: number;
  function_request_id?: string;
  correlation_id?: string;
  status?: LogStatus;
  [extra: string]: unknown;
}

/** The fields every function line has, in the formatter's order: other fields are the line's extras. */
export const FUNCTION_LINE_FIELDS: ReadonlySet<string> = new Set([
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
