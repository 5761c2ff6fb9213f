/**
 * Creating and leaving the terminal screen safely.
 *
 * blessed 0.1.81 cannot read ncurses 6.1+ terminfo files and, while compiling some entries, dumps
 * "Error on <term>.<cap>" plus generated JavaScript through console.error, before the alternate screen is
 * up, where it would stay in the user's scrollback. Creation therefore runs with console.error silenced,
 * and any `*256col*` TERM maps to blessed's bundled xterm-256color (tmux-256color and screen-256color
 * otherwise fall back to 8-colour xterm with noise). The dashboard only uses the 8 basic colours, so every
 * fallback looks the same.
 */
import blessed from 'blessed';
import type { Readable, Writable } from 'node:stream';

export interface ScreenStreams {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

export function createScreen(
  streams: ScreenStreams = {},
  env: NodeJS.ProcessEnv = process.env,
): blessed.Widgets.Screen {
  const err = console.error;
  console.error = () => {};
  try {
    return blessed.screen({
      // @types/blessed swaps the stream types of input and output.
      input: (streams.input ?? process.stdin) as unknown as Writable,
      output: (streams.output ?? process.stdout) as unknown as Readable,
      terminal: /256col/.test(env.TERM ?? '') ? 'xterm-256color' : undefined,
      smartCSR: false, // scroll-region tricks flicker with panes that are not full width
      fullUnicode: false, // braille and block characters are single-width BMP characters
      warnings: false,
      autoPadding: true,
      dockBorders: false,
      resizeTimeout: 150, // real ms: one relayout per burst of SIGWINCH
      title: 'StormLab',
    });
  } finally {
    console.error = err;
  }
}

/**
 * While the dashboard owns the terminal, writes to stderr (Node warnings, a stray console.error) would land
 * in the middle of the screen. This diverts them to `sink` and returns a function that restores stderr and
 * hands back what was captured, so the caller can print it once the terminal is restored.
 */
export function captureStderr(sink: (text: string) => void, limit = 200): () => string[] {
  const stream = process.stderr;
  const original = stream.write;
  const kept: string[] = [];
  const capture = function (chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    if (kept.length < limit) kept.push(text);
    try {
      sink(text);
    } catch {
      // A failing sink must not turn a warning into a crash.
    }
    const done = typeof encoding === 'function' ? encoding : cb;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  };
  stream.write = capture as typeof stream.write;
  return () => {
    if (stream.write === (capture as typeof stream.write)) stream.write = original;
    return kept;
  };
}
