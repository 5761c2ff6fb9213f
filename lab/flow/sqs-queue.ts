import { EventEmitter } from 'node:events';
import type { Clock } from '../time/clock.js';
import { Fifo } from './fifo.js';
import { IndexedHeap, type HeapItem } from './indexed-heap.js';

/** SQS defaults and limits (aws-semantics 4.19, 4.20; the lab's visibility timeout is the article's 150 s). */
export const DEFAULT_VISIBILITY_TIMEOUT_S = 150;
export const DEFAULT_RETENTION_S = 345_600;
export const MAX_VISIBILITY_TIMEOUT_S = 43_200;

export interface SqsMessage<T> {
  /** `m-1`, `m-2`, ... in send order (with the queue's prefix). */
  readonly id: string;
  readonly body: T;
  /** Scenario ms when it was sent. */
  readonly sentAt: number;
  /** Times it was received, this receive included. */
  readonly receiveCount: number;
  /** Scenario ms from which it can be received (again). */
  readonly visibleAt: number;
  /** Free for the caller: the lab stores the mode the message was routed under. */
  tag: string | undefined;
}

export interface SqsQueueOptions {
  clock: Clock;
  /** Scenario seconds a received message stays invisible. @default 150 */
  visibilityTimeoutS?: number;
  /** Scenario seconds a message is kept, received or not. @default 345600 (4 days) */
  retentionS?: number;
  /** Redrive: a message received this many times goes to the dead-letter queue on its next receive. @default none */
  maxReceiveCount?: number | undefined;
  /** Prefix of message ids. @default 'm-' */
  idPrefix?: string;
}

export interface SqsQueueTotals {
  sent: number;
  deleted: number;
  /** Discarded past retention: lost. */
  expired: number;
  deadLettered: number;
  /** Messages handed out by `receive`. */
  receives: number;
  /** Receives of a message that had been received before (receiveCount > 1). */
  redeliveries: number;
}

/** Events, each with the message and (where it matters) the scenario ms it happened at. */
export interface SqsQueueEvents<T> {
  sent: [message: SqsMessage<T>];
  deadLettered: [message: SqsMessage<T>, now: number];
  expired: [message: SqsMessage<T>, now: number];
}

type State = 'visible' | 'inflight' | 'gone';

class Entry<T> implements SqsMessage<T>, HeapItem {
  receiveCount = 0;
  state: State = 'visible';
  heapIndex = -1;
  constructor(
    readonly id: string,
    readonly body: T,
    readonly sentAt: number,
    public visibleAt: number,
    public tag: string | undefined,
    readonly seq: number,
  ) {}
}

const gone = (e: Entry<unknown>): boolean => e.state === 'gone';

/**
 * An SQS-like standard queue on scenario time. Visible messages wait in a FIFO (in the order they became
 * visible); received messages wait in a heap keyed by the time they become visible again, and move back to
 * the FIFO lazily whenever the queue is asked something at a later `now`. Every operation is O(log n)
 * amortized, so tens of thousands of messages cost nothing per receive.
 *
 * Retention: a message expires once its age reaches `retentionS`. A message that is in flight at that moment
 * expires when its visibility timeout ends (nobody can receive it any more), so an invocation that is still
 * running may delete it: the order is then delivered, not also lost.
 */
export class SqsQueue<T> extends EventEmitter<SqsQueueEvents<T>> {
  readonly visibilityTimeoutS: number;
  readonly retentionS: number;
  readonly maxReceiveCount: number | undefined;
  private readonly clock: Clock;
  private readonly idPrefix: string;
  private readonly byId = new Map<string, Entry<T>>();
  /** Every message still in the queue, in send order (lazily pruned): retention and oldest age. */
  private readonly all = new Fifo<Entry<T>>();
  private readonly visible = new Fifo<Entry<T>>();
  private visibleSize = 0;
  private readonly inFlight = new IndexedHeap<Entry<T>>(
    (a, b) => a.visibleAt < b.visibleAt || (a.visibleAt === b.visibleAt && a.seq < b.seq),
  );
  private readonly dlq: SqsMessage<T>[] = [];
  private seq = 0;
  private lastNow = -Infinity;
  private readonly counts: SqsQueueTotals = {
    sent: 0,
    deleted: 0,
    expired: 0,
    deadLettered: 0,
    receives: 0,
    redeliveries: 0,
  };

  constructor(options: SqsQueueOptions) {
    super();
    const vt = options.visibilityTimeoutS ?? DEFAULT_VISIBILITY_TIMEOUT_S;
    const retention = options.retentionS ?? DEFAULT_RETENTION_S;
    const mrc = options.maxReceiveCount;
    if (!(vt >= 0 && vt <= MAX_VISIBILITY_TIMEOUT_S)) {
      throw new RangeError(`visibilityTimeoutS must be from 0 to ${MAX_VISIBILITY_TIMEOUT_S}, got ${vt}`);
    }
    if (!(retention > 0)) throw new RangeError(`retentionS must be above 0, got ${retention}`);
    if (mrc !== undefined && !(Number.isInteger(mrc) && mrc >= 1)) {
      throw new RangeError(`maxReceiveCount must be an integer from 1 and up, got ${mrc}`);
    }
    this.clock = options.clock;
    this.visibilityTimeoutS = vt;
    this.retentionS = retention;
    this.maxReceiveCount = mrc;
    this.idPrefix = options.idPrefix ?? 'm-';
  }

  /** Adds a message, visible at once; returns its id. Emits `sent`. */
  send(body: T, now = this.clock.now(), tag?: string): string {
    now = this.advance(now);
    const seq = ++this.seq;
    const entry = new Entry(`${this.idPrefix}${seq}`, body, now, now, tag, seq);
    this.byId.set(entry.id, entry);
    this.all.push(entry);
    this.makeVisible(entry);
    this.counts.sent++;
    this.emit('sent', entry);
    return entry.id;
  }

  /**
   * The oldest visible message, now invisible until `now + visibilityTimeoutS`, its receiveCount raised; or
   * undefined when none is visible. A message whose receiveCount already equals maxReceiveCount goes to the
   * dead-letter queue instead (emitting `deadLettered`) and the next one is tried. Sweeps retention first.
   */
  receive(now = this.clock.now()): SqsMessage<T> | undefined {
    now = this.advance(now);
    this.sweep(now);
    for (;;) {
      const entry = this.visible.firstLive((e) => e.state !== 'visible');
      if (!entry) return undefined;
      this.visible.shift();
      this.visibleSize--;
      if (this.maxReceiveCount !== undefined && entry.receiveCount >= this.maxReceiveCount) {
        entry.state = 'gone';
        this.byId.delete(entry.id);
        this.dlq.push(entry);
        this.counts.deadLettered++;
        this.emit('deadLettered', entry, now);
        continue;
      }
      entry.receiveCount++;
      entry.visibleAt = now + this.visibilityTimeoutS * 1000;
      entry.state = 'inflight';
      this.inFlight.push(entry);
      this.counts.receives++;
      if (entry.receiveCount > 1) this.counts.redeliveries++;
      return entry;
    }
  }

  /** Removes a message (visible or in flight); false if it is no longer in the queue. */
  delete(id: string): boolean {
    const entry = this.byId.get(id);
    if (!entry) return false;
    this.remove(entry);
    this.counts.deleted++;
    return true;
  }

  /** Makes an in-flight message visible `seconds` after `now` (0: at once); false if it is not in flight. */
  changeVisibility(id: string, seconds: number, now = this.clock.now()): boolean {
    if (!(seconds >= 0 && seconds <= MAX_VISIBILITY_TIMEOUT_S)) {
      throw new RangeError(
        `visibility timeout must be from 0 to ${MAX_VISIBILITY_TIMEOUT_S} s, got ${seconds}`,
      );
    }
    now = this.advance(now);
    const entry = this.byId.get(id);
    if (!entry || entry.state !== 'inflight') return false;
    entry.visibleAt = now + seconds * 1000;
    this.inFlight.update(entry);
    this.promote(now);
    return true;
  }

  /** Discards every message past retention that nobody can hold any more; returns how many. */
  sweep(now = this.clock.now()): number {
    now = this.advance(now);
    const cutoff = now - this.retentionS * 1000;
    let expired = 0;
    this.all.firstLive(gone);
    for (let i = 0; ; i++) {
      const entry = this.all.at(i);
      if (!entry || entry.sentAt > cutoff) break;
      // In flight past retention: it expires when its visibility timeout ends (see the class comment).
      if (entry.state !== 'visible') continue;
      this.remove(entry);
      this.counts.expired++;
      expired++;
      this.emit('expired', entry, now);
    }
    return expired;
  }

  get(id: string): SqsMessage<T> | undefined {
    return this.byId.get(id);
  }

  /** Messages in the queue, visible or in flight (the dead-letter queue not included). */
  get size(): number {
    return this.byId.size;
  }

  visibleCount(now = this.clock.now()): number {
    this.advance(now);
    return this.visibleSize;
  }

  inFlightCount(now = this.clock.now()): number {
    this.advance(now);
    return this.inFlight.size;
  }

  /** Age in scenario seconds of the oldest message still in the queue, visible or not; 0 when empty. */
  oldestAgeS(now = this.clock.now()): number {
    now = this.advance(now);
    const oldest = this.all.firstLive(gone);
    return oldest ? (now - oldest.sentAt) / 1000 : 0;
  }

  /**
   * Scenario ms at which a message is (or was) visible: the oldest visible message's visibleAt if there is
   * one, else the earliest time an in-flight message reappears; undefined when the queue is empty.
   */
  nextVisibleAt(): number | undefined {
    const first = this.visible.firstLive((e) => e.state !== 'visible');
    return first ? first.visibleAt : this.inFlight.peek()?.visibleAt;
  }

  get dlqCount(): number {
    return this.dlq.length;
  }

  /** The dead-letter queue's messages, in the order they arrived there. */
  deadLetters(): readonly SqsMessage<T>[] {
    return this.dlq;
  }

  get totals(): SqsQueueTotals {
    return { ...this.counts };
  }

  /** Keeps time monotonic for the structures, and brings messages whose timeout passed back to visible. */
  private advance(now: number): number {
    if (now > this.lastNow) this.lastNow = now;
    this.promote(this.lastNow);
    return this.lastNow;
  }

  private promote(now: number): void {
    for (;;) {
      const top = this.inFlight.peek();
      if (!top || top.visibleAt > now) return;
      this.inFlight.pop();
      this.makeVisible(top);
    }
  }

  private makeVisible(entry: Entry<T>): void {
    entry.state = 'visible';
    this.visible.push(entry);
    this.visibleSize++;
  }

  /** Takes a message out of every structure: the FIFOs skip it lazily. */
  private remove(entry: Entry<T>): void {
    if (entry.state === 'visible') this.visibleSize--;
    else if (entry.state === 'inflight') this.inFlight.remove(entry);
    entry.state = 'gone';
    this.byId.delete(entry.id);
  }
}
