/**
 * The log pane's text and scrolling: one structured record becomes one coloured line, and the pane either
 * follows the tail or holds a selected line (for Enter: that order's story). Pure; no blessed here.
 */
import { FUNCTION_LINE_FIELDS, type LogRecord } from '../lab/logs/log-record.js';
import { escapeTags } from './format.js';
import { SERVICE_WORDS, type LogEntry, type Story } from './log-model.js';
import type { Colour } from './view-model.js';

const SERVICE_SHORT: Record<string, string> = Object.fromEntries(
  Object.entries(SERVICE_WORDS).map(([word, service]) => [service, word]),
);

/** The HTTP status of a courier answer line (`slow-api`'s COMPLETE and FAILED lines carry `http_status`). */
function httpStatus(r: LogRecord): number | undefined {
  const v = r.http_status;
  return typeof v === 'number' ? v : undefined;
}

/**
 * Colour by the courier's HTTP status first (a 429 is the storm's usual answer: yellow, not red), then by
 * story status (START cyan, COMPLETE green, FAILED red), then level.
 */
export function logColour(r: LogRecord): Colour {
  const code = httpStatus(r);
  if (code !== undefined) return code < 300 ? 'green' : code === 429 ? 'yellow' : 'red';
  if (r.status === 'FAILED' || r.level === 'ERROR') return 'red';
  if (r.status === 'COMPLETE') return 'green';
  if (r.status === 'START') return 'cyan';
  if (r.level === 'WARN') return 'yellow';
  return 'white';
}

/**
 * What a line says after its status and id: the message, or for the courier what a reader of the storm looks
 * for, the request (`POST /slow`) on START and the answer with its time on COMPLETE and FAILED
 * (`429 Too Many Requests, 3 ms`).
 */
export function lineDetail(r: LogRecord): string {
  if (r.service !== 'slow-api') return r.message;
  const code = httpStatus(r);
  if (code !== undefined) {
    const ms = typeof r.duration_ms === 'number' ? `, ${Math.round(r.duration_ms)} ms` : '';
    return `${code} ${r.message}${ms}`;
  }
  if (typeof r.method === 'string' && typeof r.path === 'string') return `${r.method} ${r.path}`;
  return r.message;
}

/** Fields `lineDetail` shows already, so the story does not repeat them. */
const DETAIL_FIELDS = new Set(['http_status', 'duration_ms', 'method', 'path']);

/** `HH:MM:SS` of the record's timestamp: the same clock as the log file, so a line can be found there. */
function timeOf(r: LogRecord): string {
  return typeof r.timestamp === 'string' && r.timestamp.length >= 19 ? r.timestamp.slice(11, 19) : '--:--:--';
}

/**
 * One plain-text line: time (when the pane is wide enough), service, status (or HTTP status, or level),
 * the correlation id's first 8 characters (what `/` matches on), message.
 */
export function logLineText(r: LogRecord, width = 200): string {
  const service = SERVICE_SHORT[r.service] ?? String(r.service);
  const code = httpStatus(r);
  const what = r.status ?? (code !== undefined ? String(code) : r.level);
  // Lines outside any order's story (the lab's own notes) skip the columns they do not have.
  const body =
    r.correlation_id === undefined && r.status === undefined && code === undefined
      ? `${service.padEnd(7)} ${r.level === 'INFO' ? '' : `${r.level} `}${r.message}`
      : `${service.padEnd(7)} ${what.padEnd(8)} ${(r.correlation_id ?? '').slice(0, 8).padEnd(8)} ${lineDetail(r)}`;
  return width >= 60 ? `${timeOf(r)} ${body}` : body;
}

/** Cuts a line to `width` at a word boundary when one is near the end, so words are not split. */
export function cutLine(text: string, width: number): string {
  if (text.length <= width) return text;
  const space = text.lastIndexOf(' ', width);
  return space >= width * 0.6 ? text.slice(0, space) : text.slice(0, width);
}

/** The line cut to `width`, escaped and coloured; `selected` draws it inverse. */
export function formatLogLine(r: LogRecord, width: number, selected = false): string {
  const text = escapeTags(cutLine(logLineText(r, width), width));
  const colour = logColour(r);
  return selected ? `{inverse}${text.padEnd(width)}{/inverse}` : `{${colour}-fg}${text}{/${colour}-fg}`;
}

const STANDARD_FIELDS = FUNCTION_LINE_FIELDS;

/** The story overlay: one order's every line, with the fields beyond the Powertools shape appended. */
export function storyLines(story: Story, width: number): string[] {
  const lines = [
    `{bold}correlation id ${escapeTags(story.correlationId)}{/bold}  (${story.records.length} lines)`,
    '',
  ];
  story.records.forEach((r, i) => {
    if (story.omitted > 0 && i === Math.floor(story.records.length / 2)) {
      lines.push(
        `{yellow-fg}... ${story.omitted} lines from the middle of this story not kept ...{/yellow-fg}`,
      );
    }
    const courier = r.service === 'slow-api';
    const extras = Object.keys(r)
      .filter((k) => !STANDARD_FIELDS.has(k) && !(courier && DETAIL_FIELDS.has(k)) && r[k] !== undefined)
      .map((k) => `${k}=${typeof r[k] === 'object' ? JSON.stringify(r[k]) : String(r[k])}`);
    const cold = r.cold_start ? ' cold' : '';
    const text = `${r.timestamp.slice(11, 23)} ${SERVICE_SHORT[r.service] ?? r.service} ${r.status ?? r.level}${cold} ${lineDetail(r)}${extras.length ? '  ' + extras.join(' ') : ''}`;
    const colour = logColour(r);
    lines.push(`{${colour}-fg}${escapeTags(cutLine(text, width))}{/${colour}-fg}`);
  });
  return lines;
}

/**
 * Scrolling: following the tail, or holding a selected entry (kept by identity, so new lines and trimming
 * do not move it). `top` is the first visible index while not following.
 */
export class LogScroll {
  follow = true;
  selected: LogEntry | undefined;
  private top = 0;

  /** The entries to draw and which of them is selected. */
  view(entries: readonly LogEntry[], height: number): { rows: readonly LogEntry[]; selectedRow: number } {
    const h = Math.max(1, height);
    if (this.follow || !this.selected) {
      this.follow = true;
      this.selected = undefined;
      return { rows: entries.slice(Math.max(0, entries.length - h)), selectedRow: -1 };
    }
    let i = entries.lastIndexOf(this.selected);
    if (i < 0) {
      // Trimmed away: hold the oldest line that is left.
      i = 0;
      this.selected = entries[0];
    }
    if (i < this.top) this.top = i;
    if (i >= this.top + h) this.top = i - h + 1;
    this.top = Math.max(0, Math.min(this.top, Math.max(0, entries.length - h)));
    return { rows: entries.slice(this.top, this.top + h), selectedRow: i - this.top };
  }

  /** Moves the selection by `delta` lines; leaving the bottom edge resumes following. */
  move(entries: readonly LogEntry[], delta: number, height: number): void {
    if (entries.length === 0) return;
    let i: number;
    if (this.follow || !this.selected) {
      if (delta > 0) return;
      i = entries.length - 1 + (delta === -1 ? 0 : delta);
      this.top = Math.max(0, entries.length - Math.max(1, height));
    } else {
      i = entries.lastIndexOf(this.selected) + delta;
    }
    if (i >= entries.length) {
      this.end();
      return;
    }
    this.follow = false;
    this.selected = entries[Math.max(0, i)];
  }

  home(entries: readonly LogEntry[]): void {
    if (entries.length === 0) return;
    this.follow = false;
    this.selected = entries[0];
    this.top = 0;
  }

  end(): void {
    this.follow = true;
    this.selected = undefined;
  }
}
