/**
 * The courier's half of a fault target: whether it takes connections, and the options its policy reads
 * (latency, failure rate) and its usage-plan bucket's rate, each back to the configured value on `undefined`.
 * The HTTP server and the virtual engine's in-process courier both read `up` and `options` from here; the
 * threads engine forwards changes to its courier thread as `CourierFaultChange` messages.
 */
import type { CourierOptions, LatencyRange } from '../config/parse-options.js';
import type { Clock } from '../time/clock.js';
import type { TokenBucket } from '../time/token-bucket.js';
import type { FaultTarget } from '../faults/fault-schedule.js';

export type CourierFaultTarget = Omit<FaultTarget, 'setLoadFactor'>;

/** One change, as a message to the courier's thread. */
export type CourierFaultChange =
  | { method: 'setCourierUp'; value: boolean }
  | { method: 'setCourierLatency'; value: LatencyRange | undefined }
  | { method: 'setCourierFailureRate'; value: number | undefined }
  | { method: 'setCourierRate'; value: number | undefined };

export class CourierControls implements CourierFaultTarget {
  private readonly base: CourierOptions;
  private readonly bucket: TokenBucket;
  private readonly clock: Clock;
  private current: CourierOptions;
  private isUp = true;

  constructor(base: CourierOptions, bucket: TokenBucket, clock: Clock) {
    this.base = base;
    this.current = base;
    this.bucket = bucket;
    this.clock = clock;
  }

  /** False during an outage: connections are refused. */
  get up(): boolean {
    return this.isUp;
  }

  /** The options in force (a new object after each change, the configured one when no fault is on). */
  get options(): CourierOptions {
    return this.current;
  }

  setCourierUp(up: boolean): void {
    this.isUp = up;
  }

  setCourierLatency(range: LatencyRange | undefined): void {
    this.current = { ...this.current, latency: range ?? this.base.latency };
  }

  setCourierFailureRate(rate: number | undefined): void {
    this.current = { ...this.current, failureRate: rate ?? this.base.failureRate };
  }

  /** The plan's rate only; its burst stays (a usage-plan edit of the rate, as the fault is documented). */
  setCourierRate(rate: number | undefined): void {
    this.bucket.setRate(rate ?? this.base.rate, this.clock.now());
    this.current = { ...this.current, rate: rate ?? this.base.rate };
  }

  apply(change: CourierFaultChange): void {
    switch (change.method) {
      case 'setCourierUp':
        return this.setCourierUp(change.value);
      case 'setCourierLatency':
        return this.setCourierLatency(change.value);
      case 'setCourierFailureRate':
        return this.setCourierFailureRate(change.value);
      case 'setCourierRate':
        return this.setCourierRate(change.value);
    }
  }
}
