import { escapeHtml } from './escape-html.js';
import { clock, fixed, int, pct, share429, usd } from './format-figures.js';
import type { HtmlRunReport, ThresholdResult } from './report-input.js';

/** A figure as the page shows it; `tone` colours it when its meaning is plain (lost orders are bad). */
export interface Figure {
  label: string;
  value: string;
  tone?: 'good' | 'bad';
}

/** The headline figures of one run: what a slide or a design review quotes. */
export function headlineFigures(r: HtmlRunReport): Figure[] {
  const limit = r.config['concurrencyLimit'];
  const figures: Figure[] = [
    {
      label: 'orders delivered',
      value: pct(r.deliverySuccessRate),
      tone: r.deliverySuccessRate >= 0.99 ? 'good' : 'bad',
    },
    { label: 'orders lost', value: int(r.orders.lost), tone: r.orders.lost === 0 ? 'good' : 'bad' },
    {
      label: `peak concurrency${typeof limit === 'number' ? ` of ${int(limit)}` : ''}`,
      value: int(r.peakConcurrency),
    },
    { label: 'courier 429 share', value: pct(share429(r.courier)) },
    { label: 'courier calls per order', value: fixed(r.courierCallsPerOrder, 2) },
    { label: 'cost', value: usd(r.cost.usd) },
    { label: 'last delivery at', value: r.lastDeliveryS === null ? '–' : clock(r.lastDeliveryS) },
    { label: 'scenario time', value: clock(r.durationS) },
  ];
  if (typeof r.courier.wastedWork === 'number') {
    figures.push({ label: 'courier wasted work', value: int(r.courier.wastedWork) });
  }
  return figures;
}

export function figureCards(figures: Figure[]): string {
  const cards = figures.map(
    (f) =>
      `<div class="card${f.tone ? ` ${f.tone}` : ''}"><div class="v">${escapeHtml(f.value)}</div>` +
      `<div class="k">${escapeHtml(f.label)}</div></div>`,
  );
  return `<div class="cards">${cards.join('')}</div>`;
}

/**
 * The orders ledger as an equation, checked here from the report's own counts: a report whose books do not
 * balance says so in red instead of hiding it.
 */
export function ledgerHtml(r: HtmlRunReport): string {
  const o = r.orders;
  const sum = o.delivered + o.lost + o.deadLettered + o.inFlight;
  const balanced = sum === o.accepted;
  const verdict = balanced
    ? '<span class="ok">✓ balanced</span>'
    : `<span class="broken">✗ off by ${int(o.accepted - sum)}</span>`;
  const extras = [`rejected at ingress <b>${int(o.rejected)}</b>`];
  if (typeof o.duplicates === 'number') extras.push(`duplicates <b>${int(o.duplicates)}</b>`);
  if (typeof r.courier.deliveredIds === 'number') {
    extras.push(`distinct orders the courier answered 200 <b>${int(r.courier.deliveredIds)}</b>`);
  }
  const checks = r.checks;
  if (typeof checks?.deliveredWithoutCourier200 === 'number') {
    extras.push(`delivered without a courier 200 <b>${int(checks.deliveredWithoutCourier200)}</b>`);
  }
  if (typeof checks?.ingressAccepted === 'number') {
    extras.push(`ingress answered 200 <b>${int(checks.ingressAccepted)}</b>`);
  }
  if (typeof checks?.ok === 'boolean') {
    extras.push(
      checks.ok
        ? '<span class="ok">✓ independent counts agree</span>'
        : '<span class="broken">✗ independent counts disagree</span>',
    );
  }
  return (
    `<div class="ledger"><div class="eq">accepted <b>${int(o.accepted)}</b> = delivered <b>${int(o.delivered)}</b>` +
    ` + lost <b>${int(o.lost)}</b> + dead-lettered <b>${int(o.deadLettered)}</b> + in flight <b>${int(o.inFlight)}</b>` +
    ` &nbsp; ${verdict}</div><div class="note">${extras.join(' · ')}</div></div>`
  );
}

export function thresholdsHtml(thresholds: ThresholdResult[] | undefined): string {
  if (!Array.isArray(thresholds) || thresholds.length === 0) return '';
  const rows = thresholds.map(
    (t) =>
      `<tr><td class="${t.ok ? 'pass' : 'fail'}">${t.ok ? '✓' : '✗'} ${escapeHtml(t.expr)}</td>` +
      `<td>${t.value === null ? '–' : escapeHtml(t.value)}</td></tr>`,
  );
  return `<h2>Thresholds</h2><table><thead><tr><th>threshold</th><th>value</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Issue 11's recovery verdict, shown as it comes: one object or a list, its fields as key = value. */
export function recoveryHtml(recovery: unknown): string {
  if (recovery === undefined || recovery === null) return '';
  const items = Array.isArray(recovery) ? recovery : [recovery];
  const rows = items.map((item) => {
    if (typeof item !== 'object' || item === null) return `<li>${escapeHtml(item)}</li>`;
    const rec = item as Record<string, unknown>;
    const verdict =
      rec['recovered'] === true
        ? '<b class="pass">recovered</b>'
        : rec['recovered'] === false
          ? '<b class="fail">stuck</b>'
          : '';
    const fields = Object.entries(rec)
      .filter(([k]) => k !== 'recovered')
      .map(([k, v]) => `${escapeHtml(k)} = ${escapeHtml(typeof v === 'object' ? JSON.stringify(v) : v)}`);
    return `<li>${verdict} ${fields.join(', ')}</li>`;
  });
  return `<h2>Recovery</h2><ul>${rows.join('')}</ul>`;
}

/** Scenario, mode, engine, speed, seed: what it takes to replay the run. */
export function runMeta(r: HtmlRunReport): string {
  const parts: [string, unknown][] = [
    ['scenario', r.scenario.name],
    ['mode', r.mode],
    ['engine', r.engine],
    // The virtual engine runs as fast as it goes: a speed means nothing there.
    ['speed', r.engine === 'virtual' ? undefined : r.speed],
    ['seed', r.seed],
    ['started', r.startedAt],
    ['ended by', r.endedBy],
  ];
  return parts
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${escapeHtml(k)} <b>${escapeHtml(v)}</b>`)
    .join(' · ');
}
