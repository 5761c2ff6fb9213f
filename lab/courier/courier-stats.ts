/**
 * The courier's counters, in shared memory: the courier thread writes them, the lab's main thread reads
 * them (once per scenario second, or whenever the dashboard draws) without a message round trip. The
 * buffer is created on the main side, so the counts outlive a courier thread that dies and is restarted.
 *
 * One writer at a time (the server's thread), so a read-modify-write needs no lock; Atomics make each
 * store visible to the reading thread.
 */

/** Statuses with a slot of their own; any other status is counted under "other". */
const STATUSES = [200, 400, 403, 404, 405, 413, 415, 429, 500, 502, 504] as const;
/** Always present in a snapshot (the run report's `courier.byStatus` fields), zero or not. */
const REPORTED = new Set<number>([200, 403, 429, 502, 504]);
const STATUS_KEYS = STATUSES.map(String);
const ALWAYS = STATUSES.map((s) => REPORTED.has(s));

const SLOT_OF = new Int8Array(600).fill(-1);
STATUSES.forEach((s, i) => (SLOT_OF[s] = i));
const OTHER = STATUSES.length;

// Int32 slots after the per-status counts.
const RECEIVED = OTHER + 1;
const ADMITTED = OTHER + 2;
const PEAK = OTHER + 3;
/** Scenario second of the admissions being counted in CURRENT_COUNT (-1 before the first). */
const CURRENT_SECOND = OTHER + 4;
const CURRENT_COUNT = OTHER + 5;
const SLOTS = OTHER + 6;
/** Float64 slots after the ints (8-byte aligned): the backend's useful and wasted work (capacity model). */
const WORK_OFFSET = Math.ceil((SLOTS * Int32Array.BYTES_PER_ELEMENT) / 8) * 8;
const USEFUL_REQUESTS = 0;
const USEFUL_MS = 1;
const WASTED_REQUESTS = 2;
const WASTED_MS = 3;
const BYTES = WORK_OFFSET + 4 * Float64Array.BYTES_PER_ELEMENT;

export interface CourierStatsSnapshot {
  /** Requests answered, any status. */
  requests: number;
  /** Requests that arrived (answered or still waiting out their latency). */
  received: number;
  /** Answers by status, keyed "200", "403", "429", "502", "504" (always) and any other status seen. */
  byStatus: Record<string, number>;
  /** Requests that passed the key check and took a token (every status but 403 and 429 on the route). */
  admitted: number;
  /** Most admissions within one scenario second (seconds counted from scenario time 0). */
  peakAdmittedPerSecond: number;
  /** The backend's work (zero without --courier-capacity): requests and scenario ms of service. */
  work: { useful: { requests: number; busyMs: number }; wasted: { requests: number; busyMs: number } };
}

export class CourierStats {
  readonly buffer: SharedArrayBuffer;
  private readonly ints: Int32Array;
  private readonly floats: Float64Array;

  /** Wraps an existing buffer (the worker side), or makes a new one. */
  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(BYTES);
    if (this.buffer.byteLength < BYTES) {
      throw new RangeError(`CourierStats needs ${BYTES} bytes, got ${this.buffer.byteLength}`);
    }
    this.ints = new Int32Array(this.buffer, 0, SLOTS);
    // One writer (the courier's thread): plain stores; a reader may see a figure one request behind.
    this.floats = new Float64Array(this.buffer, WORK_OFFSET, 4);
    if (!buffer) Atomics.store(this.ints, CURRENT_SECOND, -1);
  }

  /** A request arrived. */
  received(): void {
    Atomics.add(this.ints, RECEIVED, 1);
  }

  /** A request took a token at scenario time `now` (ms). */
  admitted(now: number): void {
    const ints = this.ints;
    Atomics.add(ints, ADMITTED, 1);
    const second = Math.floor(now / 1000);
    let count: number;
    if (Atomics.load(ints, CURRENT_SECOND) !== second) {
      Atomics.store(ints, CURRENT_SECOND, second);
      Atomics.store(ints, CURRENT_COUNT, 1);
      count = 1;
    } else count = Atomics.add(ints, CURRENT_COUNT, 1) + 1;
    if (count > Atomics.load(ints, PEAK)) Atomics.store(ints, PEAK, count);
  }

  /** A request was answered with `status`. */
  answered(status: number): void {
    const slot = status >= 0 && status < SLOT_OF.length ? SLOT_OF[status]! : -1;
    Atomics.add(this.ints, slot === -1 ? OTHER : slot, 1);
  }

  /** The backend finished `busyMs` of work for a caller still waiting (useful) or not (wasted). */
  work(useful: boolean, busyMs: number): void {
    const f = this.floats;
    f[useful ? USEFUL_REQUESTS : WASTED_REQUESTS]! += 1;
    f[useful ? USEFUL_MS : WASTED_MS]! += busyMs;
  }

  snapshot(): CourierStatsSnapshot {
    const ints = this.ints;
    const byStatus: Record<string, number> = {};
    let requests = 0;
    // A plain loop over keys made once: a virtual run takes a snapshot every scenario second.
    for (let i = 0; i < STATUS_KEYS.length; i++) {
      const n = Atomics.load(ints, i);
      requests += n;
      if (n > 0 || ALWAYS[i]) byStatus[STATUS_KEYS[i]!] = n;
    }
    const other = Atomics.load(ints, OTHER);
    if (other > 0) byStatus.other = other;
    requests += other;
    return {
      requests,
      received: Atomics.load(ints, RECEIVED),
      byStatus,
      admitted: Atomics.load(ints, ADMITTED),
      peakAdmittedPerSecond: Atomics.load(ints, PEAK),
      work: {
        useful: { requests: this.floats[USEFUL_REQUESTS]!, busyMs: this.floats[USEFUL_MS]! },
        wasted: { requests: this.floats[WASTED_REQUESTS]!, busyMs: this.floats[WASTED_MS]! },
      },
    };
  }
}
