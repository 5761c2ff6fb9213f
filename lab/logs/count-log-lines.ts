import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface LogCounts {
  lines: number;
  /** Lines that are not JSON objects (there should be none). */
  malformed: number;
  notifyStart: number;
  notifyComplete: number;
  deliveryStart: number;
  deliveryComplete: number;
  deliveryFailed: number;
  courierStart: number;
  courierComplete: number;
  courierFailed: number;
}

/** Counts the story lines in a run's log file, the way the article's log query does. */
export async function countLogLines(file: string): Promise<LogCounts> {
  const counts: LogCounts = {
    lines: 0,
    malformed: 0,
    notifyStart: 0,
    notifyComplete: 0,
    deliveryStart: 0,
    deliveryComplete: 0,
    deliveryFailed: 0,
    courierStart: 0,
    courierComplete: 0,
    courierFailed: 0,
  };
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    counts.lines++;
    let record: { service?: unknown; status?: unknown };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      counts.malformed++;
      continue;
    }
    if (record.status === undefined) continue;
    const key = KEYS[`${String(record.service)}:${String(record.status)}`];
    if (key) counts[key]++;
  }
  return counts;
}

const KEYS: Record<string, keyof LogCounts> = {
  'notify-handler:START': 'notifyStart',
  'notify-handler:COMPLETE': 'notifyComplete',
  'delivery-handler:START': 'deliveryStart',
  'delivery-handler:COMPLETE': 'deliveryComplete',
  'delivery-handler:FAILED': 'deliveryFailed',
  'slow-api:START': 'courierStart',
  'slow-api:COMPLETE': 'courierComplete',
  'slow-api:FAILED': 'courierFailed',
};
