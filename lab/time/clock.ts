/**
 * Scenario time. Every duration the lab's semantics deal with is in scenario milliseconds; a clock maps
 * them onto something that actually passes: wall time divided by `--speed`, or a virtual timeline that
 * moves only when a test says so.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Scenario milliseconds since the clock started (fractional on a real clock). */
  now(): number;
  /** Calls `fn` once `ms` scenario milliseconds have passed. */
  setTimeout(fn: () => void, ms: number): Timer;
  /** Resolves after `ms` scenario milliseconds; rejects with `signal.reason` if aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Scenario milliseconds per real millisecond. */
  readonly speed: number;
}

/** Absolute wall time in fractional milliseconds since the epoch, comparable across worker threads. */
export function wallNowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const sleeper = new Sleeper(resolve, reject, signal);
    sleeper.timer = clock.setTimeout(() => sleeper.wake(), ms);
    signal?.addEventListener('abort', sleeper, { once: true });
  });
}

/**
 * One sleep: its own abort listener (an EventListener object, not a closure: a virtual run sleeps hundreds
 * of thousands of times, and each named closure costs).
 */
class Sleeper {
  timer: Timer | undefined;

  constructor(
    private readonly resolve: () => void,
    private readonly reject: (reason: unknown) => void,
    private readonly signal: AbortSignal | undefined,
  ) {}

  wake(): void {
    this.signal?.removeEventListener('abort', this);
    this.resolve();
  }

  handleEvent(): void {
    this.timer?.cancel();
    this.reject(this.signal?.reason);
  }
}

/**
 * The wall time of scenario time 0, in shared memory: every thread's clock reads the same cell, so the lab
 * can start its threads, warm them up, and only then say "the scenario starts now" to all of them at once.
 */
export class ClockOrigin {
  readonly buffer: SharedArrayBuffer;
  private readonly cell: Float64Array;

  constructor(buffer?: SharedArrayBuffer, wallMs = wallNowMs()) {
    this.buffer = buffer ?? new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT);
    this.cell = new Float64Array(this.buffer);
    if (!buffer) this.cell[0] = wallMs;
  }

  get(): number {
    return this.cell[0]!;
  }

  /** Moves scenario time 0 to `wallMs` (default: now) for every clock reading this origin. */
  set(wallMs = wallNowMs()): void {
    this.cell[0] = wallMs;
  }
}

export interface RealClockOptions {
  speed: number;
  /** Wall time (from `wallNowMs()`) at scenario time 0; shared with workers so all threads agree. */
  originWallMs?: number;
  /** A shared origin instead of a fixed one (wins over `originWallMs`). */
  origin?: ClockOrigin;
}

/** Wall time scaled by `speed`: at speed 10, one real second is ten scenario seconds. */
export class RealClock implements Clock {
  readonly speed: number;
  readonly origin: ClockOrigin;

  constructor(options: RealClockOptions) {
    if (!(options.speed > 0)) throw new RangeError(`speed must be above 0, got ${options.speed}`);
    this.speed = options.speed;
    this.origin = options.origin ?? new ClockOrigin(undefined, options.originWallMs ?? wallNowMs());
  }

  /** Wall time of scenario time 0, as it is now. */
  get originWallMs(): number {
    return this.origin.get();
  }

  now(): number {
    return (wallNowMs() - this.origin.get()) * this.speed;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const handle = setTimeout(fn, Math.max(0, ms / this.speed));
    return { cancel: () => clearTimeout(handle) };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }
}

const NOTHING = (): void => undefined;

class VirtualTimer implements Timer {
  cancelled = false;

  constructor(
    readonly at: number,
    readonly seq: number,
    public fn: () => void,
  ) {}

  cancel(): void {
    this.cancelled = true;
    // A cancelled timer stays in the heap until its time comes; what its callback holds (an invocation's
    // promise, its abort controller, its context) need not stay with it.
    this.fn = NOTHING;
  }
}

/**
 * A timeline that advances only through `advance()`/`advanceTo()`. Timers fire in time order (ties in the
 * order they were set), and between two firings the microtask and immediate queues are drained, so async
 * code reacting to one timer runs before the next one fires, exactly as it would on a real clock.
 */
export class VirtualClock implements Clock {
  readonly speed = 1;
  private current: number;
  private seq = 0;
  private heap: VirtualTimer[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const timer = new VirtualTimer(this.current + Math.max(0, ms), this.seq++, fn);
    this.push(timer);
    return timer;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Number of live timers still waiting. */
  pending(): number {
    return this.heap.filter((t) => !t.cancelled).length;
  }

  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.current + ms);
  }

  async advanceTo(target: number): Promise<void> {
    await settle();
    for (;;) {
      const next = this.peek();
      if (!next || next.at > target) break;
      this.pop();
      if (next.cancelled) continue;
      this.current = next.at;
      next.fn();
      await settle();
    }
    if (target > this.current) this.current = target;
  }

  /** Scenario ms of the next live timer, or undefined when none is set. */
  nextAt(): number | undefined {
    return this.peek()?.at;
  }

  /**
   * Fires the next live timer if it is due at or before `limit`, synchronously, without draining anything:
   * the caller lets the microtasks it queued run before firing another (the virtual engine's driver does so by
   * firing each timer from its own setImmediate callback). Returns whether one fired.
   */
  fireNext(limit = Infinity): boolean {
    const next = this.peek();
    if (!next || next.at > limit) return false;
    this.pop();
    this.current = next.at;
    next.fn();
    return true;
  }

  /** Moves time to `target` when no live timer is due before it (time passing with nothing to do). */
  idleTo(target: number): void {
    const next = this.peek();
    if (target > this.current && (!next || next.at >= target)) this.current = target;
  }

  /** Runs every timer until none is left (or `limitMs` of virtual time has passed). */
  async runAll(limitMs = 365 * 24 * 3600 * 1000): Promise<void> {
    const end = this.current + limitMs;
    for (;;) {
      await settle();
      const next = this.peek();
      if (!next || next.at > end) return;
      await this.advanceTo(next.at);
    }
  }

  private peek(): VirtualTimer | undefined {
    while (this.heap[0]?.cancelled) this.pop();
    return this.heap[0];
  }

  // Sifts move the hole, not pairs of timers: a virtual run pushes and pops hundreds of thousands of them.
  private push(t: VirtualTimer): void {
    const h = this.heap;
    let i = h.length;
    h.push(t);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (!before(t, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = t;
  }

  private pop(): VirtualTimer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    const n = h.length;
    if (n > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && before(h[r]!, h[l]!) ? r : l;
        if (!before(h[m]!, last)) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: VirtualTimer, b: VirtualTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Lets pending promise chains run to completion before virtual time moves on. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
