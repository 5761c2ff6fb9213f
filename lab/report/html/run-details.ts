import { escapeHtml } from './escape-html.js';
import { clock, fixed, int } from './format-figures.js';
import { faultsOf, type HtmlRunReport } from './report-input.js';

function table(head: string[], rows: string[][]): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

const FUNCTION_FIELDS = ['invocations', 'errors', 'throttles', 'timeouts', 'coldStarts', 'peakConcurrency'];

/** The faults as scheduled: what the shaded windows on the charts stand for. */
export function faultsHtml(r: HtmlRunReport): string {
  const faults = faultsOf(r);
  if (faults.length === 0) return '';
  return (
    '<h2>Faults</h2>' +
    table(
      ['fault', 'value', 'from', 'to'],
      faults.map((f) => [f.kind, f.value, clock(f.startS), clock(f.startS + f.durationS)]),
    )
  );
}

/** Functions, courier answers, retries and the queue: the summary table's detail, folded away on screen. */
export function detailsHtml(r: HtmlRunReport): string {
  const fns = table(
    ['function', ...FUNCTION_FIELDS],
    (['notify', 'delivery'] as const).map((fn) => [
      fn,
      ...FUNCTION_FIELDS.map((k) => int(r.functions[fn]?.[k])),
    ]),
  );
  const statuses = Object.entries(r.courier.byStatus).sort(([a], [b]) => a.localeCompare(b));
  const courier = table(
    ['courier', 'requests', ...statuses.map(([s]) => s), 'connection errors'],
    [
      [
        'answers',
        int(r.courier.requests),
        ...statuses.map(([, n]) => int(n)),
        int(r.courier.connectionErrors),
      ],
    ],
  );
  const retries = table(
    ['retries', 'in code (http)', 'async', 'queue redeliveries', 'async throttled'],
    [
      [
        'count',
        int(r.retries.http),
        int(r.retries.async),
        int(r.retries.redeliveries),
        int(r.retries.asyncThrottled),
      ],
    ],
  );
  const queue = table(
    ['queue', 'peak depth', 'oldest age', 'DLQ', 'left'],
    [
      [
        '',
        int(r.queue.peakDepth),
        `${fixed(r.queue.oldestAgeS, 1)} s`,
        int(r.queue.dlq),
        int(r.queue.remaining),
      ],
    ],
  );
  return `<details open><summary>Details</summary><h2>Functions, courier, retries, queue</h2>${fns}<br>${courier}<br>${retries}<br>${queue}</details>`;
}
