/**
 * A terminal in memory: blessed draws into a PassThrough that claims to be a TTY of a given size, and the
 * screen's cell buffer is read back as text. Used by the tests and by the bench's cost measurement.
 */
import { PassThrough } from 'node:stream';
import type blessed from 'blessed';
import { createScreen } from './screen.js';

export interface MemoryTerminal {
  screen: blessed.Widgets.Screen;
  input: PassThrough;
  output: PassThrough & { columns: number; rows: number; isTTY: true };
  /** Everything written to the terminal so far (escape sequences included); read after a tick. */
  written(): string;
  /** Forgets what was written so far (to measure one stretch). */
  clearWritten(): void;
  /** The screen as text, one string per row, from blessed's cell buffer (updated by render()). */
  text(): string[];
  /** Resizes the terminal as SIGWINCH would. */
  resize(cols: number, rows: number): void;
}

export function createMemoryTerminal(cols = 80, rows = 24, keepWritten = true): MemoryTerminal {
  const input = new PassThrough();
  const output = Object.assign(new PassThrough(), { columns: cols, rows, isTTY: true as const });
  let raw = '';
  output.on('data', (d: Buffer) => {
    if (keepWritten) raw += d.toString('utf8');
  });
  // TERM fixed so that the test machine's terminfo does not matter.
  const screen = createScreen({ input, output }, { TERM: 'xterm-256color' });
  // No resize debounce in memory: tests resize and read the result in the same tick.
  (screen.program as unknown as { options: { resizeTimeout?: number } }).options.resizeTimeout = 0;
  return {
    screen,
    input,
    output,
    written: () => raw,
    clearWritten: () => {
      raw = '';
    },
    text: () =>
      (screen as unknown as { lines: [number, string][][] }).lines.map((row) =>
        row.map((cell) => cell[1]).join(''),
      ),
    resize: (c, r) => {
      output.columns = c;
      output.rows = r;
      output.emit('resize');
    },
  };
}
