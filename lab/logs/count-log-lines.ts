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
/** Bytes decoded into one string for the scan: lines up to this much, cut at a newline. */
const SLICE_BYTES = 64 * 1024;
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
    const last = end === 0 ? -1 : buffer.lastIndexOf(NEWLINE, end - 1);
    if (last === -1) {
      if (end === buffer.length) throw new Error(`a line longer than ${buffer.length} bytes in ${this.file}`);
      this.kept = end;
      return;
    }
    // Decoded a slice at a time: a string of a whole read (megabytes) is made outside V8's heap, in fresh
    // memory each time, and that cost more than the scan.
    for (let from = 0; from <= last;) {
      let to = from + SLICE_BYTES >= last ? last : buffer.lastIndexOf(NEWLINE, from + SLICE_BYTES);
      if (to < from) to = buffer.indexOf(NEWLINE, from);
      countLines(buffer.toString('latin1', from, to), this.counts);
      from = to + 1;
    }
    buffer.copyWithin(0, last + 1, end);
    this.kept = end - last - 1;
  }

  /** At the file's end: its last line may have no newline. */
  ended(): LogCounts {
    if (this.kept > 0) countLines(this.buffer.toString('latin1', 0, this.kept), this.counts);
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

/**
 * Counts the lines of `text` (Latin-1: UTF-8's multi-byte sequences hold no ASCII byte, so its quotes and
 * braces are real), each line the text between two newlines. The text is scanned in place, one string for
 * many lines rather than four strings a line: the read-back runs beside the run, on the core the JIT and the
 * garbage collector also use.
 */
function countLines(text: string, counts: LogCounts): void {
  const n = text.length;
  const keys = new KeyCursor();
  for (let start = 0; start <= n;) {
    let nl = text.indexOf('\n', start);
    if (nl === -1) nl = n;
    countLine(text, start, nl, counts, keys);
    start = nl + 1;
  }
}

/**
 * Where the next `"service":"` and `"status":"` keys are, at or after the line being read (-1: none left; -2:
 * not looked for yet): found once and kept until the lines pass them, so a stretch of lines without one is
 * not searched again for each line.
 */
class KeyCursor {
  service = -2;
  status = -2;
}

/** The line from `start` to `nl` (its newline, or the text's end). */
function countLine(text: string, start: number, nl: number, counts: LogCounts, keys: KeyCursor): void {
  const end = nl > start && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
  if (end === start) return;
  counts.lines++;
  if (text.charCodeAt(start) !== 0x7b || text.charCodeAt(end - 1) !== 0x7d) {
    counts.malformed++;
    return;
  }
  if (keys.service !== -1 && keys.service < start) keys.service = text.indexOf(SERVICE, start);
  const service = valueAt(text, keys.service, SERVICE, end, SERVICES);
  if (service === -1) return;
  if (keys.status !== -1 && keys.status < start) keys.status = text.indexOf(STATUS, start);
  const status = valueAt(text, keys.status, STATUS, end, STATUSES);
  if (status === -1) return;
  const key = KEY_TABLE[service]![status];
  if (key) counts[key]++;
}

/**
 * Which of `names` the plain string value of the key found at `keyAt` is, when the key and its closing quote
 * are in the line (before `end`); -1 otherwise.
 */
function valueAt(text: string, keyAt: number, key: string, end: number, names: readonly string[]): number {
  if (keyAt === -1 || keyAt >= end) return -1;
  const from = keyAt + key.length;
  const to = text.indexOf('"', from);
  if (to === -1 || to >= end) return -1;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (name.length === to - from && text.startsWith(name, from)) return i;
  }
  return -1;
}

const SERVICES = ['notify-handler', 'delivery-handler', 'slow-api'] as const;
const STATUSES = ['START', 'COMPLETE', 'FAILED'] as const;

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

/** KEYS by service and status number, for the scan. */
const KEY_TABLE: (keyof LogCounts | undefined)[][] = SERVICES.map((service) =>
  STATUSES.map((status) => KEYS[`${service}:${status}`]),
);
