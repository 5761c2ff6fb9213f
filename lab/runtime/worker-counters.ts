/**
 * Counters the function workers bump at high rate, on shared memory: the main thread reads them once per
 * scenario second instead of receiving a message per courier call.
 */
export const WorkerCounter = {
  courierCalls: 0,
  httpRetries: 1,
  answered2xx: 2,
  answered429: 3,
  answered5xx: 4,
  answeredOther: 5,
  connectionErrors: 6,
  throttleWaits: 7,
  /** Courier calls cut by the delivery function's client timeout (--attempt-timeout-ms). */
  attemptTimeouts: 8,
  /** Retries a retry budget refused (the error was raised instead). */
  budgetRefused: 9,
  /** Calls an open circuit breaker failed at once, with no courier request. */
  breakerRefused: 10,
} as const;
export type WorkerCounterName = keyof typeof WorkerCounter;
const SLOTS = 11;

export class WorkerCounters {
  readonly buffer: SharedArrayBuffer;
  private readonly view: Int32Array;

  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT);
    this.view = new Int32Array(this.buffer);
  }

  add(name: WorkerCounterName, n = 1): void {
    Atomics.add(this.view, WorkerCounter[name], n);
  }

  get(name: WorkerCounterName): number {
    return Atomics.load(this.view, WorkerCounter[name]);
  }

  /** Counts a courier answer by status class. */
  countStatus(status: number | 'connection-error' | 'attempt-timeout'): void {
    if (status === 'connection-error') this.add('connectionErrors');
    else if (status === 'attempt-timeout') this.add('attemptTimeouts');
    else if (status >= 200 && status < 300) this.add('answered2xx');
    else if (status === 429) this.add('answered429');
    else if (status >= 500) this.add('answered5xx');
    else this.add('answeredOther');
  }
}
