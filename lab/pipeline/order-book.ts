/**
 * Where every accepted order stands. The identity accepted = delivered + lost + deadLettered + inFlight holds
 * by construction: an order enters in flight and leaves it exactly once.
 */
import type { OrderEvent } from './shared-parts.js';

export type OrderOutcome = 'delivered' | 'lost' | 'deadLettered';

export class OrderBook {
  accepted = 0;
  delivered = 0;
  lost = 0;
  deadLettered = 0;
  /** Requests the ingress refused (notify throttled or failed): never accepted, so not orders. */
  rejected = 0;
  /** Settlements of an order already settled: a duplicate delivery, for example. Not counted twice. */
  duplicates = 0;
  private open = new Set<string>();
  /** Every delivered order's correlation id: checked against the courier's own record of its 200s. */
  readonly deliveredIds = new Set<string>();
  private lastDeliveredAt = -1;
  /**
   * Told of every accept and settle before the book applies it (the shared ledger of --cluster). Returning
   * false for a settle leaves this book alone: the order is another node's, settled in the shared ledger.
   */
  onEvent: ((event: OrderEvent) => boolean | void) | undefined;

  accept(id: string): void {
    this.onEvent?.({ kind: 'accept', id });
    if (this.open.has(id)) throw new Error(`order ${id} accepted twice`);
    this.open.add(id);
    this.accepted++;
  }

  /** Settles an order in flight; false if it was not in flight (already settled or unknown). */
  settle(id: string, outcome: OrderOutcome, now: number): boolean {
    if (this.onEvent?.({ kind: 'settle', id, outcome, now }) === false) return false;
    if (!this.open.delete(id)) {
      this.duplicates++;
      return false;
    }
    this[outcome]++;
    if (outcome === 'delivered') {
      this.lastDeliveredAt = now;
      this.deliveredIds.add(id);
    }
    return true;
  }

  isOpen(id: string): boolean {
    return this.open.has(id);
  }

  get inFlight(): number {
    return this.open.size;
  }

  /** Scenario ms of the last delivery, or undefined if none. */
  get lastDeliveryMs(): number | undefined {
    return this.lastDeliveredAt < 0 ? undefined : this.lastDeliveredAt;
  }

  identityHolds(): boolean {
    return this.accepted === this.delivered + this.lost + this.deadLettered + this.inFlight;
  }
}
