import { Worker } from 'node:worker_threads';
import { projectWorkerEntry } from '../courier/worker-entry.js';
import type { LogCounts } from './count-log-lines.js';

/**
 * Bytes written between two reads: a message costs the writer's thread about 0.2 ms, and the scan reads 4 MB
 * at a time; what is left at the end is read then (a few ms).
 */
const READ_EVERY_BYTES = 2 * 1024 * 1024;

export interface LogTailData {
  file: string;
}

/** `read`: more of the file is written. `end`: every writer has closed; count the rest and answer. */
export type LogTailRequest = 'read' | 'end';
export type LogTailReply = { counts: LogCounts } | { error: string };

/**
 * The read-back of a run's log file (countLogLines), on a thread of its own that follows the file as the
 * run writes it (workers/log-tail-worker.ts): the counts are those of the whole file read from disk once
 * every writer has closed, as before, but most of the reading is done by then, on the other core.
 */
export class LogTail {
  private readonly worker: Worker;
  private readonly reply: Promise<LogCounts>;
  private ended = false;
  private unread = 0;

  /** `file` must exist (the log writer creates it). */
  constructor(
    file: string,
    private readonly readEveryBytes = READ_EVERY_BYTES,
  ) {
    const data: LogTailData = { file };
    this.worker = new Worker(projectWorkerEntry('workers/log-tail-worker'), { workerData: data });
    // A run that never ends (a crash) must not keep the process alive for it.
    this.worker.unref();
    this.reply = new Promise<LogCounts>((resolve, reject) => {
      this.worker.once('message', (reply: LogTailReply) =>
        'counts' in reply ? resolve(reply.counts) : reject(new Error(reply.error)),
      );
      this.worker.once('error', reject);
      this.worker.once('exit', (code) =>
        reject(new Error(`the log's read-back thread ended (exit code ${code}) before it answered`)),
      );
    });
    // Seen by `counts()`; a run that never asks must not leave an unhandled rejection behind.
    this.reply.catch(() => undefined);
  }

  /** `bytes` more of the file are written: once enough are, they are read while the run goes on. */
  wrote(bytes: number): void {
    this.unread += bytes;
    if (this.ended || this.unread < this.readEveryBytes) return;
    this.unread = 0;
    this.worker.postMessage('read' satisfies LogTailRequest);
  }

  /** Once every writer has closed: the whole file's counts. Ends the thread. */
  counts(): Promise<LogCounts> {
    if (!this.ended) {
      this.ended = true;
      this.worker.postMessage('end' satisfies LogTailRequest);
    }
    return this.reply.finally(() => void this.worker.terminate());
  }

  /** A run abandoned before its end: the thread goes, nothing is counted. */
  dispose(): void {
    this.ended = true;
    void this.worker.terminate();
  }
}
