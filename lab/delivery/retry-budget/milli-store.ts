/**
 * Where a retry budget keeps its count: an integer of milli-tokens, so that every budget's arithmetic is
 * exact (a gRPC token ratio has at most three decimals, Brooker's deposit is 0.1) and fits a 32-bit cell
 * that Atomics can compare-and-exchange. The same budget code runs on a plain object (one execution
 * environment, or one shared instance in one thread) and on shared memory (one budget for every thread).
 */
export interface MilliStore {
  load(): number;
  /** Writes `next` only if the cell still holds `expected`; true when it did. */
  compareExchange(expected: number, next: number): boolean;
}

export const MILLI = 1000;

/** A count held in one thread. */
export class LocalMilliStore implements MilliStore {
  constructor(private value: number) {}

  load(): number {
    return this.value;
  }

  compareExchange(expected: number, next: number): boolean {
    if (this.value !== expected) return false;
    this.value = next;
    return true;
  }
}

/** A count in a SharedArrayBuffer cell: every worker thread that maps the buffer sees one budget. */
export class SharedMilliStore implements MilliStore {
  readonly buffer: SharedArrayBuffer;
  private readonly view: Int32Array;

  /** A fresh cell holding `initial`, or the cell `index` of an existing buffer (left as it is). */
  constructor(
    initial: number,
    buffer?: SharedArrayBuffer,
    readonly index = 0,
  ) {
    this.buffer = buffer ?? new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * (index + 1));
    this.view = new Int32Array(this.buffer);
    if (!buffer) Atomics.store(this.view, index, initial);
  }

  load(): number {
    return Atomics.load(this.view, this.index);
  }

  compareExchange(expected: number, next: number): boolean {
    return Atomics.compareExchange(this.view, this.index, expected, next) === expected;
  }
}

/**
 * Applies `change` atomically: reads the count, asks `change` for the next one (undefined: leave it), and
 * retries if another thread wrote in between. Returns the count before and after.
 */
export function updateStore(
  store: MilliStore,
  change: (current: number) => number | undefined,
): { before: number; after: number; changed: boolean } {
  for (;;) {
    const before = store.load();
    const next = change(before);
    if (next === undefined || next === before) return { before, after: before, changed: false };
    if (store.compareExchange(before, next)) return { before, after: next, changed: true };
  }
}
