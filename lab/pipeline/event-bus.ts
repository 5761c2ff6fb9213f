/** An EventBridge-like bus: PutEvents entries go to the target of every rule whose detail-type matches. */
export interface BusEvent {
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
}

export type BusTarget = (event: BusEvent) => void;

export class EventBus {
  private readonly rules = new Map<string, BusTarget[]>();
  /** Entries that matched no rule (EventBridge accepts and drops them). */
  unmatched = 0;

  addRule(detailType: string, target: BusTarget): void {
    const targets = this.rules.get(detailType) ?? [];
    targets.push(target);
    this.rules.set(detailType, targets);
  }

  putEvents(entries: readonly BusEvent[]): void {
    for (const entry of entries) {
      const targets = this.rules.get(entry['detail-type']);
      if (!targets) {
        this.unmatched++;
        continue;
      }
      for (const target of targets) target(entry);
    }
  }
}

export function correlationIdOf(event: BusEvent): string {
  const meta = event.detail['meta_data'] as { correlation_id?: unknown } | undefined;
  return String(meta?.correlation_id ?? '');
}
