/** How figures read on the page. Every value may be missing in a report from another version. */

export function int(n: unknown): string {
  return typeof n === 'number' && Number.isFinite(n) ? grouped(Math.round(n)) : '–';
}

/**
 * An integer with thousands separators, as `toLocaleString('en-US')` writes it: that call loads ICU's
 * number formatting, 30 ms of a one-second virtual run's report.
 */
function grouped(n: number): string {
  if (Math.abs(n) >= 1e21) return n.toLocaleString('en-US');
  const sign = n < 0 || Object.is(n, -0) ? '-' : '';
  return sign + String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ',');
}

export function pct(fraction: unknown, digits = 1): string {
  return typeof fraction === 'number' && Number.isFinite(fraction)
    ? `${(fraction * 100).toFixed(digits)}%`
    : '–';
}

export function fixed(n: unknown, digits: number): string {
  return typeof n === 'number' && Number.isFinite(n) ? n.toFixed(digits) : '–';
}

export function usd(n: unknown): string {
  return typeof n === 'number' && Number.isFinite(n) ? `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}` : '–';
}

/** Scenario seconds as m:ss or h:mm:ss. */
export function clock(seconds: unknown): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/** Share of courier answers that were 429. */
export function share429(courier: { requests: number; byStatus: Record<string, number> }): number {
  return courier.requests > 0 ? (courier.byStatus['429'] ?? 0) / courier.requests : 0;
}
