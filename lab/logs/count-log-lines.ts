import { open } from 'node:fs/promises';

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

/** Bytes read at a time: the read-back of an 18-minute storm is some 60 MB. */
const CHUNK_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;
const SERVICE = '"service":"';
const STATUS = '"status":"';

/** Counts with nothing counted yet. */
export function noLogCounts(): LogCounts {
  return {
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
}

/**
 * A log file's lines counted as its reads come in: its caller reads into `buffer` at `kept`, up to `room`
 * bytes, and hands over what it read. A line cut by a read's end waits at the buffer's start for the rest.
 * One buffer, reused: fresh memory costs a page fault per 4 KiB here, more than the scan itself.
 */
export class LogLineScan {
  readonly counts = noLogCounts();
  readonly buffer: Buffer;
  /** Bytes at the buffer's start: the unfinished line of the reads so far. */
  kept = 0;

  constructor(
    private readonly file: string,
    chunkBytes = CHUNK_BYTES,
  ) {
    this.buffer = Buffer.allocUnsafe(chunkBytes);
  }

  /** Room for the next read, from `kept`. */
  get room(): number {
    return this.buffer.length - this.kept;
  }

  /** Counts the whole lines once `bytesRead` more bytes are in the buffer at `kept`. */
  took(bytesRead: number): void {
    const buffer = this.buffer;
    const end = this.kept + bytesRead;
    let start = 0;
    for (let nl = buffer.indexOf(NEWLINE, 0); nl !== -1 && nl < end; nl = buffer.indexOf(NEWLINE, start)) {
      countLine(buffer.toString('latin1', start, nl), this.counts);
      start = nl + 1;
    }
    if (start === 0 && end === buffer.length)
      throw new Error(`a line longer than ${buffer.length} bytes in ${this.file}`);
    buffer.copyWithin(0, start, end);
    this.kept = end - start;
  }

  /** At the file's end: its last line may have no newline. */
  ended(): LogCounts {
    if (this.kept > 0) countLine(this.buffer.toString('latin1', 0, this.kept), this.counts);
    this.kept = 0;
    return this.counts;
  }
}

/**
 * Counts the story lines in a run's log file, the way the article's log query does. Lines are scanned, not
 * parsed (parsing was a tenth of a virtual run's time): a line is malformed unless it is one JSON object,
 * `{...}`, and a story line is one whose `service` and `status` fields name a step. The writer serialises
 * records with JSON.stringify, so a field's key and its string value appear exactly so.
 */
export async function countLogLines(file: string, chunkBytes = CHUNK_BYTES): Promise<LogCounts> {
  const scan = new LogLineScan(file, chunkBytes);
  const handle = await open(file, 'r');
  try {
    for (;;) {
      const { bytesRead } = await handle.read(scan.buffer, scan.kept, scan.room, null);
      if (bytesRead === 0) return scan.ended();
      scan.took(bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** One line, as Latin-1: UTF-8's multi-byte sequences hold no ASCII byte, so its quotes and braces are real. */
function countLine(text: string, counts: LogCounts): void {
  const line = text.endsWith('\r') ? text.slice(0, -1) : text;
  if (line === '') return;
  counts.lines++;
  if (line.charCodeAt(0) !== 0x7b || line.charCodeAt(line.length - 1) !== 0x7d) {
    counts.malformed++;
    return;
  }
  const service = fieldValue(line, SERVICE);
  const status = service === undefined ? undefined : fieldValue(line, STATUS);
  if (status === undefined) return;
  const key = KEYS[`${service}:${status}`];
  if (key) counts[key]++;
}

/** The plain string value of `"key":"` in the line, or undefined. */
function fieldValue(line: string, key: string): string | undefined {
  const at = line.indexOf(key);
  if (at === -1) return undefined;
  const from = at + key.length;
  const to = line.indexOf('"', from);
  return to === -1 ? undefined : line.slice(from, to);
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
