/**
 * An array-backed first-in first-out list: O(1) push and shift, indexed reads from the front. Items removed
 * from the middle are left in place by the caller and skipped when they reach the front (lazy deletion),
 * which keeps every operation O(1) amortized at any depth.
 */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The item `i` places from the front, or undefined. */
  at(i: number): T | undefined {
    return this.items[this.head + i];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined as T; // let it be collected
    this.head++;
    // Compact once the dead prefix is both large and most of the array.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Shifts items off the front while `gone(item)` holds; returns the first live item, if any. */
  firstLive(gone: (item: T) => boolean): T | undefined {
    for (;;) {
      const item = this.at(0);
      if (item === undefined || !gone(item)) return item;
      this.shift();
    }
  }
}
