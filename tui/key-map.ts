/**
 * Keys to actions, given what is on screen. Pure: the dashboard applies the action; tests read the table.
 * While the filter prompt is open, printable keys are text (so `q` types a q); Ctrl-C always quits.
 */
import type { BreakerName, Mode, RetryPolicyName } from '../lab/config/option-spec.js';
import type { Segment } from './format.js';

export type ScrollKind = 'up' | 'down' | 'left' | 'right' | 'pageup' | 'pagedown' | 'home' | 'end';

export type Action =
  | { type: 'quit' }
  | { type: 'mode'; mode: Mode }
  | { type: 'cycle-mode' }
  | { type: 'load'; dir: 1 | -1 }
  | { type: 'queue'; dir: 1 | -1 }
  /** Issue 12: the poller's limit, the retry policy, the scope of budgets and breakers, the breaker. */
  | { type: 'queue-limit' }
  | { type: 'retry-policy' }
  | { type: 'calm-scope' }
  | { type: 'breaker' }
  | { type: 'pause' }
  | { type: 'restart' }
  | { type: 'snapshot' }
  | { type: 'outage' }
  | { type: 'help' }
  | { type: 'close' }
  | { type: 'focus'; dir: 1 | -1 }
  | { type: 'scroll'; kind: ScrollKind }
  | { type: 'filter-open' }
  | { type: 'story' }
  | { type: 'prompt-char'; ch: string }
  | { type: 'prompt-backspace' }
  | { type: 'prompt-submit' }
  | { type: 'prompt-cancel' }
  | { type: 'none' };

/** What blessed passes to a keypress listener (the parts we read). */
export interface KeyEvent {
  full?: string;
  name?: string;
  ctrl?: boolean;
  meta?: boolean;
}

export interface KeyContext {
  overlay: 'none' | 'help' | 'story';
  prompting: boolean;
}

const SCROLL_KEYS: Record<string, ScrollKind> = {
  up: 'up',
  down: 'down',
  left: 'left',
  right: 'right',
  pageup: 'pageup',
  pagedown: 'pagedown',
  home: 'home',
  end: 'end',
  k: 'up',
  j: 'down',
};

const MAIN_KEYS: Record<string, Action> = {
  q: { type: 'quit' },
  '1': { type: 'mode', mode: 'none' },
  '2': { type: 'mode', mode: 'queue' },
  '3': { type: 'mode', mode: 'throttle' },
  m: { type: 'cycle-mode' },
  '+': { type: 'load', dir: 1 },
  '=': { type: 'load', dir: 1 }, // `+` without shift on most keyboards
  '-': { type: 'load', dir: -1 },
  '[': { type: 'queue', dir: -1 },
  ']': { type: 'queue', dir: 1 },
  a: { type: 'queue-limit' },
  b: { type: 'retry-policy' },
  e: { type: 'calm-scope' },
  c: { type: 'breaker' },
  space: { type: 'pause' },
  r: { type: 'restart' },
  s: { type: 'snapshot' },
  o: { type: 'outage' },
  '?': { type: 'help' },
  '/': { type: 'filter-open' },
  enter: { type: 'story' },
  linefeed: { type: 'story' },
  escape: { type: 'close' },
  tab: { type: 'focus', dir: 1 },
  'S-tab': { type: 'focus', dir: -1 },
};

/** `ch` is the character typed (undefined for special keys); `key` is blessed's parsed key. */
export function actionFor(ch: string | undefined, key: KeyEvent, ctx: KeyContext): Action {
  const full = key.full ?? key.name ?? ch ?? '';
  if (full === 'C-c') return { type: 'quit' };
  // blessed reports Enter twice (`return`, then `enter`); act on `enter` only.
  if (full === 'return') return { type: 'none' };
  if (ctx.prompting) {
    if (full === 'enter' || full === 'linefeed') return { type: 'prompt-submit' };
    if (full === 'escape') return { type: 'prompt-cancel' };
    if (full === 'backspace') return { type: 'prompt-backspace' };
    if (ch !== undefined && ch.length === 1 && ch >= ' ' && ch <= '~' && !key.ctrl && !key.meta) {
      return { type: 'prompt-char', ch };
    }
    return { type: 'none' };
  }
  if (ctx.overlay !== 'none') {
    if (full === 'escape' || (full === '?' && ctx.overlay === 'help') || full === 'enter')
      return { type: 'close' };
    if (full === 'q') return { type: 'quit' };
    const scroll = SCROLL_KEYS[full];
    return scroll ? { type: 'scroll', kind: scroll } : { type: 'none' };
  }
  const scroll = SCROLL_KEYS[full];
  if (scroll) return { type: 'scroll', kind: scroll };
  return MAIN_KEYS[full] ?? { type: 'none' };
}

/** The help overlay's text: one line per key, the same table `actionFor` reads. */
export const HELP_LINES: readonly string[] = [
  '1 2 3        flow control: none, queue, throttle',
  'm            cycle the mode',
  '+ -          raise / lower the load (x0.1 to x5)',
  '[ ]          lower / raise the queue concurrency',
  'a b c e      cycle queue limit, retry policy, breaker, scope',
  'space        pause / resume the load',
  'r            restart the run from scenario time 0',
  's            write a report snapshot (path shown)',
  'o            a 60-second courier outage, now',
  '/            filter the log: a correlation id, or',
  '             START COMPLETE FAILED ERROR WARN, or',
  '             courier notify deliver lab',
  '             (empty clears the filter)',
  "Enter        on a log line: that order's whole story",
  'Tab          move focus between panes',
  'arrows       scroll the log / pan a chart (Left, Right)',
  '             and zoom charts (Up, Down)',
  'Home End     oldest line / follow the tail again',
  '?  Esc       open / close this help',
  'q  Ctrl-C    quit (the report is written on exit)',
];

/** Hints for the bottom bar, ranked; the bar keeps as many as fit. */
export const HINTS: readonly Segment[] = [
  { text: 'q quit', priority: 0 },
  { text: '? help', priority: 0 },
  { text: '1/2/3 mode', priority: 1 },
  { text: '+/- load', priority: 2 },
  { text: 'space pause', priority: 3 },
  { text: '[/] queue', priority: 4 },
  { text: '/ filter', priority: 5 },
  { text: 'r restart', priority: 6 },
  { text: 's snapshot', priority: 7 },
  { text: 'Tab focus', priority: 8 },
  { text: 'Enter story', priority: 9 },
  { text: 'o outage', priority: 6 },
  { text: 'a limit', priority: 4 },
  { text: 'b retries', priority: 4 },
  { text: 'c breaker', priority: 5 },
  { text: 'e scope', priority: 5 },
];

/** Load factors that `+` and `-` step through (1 = the scenario as written). */
export const LOAD_LADDER: readonly number[] = [0.1, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4, 5];

/** The next rung of `ladder` above (dir 1) or below (dir -1) `current`; stays put at either end. */
export function stepLadder(ladder: readonly number[], current: number, dir: 1 | -1): number {
  if (dir > 0) return ladder.find((v) => v > current + 1e-9) ?? ladder[ladder.length - 1]!;
  for (let i = ladder.length - 1; i >= 0; i--) if (ladder[i]! < current - 1e-9) return ladder[i]!;
  return ladder[0]!;
}

/** Queue concurrencies `[` and `]` step through: 2..20 by 1, to 100 by 5, to 500 by 25, to 1000 by 100. */
export const QUEUE_LADDER: readonly number[] = (() => {
  const out: number[] = [];
  for (let n = 2; n <= 1000; n += n < 20 ? 1 : n < 100 ? 5 : n < 500 ? 25 : 100) out.push(n);
  return out;
})();

export function stepQueueConcurrency(current: number, dir: 1 | -1): number {
  return stepLadder(QUEUE_LADDER, current, dir);
}

export const MODE_ORDER: readonly Mode[] = ['none', 'queue', 'throttle'];

export const QUEUE_LIMIT_ORDER = ['fixed', 'aimd', 'gradient'] as const;
export const RETRY_POLICY_ORDER: readonly RetryPolicyName[] = [
  'tenacity',
  'sdk-standard',
  'grpc-throttle',
  'retry-bucket',
  'full-jitter',
  'none',
];
export const BREAKER_ORDER: readonly BreakerName[] = ['off', 'consecutive', 'sampling'];

/** The item after `current` in `order`, wrapping round. */
export function nextIn<T>(order: readonly T[], current: T): T {
  return order[(order.indexOf(current) + 1) % order.length]!;
}
