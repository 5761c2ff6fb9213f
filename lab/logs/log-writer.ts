import { closeSync, mkdirSync, openSync, writev as fsWritev } from 'node:fs';
import { dirname } from 'node:path';
import type { LogRecord } from './log-record.js';
import { LineEncoder } from './line-out.js';

export interface LogWriterOptions {
  /** The run's log file; opened for appending, so the courier thread can share it. None: listeners only. */
  file: string | undefined;
  /** Real milliseconds between flushes. */
  flushIntervalMs?: number;
  /** Flush early once this many bytes are buffered. */
  maxBufferBytes?: number;
  /** Called each time a write to the file has ended, with its size (the read-back follows the file so). */
  onWritten?: (bytes: number) => void;
}

export type LogListener = (record: LogRecord) => void;

/** Room past the flush mark for the line that crosses it; a longer line gets a buffer of its own. */
const LINE_ROOM_BYTES = 64 * 1024;

/**
 * JSON lines, buffered and written in batches off the hot path: `write()` only serialises and encodes the
 * line into a block. Blocks are reused once written: fresh memory costs a page fault per 4 KiB on this
 * kind of machine, and an 18-minute storm writes some 60 MB. Each flush is one `write(2)` on an O_APPEND
 * descriptor, so two threads appending whole batches to the same file never interleave inside a line.
 */
export class LogWriter {
  readonly file: string | undefined;
  private fd: number | undefined;
  private readonly blockBytes: number;
  /** The block being filled, up to `used`; blocks whose write has ended wait in `spare`. */
  private block: Buffer;
  private used = 0;
  private readonly spare: Buffer[] = [];
  private readonly encoder = new LineEncoder();
  /** Flushed, waiting for the write in progress to end; the blocks among them go back to `spare`. */
  private queued: Buffer[] = [];
  private queuedBlocks: Buffer[] = [];
  private drainQueued = false;
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout;
  private listeners = new Set<LogListener>();
  private closed = false;
  private readonly maxBufferBytes: number;
  private readonly onWritten: ((bytes: number) => void) | undefined;
  /** Lines accepted, by service and status: lets tests compare the file with what was written. */
  lines = 0;

  constructor(options: LogWriterOptions) {
    this.file = options.file;
    if (options.file !== undefined) {
      mkdirSync(dirname(options.file), { recursive: true });
      this.fd = openSync(options.file, 'a');
    }
    this.maxBufferBytes = options.maxBufferBytes ?? 256 * 1024;
    this.onWritten = options.onWritten;
    this.blockBytes = this.maxBufferBytes + LINE_ROOM_BYTES;
    this.block = Buffer.allocUnsafe(this.fd === undefined ? 0 : this.blockBytes);
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 200);
    this.timer.unref();
  }

  /** False when nothing would see a line (no file, no listener): callers may skip building records. */
  get active(): boolean {
    return !this.closed && (this.fd !== undefined || this.listeners.size > 0);
  }

  write(record: LogRecord): void {
    if (this.closed) return;
    if (this.fd === undefined) {
      this.lines++;
      this.emit(record);
      return;
    }
    this.writeLine(JSON.stringify(record), () => record);
  }

  /**
   * A record its caller has serialised already: `line` is `JSON.stringify(record())`, without the newline.
   * For hot paths (the courier writes two lines a request); `record` is only called when someone listens.
   */
  writeLine(line: string, record: () => LogRecord): void {
    if (this.closed) return;
    this.lines++;
    if (this.listeners.size > 0) {
      const built = record();
      for (const listener of this.listeners) listener(built);
    }
    if (this.fd === undefined) return;
    // At most 3 bytes per UTF-16 unit, plus the newline.
    const room = line.length * 3 + 1;
    if (this.used + room > this.blockBytes) void this.flush();
    if (room > this.blockBytes) {
      this.queue(Buffer.from(line + '\n'), undefined);
      return;
    }
    this.used += this.block.write(line, this.used);
    this.block[this.used++] = 0x0a;
    if (this.used >= this.maxBufferBytes) void this.flush();
  }

  /**
   * A line encoded in place by a hot writer: the encoder, set at the end of what is buffered, with room for
   * `maxBytes` (a generous bound: pieces times three bytes per UTF-16 unit); end it with `endLine`. None
   * when there is no file or the line would not fit a block: then `writeLine` it.
   */
  beginLine(maxBytes: number): LineEncoder | undefined {
    if (this.closed || this.fd === undefined || maxBytes + 1 > this.blockBytes) return undefined;
    if (this.used + maxBytes + 1 > this.blockBytes) void this.flush();
    const encoder = this.encoder;
    encoder.block = this.block;
    encoder.at = this.used;
    return encoder;
  }

  /**
   * Ends the line `beginLine` started. True when someone listens: the caller then builds the line's record
   * and `emit`s it (a callback for that cost an allocation per line, listened to or not).
   */
  endLine(): boolean {
    const encoder = this.encoder;
    encoder.block[encoder.at++] = 0x0a;
    this.used = encoder.at;
    this.lines++;
    if (this.used >= this.maxBufferBytes) void this.flush();
    return this.listeners.size > 0;
  }

  /** Records written elsewhere (the courier thread writes the file itself), for the listeners only. */
  emit(record: LogRecord): void {
    for (const listener of this.listeners) listener(record);
  }

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  /** Listeners see every record as it is written (the dashboard's log pane samples them). */
  subscribe(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes what is buffered; resolves once it is in the file. */
  flush(): Promise<void> {
    if (this.used === 0 || this.fd === undefined) return this.writing;
    const block = this.block;
    this.block = this.spare.pop() ?? Buffer.allocUnsafe(this.blockBytes);
    const used = this.used;
    this.used = 0;
    return this.queue(block.subarray(0, used), block);
  }

  /**
   * Writes `data` after what is queued; `block`, if any, is reused once written. Whatever is queued when a
   * write starts goes in that one write: one write per flush fell behind (a write ends only when the event
   * loop turns, and a virtual run flushes several times a turn), and each block waiting is fresh memory.
   */
  private queue(data: Buffer, block: Buffer | undefined): Promise<void> {
    this.queued.push(data);
    if (block) this.queuedBlocks.push(block);
    if (!this.drainQueued) {
      this.drainQueued = true;
      const fd = this.fd!;
      this.writing = this.writing.then(async () => {
        this.drainQueued = false;
        const data = this.queued;
        const blocks = this.queuedBlocks;
        this.queued = [];
        this.queuedBlocks = [];
        await writeAll(fd, data);
        this.spare.push(...blocks);
        if (this.onWritten) this.onWritten(data.reduce((sum, d) => sum + d.length, 0));
      });
    }
    return this.writing;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    clearInterval(this.timer);
    await this.writing;
    if (this.fd !== undefined) closeSync(this.fd);
  }
}

/** One `writev(2)` for all of `data`, again for what a short write left. */
function writeAll(fd: number, data: Buffer[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let rest = data;
    const step = (): void => {
      fsWritev(fd, rest, (err, written) => {
        if (err) return reject(err);
        while (rest.length > 0 && written >= rest[0]!.length) {
          written -= rest[0]!.length;
          rest = rest.slice(1);
        }
        if (rest.length === 0) return resolve();
        rest = [rest[0]!.subarray(written), ...rest.slice(1)];
        step();
      });
    };
    step();
  });
}

let stampSecond = NaN;
let stampHead = '';
let stampMs = NaN;
let stampText = '';

/**
 * ISO timestamp of a scenario instant, given the run's wall-clock start. Every log line carries one, and
 * thousands share a second (many a millisecond): the text up to the seconds is formatted once per second,
 * and the last millisecond's text is kept.
 */
export function scenarioTimestamp(startedAtMs: number, scenarioMs: number): string {
  const ms = Math.trunc(startedAtMs + scenarioMs);
  if (ms === stampMs) return stampText;
  const second = Math.floor(ms / 1000);
  const millis = ms - second * 1000;
  if (second !== stampSecond) {
    const iso = new Date(second * 1000).toISOString();
    // Years outside 0000-9999 print with a sign and six digits: leave those to Date.
    if (iso.length !== 24) return new Date(ms).toISOString();
    stampSecond = second;
    stampHead = iso.slice(0, 20);
  }
  stampMs = ms;
  stampText = stampHead + MILLIS_Z[millis]!;
  return stampText;
}

/** "000Z" to "999Z": a timestamp's tail, made once rather than formatted for each new millisecond. */
const MILLIS_Z = Array.from({ length: 1000 }, (_, ms) => `${String(ms).padStart(3, '0')}Z`);
