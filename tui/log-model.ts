/**
 * What the log pane holds: a sampled tail for people to read, a ring of recent records for re-filtering, and
 * a bounded per-correlation-id index that tells one order's whole story. `ingest` runs inside the lab's log
 * writer on every record, so it is O(1) and formats nothing; formatting happens only for the lines drawn.
 */
import type { LogRecord } from '../lab/logs/log-record.js';

export interface LogEntry {
  /** Arrival number, 1 for the first record ever ingested. */
  seq: number;
  record: LogRecord;
}

export type LogFilter =
  | { kind: 'status'; value: string; raw: string }
  | { kind: 'service'; value: string; raw: string }
  | { kind: 'cid'; value: string; raw: string };

const STATUS_WORDS = new Set(['START', 'COMPLETE', 'FAILED', 'ERROR', 'WARN', 'INFO', 'DEBUG']);

/**
 * The services' `service` field by the word the pane shows for them. None of these words is hex, so none
 * can be mistaken for part of a correlation id.
 */
export const SERVICE_WORDS: Readonly<Record<string, string>> = {
  courier: 'slow-api',
  notify: 'notify-handler',
  deliver: 'delivery-handler',
  lab: 'stormlab',
};

/**
 * `/` input: a status or level word (any case) filters by it; a service word (courier, notify, deliver, lab)
 * by the line's service; anything else is part of a correlation id.
 */
export function parseFilter(text: string): LogFilter | undefined {
  const raw = text.trim();
  if (raw === '') return undefined;
  const upper = raw.toUpperCase();
  if (STATUS_WORDS.has(upper)) return { kind: 'status', value: upper, raw };
  const service = SERVICE_WORDS[raw.toLowerCase()];
  if (service !== undefined) return { kind: 'service', value: service, raw };
  return { kind: 'cid', value: raw.toLowerCase(), raw };
}

export function matchesFilter(record: LogRecord, filter: LogFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.kind === 'status') return record.status === filter.value || record.level === filter.value;
  if (filter.kind === 'service') return record.service === filter.value;
  return record.correlation_id !== undefined && record.correlation_id.toLowerCase().includes(filter.value);
}

/** Time constant of the arrival-rate average that sets the sampling, in real seconds. */
const RATE_SMOOTHING_S = 1;

export interface LogModelOptions {
  /** Records kept for re-filtering, newest last. */
  recentSize?: number;
  /** Lines kept in the pane's scrollback. */
  shownSize?: number;
  /** Correlation ids in the story index; the least recently active id goes first. */
  indexIds?: number;
  /** Lines kept per correlation id; beyond it the middle of the story is dropped (start and end stay). */
  perIdLines?: number;
  /** Lines a person can follow, per real second; faster arrivals are sampled down to this. */
  linesPerSecond?: number;
}

export interface Story {
  correlationId: string;
  records: LogRecord[];
  /** Lines dropped from the middle of a long story. */
  omitted: number;
}

interface IndexSlot {
  records: LogRecord[];
  omitted: number;
}

export class LogModel {
  private readonly recentSize: number;
  private readonly shownSize: number;
  private readonly indexIds: number;
  private readonly perIdLines: number;
  private readonly linesPerSecond: number;
  private recent: LogEntry[] = [];
  private recentHead = 0;
  private shownList: LogEntry[] = [];
  private pending: LogEntry[] = [];
  private index = new Map<string, IndexSlot>();
  private seq = 0;
  private filterValue: LogFilter | undefined;
  /** Keep one matching record in `stride`; set from the arrival rate of the last flush period. */
  private strideValue = 1;
  private strideCount = 0;
  private matchedSinceFlush = 0;
  /** Matching lines per real second, smoothed. */
  private rate = 0;
  private lastFlushMs: number | undefined;
  /** Records seen, in total. */
  received = 0;

  constructor(options: LogModelOptions = {}) {
    this.recentSize = options.recentSize ?? 5000;
    this.shownSize = options.shownSize ?? 1000;
    this.indexIds = options.indexIds ?? 4000;
    this.perIdLines = options.perIdLines ?? 40;
    this.linesPerSecond = options.linesPerSecond ?? 12;
  }

  get filter(): LogFilter | undefined {
    return this.filterValue;
  }

  /** 1 when every matching line is shown; k when one in k is. */
  get stride(): number {
    return this.strideValue;
  }

  /** Newest last; the array is replaced, not mutated, when it is trimmed. */
  get shown(): readonly LogEntry[] {
    return this.shownList;
  }

  ingest(record: LogRecord): void {
    const entry: LogEntry = { seq: ++this.seq, record };
    this.received++;
    if (this.recent.length < this.recentSize) this.recent.push(entry);
    else {
      this.recent[this.recentHead] = entry;
      this.recentHead = (this.recentHead + 1) % this.recentSize;
    }
    const cid = record.correlation_id;
    if (cid !== undefined) this.remember(cid, record);
    if (!matchesFilter(record, this.filterValue)) return;
    this.matchedSinceFlush++;
    if (++this.strideCount < this.strideValue) return;
    this.strideCount = 0;
    // Bounded even if frames stop: a burst keeps its first lines.
    if (this.pending.length < this.linesPerSecond * 2) this.pending.push(entry);
  }

  private remember(cid: string, record: LogRecord): void {
    let slot = this.index.get(cid);
    if (slot)
      this.index.delete(cid); // re-inserted below: the Map's order is least recently active first
    else {
      slot = { records: [], omitted: 0 };
      if (this.index.size >= this.indexIds) {
        const oldest = this.index.keys().next();
        if (!oldest.done) this.index.delete(oldest.value);
      }
    }
    this.index.set(cid, slot);
    slot.records.push(record);
    if (slot.records.length > this.perIdLines) {
      slot.records.splice(Math.floor(this.perIdLines / 2), 1);
      slot.omitted++;
    }
  }

  /** Moves the sampled lines into the pane and retunes the sampling; true when the pane changed. */
  flush(nowMs: number): boolean {
    const elapsedS = this.lastFlushMs === undefined ? 0 : (nowMs - this.lastFlushMs) / 1000;
    this.lastFlushMs = nowMs;
    if (elapsedS > 0) {
      // Smoothed over about a second: the lab's threads deliver log lines in batches, and a stride that
      // dropped to 1 after a quiet frame would let the next batch scroll the pane by a screenful.
      const alpha = 1 - Math.exp(-elapsedS / RATE_SMOOTHING_S);
      this.rate += alpha * (this.matchedSinceFlush / elapsedS - this.rate);
      this.strideValue = Math.max(1, Math.ceil(this.rate / this.linesPerSecond - 0.05));
    }
    this.matchedSinceFlush = 0;
    if (this.pending.length === 0) return false;
    for (const e of this.pending) this.shownList.push(e);
    this.pending = [];
    this.trimShown();
    return true;
  }

  private trimShown(): void {
    // Trim in chunks so that appending stays O(1) amortised.
    if (this.shownList.length > this.shownSize * 1.5) this.shownList = this.shownList.slice(-this.shownSize);
  }

  /** Recent records, oldest first. */
  private recentInOrder(): LogEntry[] {
    return this.recent.length < this.recentSize
      ? this.recent.slice()
      : this.recent.slice(this.recentHead).concat(this.recent.slice(0, this.recentHead));
  }

  /**
   * Applies a filter: the pane is refilled with every matching recent record (unsampled, since the reader
   * is searching), plus, for a correlation id, the indexed stories that are older than the recent ring.
   */
  setFilter(filter: LogFilter | undefined): void {
    this.filterValue = filter;
    this.pending = [];
    this.strideCount = 0;
    this.strideValue = 1;
    this.matchedSinceFlush = 0;
    this.rate = 0;
    const matched = this.recentInOrder().filter((e) => matchesFilter(e.record, filter));
    if (filter?.kind === 'cid') {
      const have = new Set(matched.map((e) => e.record));
      const older: LogEntry[] = [];
      for (const [cid, slot] of this.index) {
        if (!cid.toLowerCase().includes(filter.value)) continue;
        for (const r of slot.records) if (!have.has(r)) older.push({ seq: 0, record: r });
      }
      older.sort((a, b) =>
        a.record.timestamp < b.record.timestamp ? -1 : a.record.timestamp > b.record.timestamp ? 1 : 0,
      );
      this.shownList = older.concat(matched).slice(-this.shownSize);
    } else {
      this.shownList = matched.slice(-this.shownSize);
    }
  }

  /**
   * Every indexed line of one order, in time order: a delivery function's lines arrive when its invocation
   * ends, after the courier lines of the calls it made, but read in turn with them (request, answer, retry).
   * Lines of the same millisecond keep their arrival order.
   */
  story(correlationId: string): Story | undefined {
    const slot = this.index.get(correlationId);
    if (!slot) return undefined;
    const records = slot.records
      .slice()
      .sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
    return { correlationId, records, omitted: slot.omitted };
  }

  /** The most recently active indexed correlation id that contains `part`. */
  findCorrelationId(part: string): string | undefined {
    const p = part.toLowerCase();
    let found: string | undefined;
    for (const cid of this.index.keys()) if (cid.toLowerCase().includes(p)) found = cid;
    return found;
  }

  /** A line from the dashboard itself (restart, snapshot), shown whatever the filter. */
  note(record: LogRecord): void {
    this.shownList.push({ seq: ++this.seq, record });
    this.trimShown();
  }

  get indexedIds(): number {
    return this.index.size;
  }
}
