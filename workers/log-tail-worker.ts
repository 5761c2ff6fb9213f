/**
 * The log's read-back, done while the run writes the log: this thread reads the run's log file as it grows
 * and counts its lines, so that when the run ends only its last writes are left to read (reading back an
 * 18-minute storm's 60 MB at the end took a tenth of a virtual run). Started by lab/logs/log-tail.ts, which
 * says `read` every 2 MB written and `end` once every writer has closed.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { LogLineScan } from '../lab/logs/count-log-lines.js';
import type { LogTailData, LogTailReply, LogTailRequest } from '../lab/logs/log-tail.js';

const { file } = workerData as LogTailData;
const port = parentPort!;
const fd = openSync(file, 'r');
const scan = new LogLineScan(file);
let done = false;

/** From where the last read ended to the file's end as it is now; a line still being written waits. */
function readToEnd(): void {
  for (;;) {
    const bytesRead = readSync(fd, scan.buffer, scan.kept, scan.room, null);
    if (bytesRead === 0) return;
    scan.took(bytesRead);
  }
}

function reply(message: LogTailReply): void {
  done = true;
  closeSync(fd);
  port.postMessage(message);
  port.close();
}

port.on('message', (request: LogTailRequest) => {
  if (done) return;
  try {
    readToEnd();
    if (request === 'end') reply({ counts: scan.ended() });
  } catch (err) {
    reply({ error: String((err as Error)?.message ?? err) });
  }
});
