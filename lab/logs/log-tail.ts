import { Worker } from 'node:worker_threads';
import { projectWorkerEntry } from '../courier/worker-entry.js';
import { countLogLines, type LogCounts } from './count-log-lines.js';

export interface LogTailOptions {
  /**
   * Bytes written before the thread starts: a smaller log reads back in a few ms at the end, less than a
   * thread costs to start (about 100 ms of CPU; a second under tsx, in the tests).
   */
  startAfterBytes?: number;
  /** Bytes written between two reads: a message costs the writer's thread about 0.2 ms. */
  readEveryBytes?: number;
}

const START_AFTER_BYTES = 8 * 1024 * 1024;
const READ_EVERY_BYTES = 2 * 1024 * 1024;

export interface LogTailData {
  file: string;
}

/** `read`: more of the file is written. `end`: every writer has closed; count the rest and answer. */
export type LogTailRequest = 'read' | 'end';
export type LogTailReply = { counts: LogCounts } | { error: string };

/**
 * The read-back of a run's log file (countLogLines), on a thread of its own that follows the file as the
 * run writes it (workers/log-tail-worker.ts), once the log is large enough for that to pay: the counts are
 * those of the whole file read from disk once every writer has closed, as before, but most of the reading is
 * done by then, on the other core.
 */
export class LogTail {
  private readonly startAfterBytes: number;
  private readonly readEveryBytes: number;
  private worker: Worker | undefined;
  private reply: Promise<LogCounts> | undefined;
  private ended = false;
  /** Bytes written since the last read (or, before the thread starts, since the run began). */
  private unread = 0;

  /** `file` must exist once the first write has ended (the log writer creates it). */
  constructor(
    private readonly file: string,
    options: LogTailOptions = {},
  ) {
    this.startAfterBytes = options.startAfterBytes ?? START_AFTER_BYTES;
    this.readEveryBytes = options.readEveryBytes ?? READ_EVERY_BYTES;
    if (this.startAfterBytes <= 0) this.start();
  }

  /** `bytes` more of the file are written: once enough are, they are read while the run goes on. */
  wrote(bytes: number): void {
    if (this.ended) return;
    this.unread += bytes;
    if (!this.worker) {
      if (this.unread >= this.startAfterBytes) this.start();
      return;
    }
    if (this.unread < this.readEveryBytes) return;
    this.unread = 0;
    this.worker.postMessage('read' satisfies LogTailRequest);
  }

  /** Once every writer has closed: the whole file's counts. Ends the thread. */
  counts(): Promise<LogCounts> {
    if (!this.ended) {
      this.ended = true;
      this.worker?.postMessage('end' satisfies LogTailRequest);
    }
    const { worker, reply } = this;
    if (!worker || !reply) return countLogLines(this.file);
    return reply.finally(() => void worker.terminate());
  }

  private start(): void {
    const data: LogTailData = { file: this.file };
    const worker = new Worker(projectWorkerEntry('workers/log-tail-worker'), { workerData: data });
    this.worker = worker;
    this.unread = 0;
    // A run that never ends (a crash) must not keep the process alive for it.
    worker.unref();
    this.reply = new Promise<LogCounts>((resolve, reject) => {
      worker.once('message', (reply: LogTailReply) =>
        'counts' in reply ? resolve(reply.counts) : reject(new Error(reply.error)),
      );
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new Error(`the log's read-back thread ended (exit code ${code}) before it answered`)),
      );
    });
    // Seen by `counts()`; a run that never asks must not leave an unhandled rejection behind.
    this.reply.catch(() => undefined);
  }
}
