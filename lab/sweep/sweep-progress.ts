/**
 * A sweep's progress on stderr: a bar redrawn in place on a terminal, one plain line per cell otherwise
 * (a CI log or a file must not fill with carriage returns).
 */
import type { Writable } from 'node:stream';
import type { SweepCell } from './sweep-file.js';
import { cellMark } from './phase-map.js';

const BAR_WIDTH = 30;

export interface SweepProgress {
  cell(cell: SweepCell, done: number, total: number): void;
  /** Ends the bar's line (a terminal) so what follows starts on a fresh one. */
  end(): void;
}

export function bar(done: number, total: number, elapsedS: number): string {
  const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
  const eta = done === 0 ? '' : `, about ${Math.ceil((elapsedS / done) * (total - done))} s left`;
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${done}/${total} cells, ${elapsedS.toFixed(0)} s${eta}`;
}

export function cellLine(cell: SweepCell, done: number, total: number): string {
  const at = Object.entries(cell.at)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `sweep: cell ${done}/${total} ${at}: ${cellMark(cell).trim()}% delivered (${cell.wallMs} ms)`;
}

export function sweepProgress(
  stream: Writable & { isTTY?: boolean },
  now = () => performance.now(),
): SweepProgress {
  const started = now();
  let drawn = false;
  return {
    cell: (cell, done, total) => {
      if (stream.isTTY) {
        stream.write(`\r${bar(done, total, (now() - started) / 1000)}`);
        drawn = true;
      } else stream.write(`${cellLine(cell, done, total)}\n`);
    },
    end: () => {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
