import type { Mode } from '../config/option-spec.js';
import type { FunctionKey } from '../runtime/function-types.js';
import type { OrderOutcome } from './order-book.js';
import type { BusEvent } from './event-bus.js';

/**
 * Parts a run can share with other lab processes (issue 14, `--cluster`): given, they stand beside or in
 * place of the local ones. Absent (a lone lab, the virtual engine), the pipeline is exactly as before.
 */
export interface SharedParts {
  /** The account's concurrency across processes, checked after the local one (same limit). */
  concurrency?: SharedConcurrency;
  /** The queue of queue and throttle modes, in place of the local SqsQueue and poller. */
  queue?: SharedQueue;
  /**
   * Every accept and settle of the local order book, to keep the shared ledger; false for a settle of an
   * order this node did not accept (the local book then leaves it to the shared ledger).
   */
  onOrder?: (event: OrderEvent) => boolean | void;
  /** True while the cluster still has work (drain waits on it as well as on the local book). */
  busy?: () => boolean;
}

export interface SharedConcurrency {
  tryAcquire(fn: FunctionKey): Promise<boolean>;
  release(fn: FunctionKey): Promise<void>;
}

export interface SharedQueue {
  /** Sends an event routed under `mode` (queue or throttle); never throws (failures are counted). */
  send(event: BusEvent, mode: Mode): void;
}

export type OrderEvent =
  { kind: 'accept'; id: string } | { kind: 'settle'; id: string; outcome: OrderOutcome; now: number };
