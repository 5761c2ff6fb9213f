import type { RunReport } from './build-report.js';

/** Minutes and seconds of scenario time: 125 -> "02:05". */
export function clockText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

export function statusText(byStatus: Record<string, number>): string {
  return Object.entries(byStatus)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s}:${n}`)
    .join(' ');
}

/** Rows of label and value for one report (the headless summary, and compare's columns). */
export function summaryRows(r: RunReport): [string, string][] {
  const courierTotal = r.courier.requests || 1;
  const c429 = r.courier.byStatus['429'] ?? 0;
  const checks = r.checks;
  return [
    ['engine', r.engine],
    ['scenario time', clockText(r.durationS)],
    ['accepted', String(r.orders.accepted)],
    ['delivered', String(r.orders.delivered)],
    ['lost', String(r.orders.lost)],
    ['dead-lettered', String(r.orders.deadLettered)],
    ['still in flight', String(r.orders.inFlight)],
    ['refused at ingress', String(r.orders.rejected)],
    ['delivery success', percent(r.deliverySuccessRate)],
    ['peak concurrency', String(r.peakConcurrency)],
    ['peak delivery concurrency', String(r.functions.delivery['peakConcurrency'] ?? 0)],
    ['courier requests', String(r.courier.requests)],
    ['courier answers', statusText(r.courier.byStatus)],
    ['courier 429 share', percent(c429 / courierTotal)],
    ['courier calls per order', r.courierCallsPerOrder.toFixed(2)],
    ['retries (http/async/queue)', `${r.retries.http}/${r.retries.async}/${r.retries.redeliveries}`],
    ['delivery errors (timeouts)', `${r.functions.delivery['errors']} (${r.functions.delivery['timeouts']})`],
    ['cost', `$${r.cost.usd.toFixed(4)} (${r.cost.gbSeconds.toFixed(0)} GB-s)`],
    ['last delivery at', r.lastDeliveryS === null ? '-' : clockText(r.lastDeliveryS)],
    [
      'log START notify / COMPLETE delivery',
      r.logs.file === null ? 'no log file' : `${r.logs.notifyStart} / ${r.logs.deliveryComplete}`,
    ],
    [
      'checks (duplicates / no courier 200 / ingress 200s)',
      `${checks.ok ? 'ok' : 'FAILED'}: ${checks.duplicates} / ${checks.deliveredWithoutCourier200 ?? '-'} / ${checks.ingressAccepted}`,
    ],
    ...(r.engine === 'threads'
      ? ([
          ['event-loop delay p99 / max', `${r.host.eventLoopDelayP99Ms} / ${r.host.eventLoopDelayMaxMs} ms`],
          ['process CPU (share of a core)', `${r.host.cpuPctOfOneCore}%`],
        ] as [string, string][])
      : []),
  ];
}

/** A plain text table: a label column, then one column per report. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
