import { closeSync, mkdirSync, openSync, write as fsWrite } from 'node:fs';
import { dirname } from 'node:path';
import type { LogRecord } from './log-record.js';

export interface LogWriterOptions {
  /** The run's log file; opened for appending, so the courier thread can share it. None: listeners only. */
  file: string | undefined;
  /** Real milliseconds between flushes. */
  flushIntervalMs?: number;
  /** Flush early once this many bytes are buffered. */
  maxBufferBytes?: number;
}

export type LogListener = (record: LogRecord) => void;

/** Bytes of one buffer block; lines are encoded into it as they come, so their strings die young. */
const BLOCK_BYTES = 64 * 1024;

/**
 * JSON lines, buffered and written in batches off the hot path: `write()` only serialises and copies the
 * line's bytes into a buffer block. Each flush is one `write(2)` on an O_APPEND descriptor, so two threads
 * appending whole batches to the same file never interleave inside a line.
 */
export class LogWriter {
  readonly file: string | undefined;
  private fd: number | undefined;
  /** Blocks filled since the last flush, then the block being filled up to `used`. */
  private full: Buffer[] = [];
  private block = Buffer.allocUnsafe(BLOCK_BYTES);
  private used = 0;
  private bytes = 0;
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout;
  private listeners = new Set<LogListener>();
  private closed = false;
  private readonly maxBufferBytes: number;
  /** Lines accepted, by service and status: lets tests compare the file with what was written. */
  lines = 0;

  constructor(options: LogWriterOptions) {
    this.file = options.file;
    if (options.file !== undefined) {
      mkdirSync(dirname(options.file), { recursive: true });
      this.fd = openSync(options.file, 'a');
    }
    this.maxBufferBytes = options.maxBufferBytes ?? 256 * 1024;
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
    if (this.used + room > this.block.length) {
      if (this.used > 0) this.full.push(this.block.subarray(0, this.used));
      this.block = Buffer.allocUnsafe(Math.max(BLOCK_BYTES, room));
      this.used = 0;
    }
    const written = this.block.write(line, this.used) + 1;
    this.block[this.used + written - 1] = 0x0a;
    this.used += written;
    this.bytes += written;
    if (this.bytes >= this.maxBufferBytes) void this.flush();
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
    if (this.bytes === 0 || this.fd === undefined) return this.writing;
    const last = this.block.subarray(0, this.used);
    const data = this.full.length === 0 ? last : Buffer.concat([...this.full, last]);
    this.full = [];
    this.block = Buffer.allocUnsafe(BLOCK_BYTES);
    this.used = 0;
    this.bytes = 0;
    const fd = this.fd;
    this.writing = this.writing.then(() => writeAll(fd, data));
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

function writeAll(fd: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    let offset = 0;
    const step = (): void => {
      fsWrite(fd, data, offset, data.length - offset, null, (err, written) => {
        if (err) return reject(err);
        offset += written;
        if (offset < data.length) step();
        else resolve();
      });
    };
    step();
  });
}

/** ISO timestamp of a scenario instant, given the run's wall-clock start. */
export function scenarioTimestamp(startedAtMs: number, scenarioMs: number): string {
  return new Date(startedAtMs + scenarioMs).toISOString();
}
