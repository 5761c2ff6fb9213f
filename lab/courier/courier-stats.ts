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
}

export class CourierStats {
  readonly buffer: SharedArrayBuffer;
  private readonly ints: Int32Array;

  /** Wraps an existing buffer (the worker side), or makes a new one. */
  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT);
    if (this.buffer.byteLength < SLOTS * Int32Array.BYTES_PER_ELEMENT) {
      throw new RangeError(`CourierStats needs ${SLOTS * 4} bytes, got ${this.buffer.byteLength}`);
    }
    this.ints = new Int32Array(this.buffer, 0, SLOTS);
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

  snapshot(): CourierStatsSnapshot {
    const ints = this.ints;
    const byStatus: Record<string, number> = {};
    let requests = 0;
    STATUSES.forEach((status, i) => {
      const n = Atomics.load(ints, i);
      requests += n;
      if (n > 0 || REPORTED.has(status)) byStatus[String(status)] = n;
    });
    const other = Atomics.load(ints, OTHER);
    if (other > 0) byStatus.other = other;
    requests += other;
    return {
      requests,
      received: Atomics.load(ints, RECEIVED),
      byStatus,
      admitted: Atomics.load(ints, ADMITTED),
      peakAdmittedPerSecond: Atomics.load(ints, PEAK),
    };
  }
}
