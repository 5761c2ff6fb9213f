import type { OrderEvent } from '../pipeline/shared-parts.js';
import type { ClusterLedger } from './cluster-ledger.js';

/**
 * Writes this node's accepts and settles to the shared ledger, in order. A write that fails (Redis away
 * longer than the client's retries) is counted by kind and kept, with every write after it, until Redis
 * answers again; they are then replayed in order, so an outage delays the ledger but never loses or reorders
 * an order's story (a settle never overtakes its accept).
 */
export class LedgerWriter {
  /** Writes that failed at least once, by kind (`ledger-accept`, `ledger-settle`). */
  readonly failed: Record<string, number> = {};
  /** Writes held back behind a failed one and replayed later. */
  replayed = 0;
  private readonly held: OrderEvent[] = [];
  private replaying = false;

  constructor(
    private readonly ledger: ClusterLedger,
    private readonly onFailure: (kind: string) => void,
  ) {}

  /** Writes now, or holds the write behind earlier ones that are waiting for Redis. */
  write(e: OrderEvent): void {
    if (this.held.length > 0) {
      this.held.push(e);
      return;
    }
    this.send(e).catch(() => this.hold(e));
  }

  /** Writes held back, still to replay. */
  get pending(): number {
    return this.held.length;
  }

  /** Replays what was held, in order; stops at the first write that fails again. Call when Redis is back. */
  async replay(): Promise<void> {
    if (this.replaying) return;
    this.replaying = true;
    try {
      while (this.held.length > 0) {
        await this.send(this.held[0]!);
        this.held.shift();
        this.replayed++;
      }
    } catch {
      // Still away: the rest waits for the next replay.
    } finally {
      this.replaying = false;
    }
  }

  private hold(e: OrderEvent): void {
    const kind = `ledger-${e.kind}`;
    this.failed[kind] = (this.failed[kind] ?? 0) + 1;
    this.onFailure(kind);
    this.held.push(e);
  }

  private async send(e: OrderEvent): Promise<void> {
    if (e.kind === 'accept') await this.ledger.accept(e.id);
    else await this.ledger.settle(e.id, e.outcome, e.now);
  }
}
