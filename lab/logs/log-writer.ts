import { closeSync, mkdirSync, openSync, write as fsWrite } from 'node:fs';
import { dirname } from 'node:path';
import type { LogRecord } from './log-record.js';

export interface LogWriterOptions {
  /** The run's log file; opened for appending, so the courier thread can share it. */
  file: string;
  /** Real milliseconds between flushes. */
  flushIntervalMs?: number;
  /** Flush early once this many bytes are buffered. */
  maxBufferBytes?: number;
}

export type LogListener = (record: LogRecord) => void;

/**
 * JSON lines, buffered and written in batches off the hot path: `write()` only serialises and appends to a
 * string. Each flush is one `write(2)` on an O_APPEND descriptor, so two threads appending whole batches to
 * the same file never interleave inside a line.
 */
export class LogWriter {
  readonly file: string;
  private fd: number;
  private chunks: string[] = [];
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
    mkdirSync(dirname(options.file), { recursive: true });
    this.fd = openSync(options.file, 'a');
    this.maxBufferBytes = options.maxBufferBytes ?? 256 * 1024;
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 200);
    this.timer.unref();
  }

  write(record: LogRecord): void {
    if (this.closed) return;
    const line = JSON.stringify(record) + '\n';
    this.chunks.push(line);
    this.bytes += line.length;
    this.lines++;
    for (const listener of this.listeners) listener(record);
    if (this.bytes >= this.maxBufferBytes) void this.flush();
  }

  /** Listeners see every record as it is written (the dashboard's log pane samples them). */
  subscribe(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes what is buffered; resolves once it is in the file. */
  flush(): Promise<void> {
    if (this.chunks.length === 0) return this.writing;
    const data = Buffer.from(this.chunks.join(''));
    this.chunks = [];
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
    closeSync(this.fd);
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
