/** The report's `cluster` field, as far as the summary reads it (lab/cluster/cluster-run.ts writes it). */
interface ClusterField {
  node: string;
  orders?: Record<string, number | null | undefined>;
  peakConcurrency?: number;
  unsynced?: Record<string, number>;
  redisOutages?: { startS: number; endS?: number }[];
  stateLost?: { atS: number; ordersInFlightHere: number }[];
  nodesGone?: string[];
}

/**
 * The headless summary's lines for a cluster node: the cluster's totals as this node last read them, then,
 * only when something happened, what could not be shared and why (Redis down, Redis back empty, nodes gone).
 * Kept apart from cluster-run.ts so the summary does not load BullMQ.
 */
export function clusterSummary(report: object): string {
  const c = (report as { cluster?: ClusterField }).cluster;
  const o = c?.orders;
  if (!c || !o) return 'cluster: totals unavailable (Redis could not be read at the end)';
  const lines = [
    `cluster (as node ${c.node} ends): accepted ${o.accepted} delivered ${o.delivered} lost ${o.lost} ` +
      `dlq ${o.deadLettered} in flight ${o.inFlight} duplicates ${o.duplicates} peak concurrency ${c.peakConcurrency}`,
  ];
  if (o.lostWithNode)
    lines.push(`cluster: ${o.lostWithNode} of the lost orders went with a node that died or left`);
  if (c.nodesGone?.length) lines.push(`cluster: nodes found gone (lease expired): ${c.nodesGone.join(', ')}`);
  const outages = c.redisOutages ?? [];
  if (outages.length > 0) {
    const spans = outages.map((d) => `${d.startS}-${d.endS ?? 'end'} s`).join(', ');
    lines.push(
      `cluster: Redis unreachable ${outages.length} time(s) (scenario ${spans}); shared calls waited`,
    );
  }
  for (const l of c.stateLost ?? []) {
    lines.push(
      `cluster: Redis came back empty at ${l.atS} s (no persistence): the shared ledger and queue restarted; ` +
        `${l.ordersInFlightHere} orders this node had in flight lost their shared entries`,
    );
  }
  const unsynced = Object.entries(c.unsynced ?? {});
  if (unsynced.length > 0) {
    const what = unsynced.map(([k, n]) => `${k} ${n}`).join(', ');
    lines.push(`cluster: shared calls that failed (Redis away), by kind: ${what}`);
  }
  return lines.join('\n');
}
