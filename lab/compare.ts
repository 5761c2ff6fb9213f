import { join } from 'node:path';
import { applyConfig, configFileName } from './compare-configs.js';
import type { LabOptions } from './config/parse-options.js';
import { runHeadless, type HeadlessIo } from './headless.js';
import type { RunReport } from './report/build-report.js';
import { writeReportFile } from './report/build-report.js';
import { formatTable, summaryRows } from './report/summary-table.js';
import { tryWriteHtml, writeCompareHtml } from './report/html/write-html.js';
import { thresholdRows } from './thresholds/threshold-rows.js';

export interface CompareResult {
  /** By configuration name, in the order run. */
  reports: Partial<Record<string, RunReport>>;
  table: string;
  folder: string;
  aborted: boolean;
}

/** The figures compare.json holds for one mode. */
export function compareFigures(r: RunReport): Record<string, unknown> {
  const courierTotal = r.courier.requests || 1;
  return {
    accepted: r.orders.accepted,
    delivered: r.orders.delivered,
    lost: r.orders.lost,
    deadLettered: r.orders.deadLettered,
    inFlight: r.orders.inFlight,
    deliverySuccessRate: r.deliverySuccessRate,
    peakConcurrency: r.peakConcurrency,
    peakDeliveryConcurrency: r.functions.delivery['peakConcurrency'],
    courierRequests: r.courier.requests,
    courierByStatus: r.courier.byStatus,
    courier429Share: (r.courier.byStatus['429'] ?? 0) / courierTotal,
    retries: r.retries,
    courierCallsPerOrder: r.courierCallsPerOrder,
    costUsd: r.cost.usd,
    gbSeconds: r.cost.gbSeconds,
    lastDeliveryS: r.lastDeliveryS,
    durationS: r.durationS,
    calm: r.calm ?? null,
    thresholds: r.thresholds ?? [],
  };
}

/**
 * The same seeded scenario once per mode, one after the other (side by side they would compete for the two
 * cores and distort each other), then one table. Reports go to DIR/<mode>.json and DIR/compare.json.
 */
export async function runCompare(
  options: LabOptions,
  io: HeadlessIo,
  signal?: AbortSignal,
): Promise<CompareResult> {
  const folder =
    options.report ??
    join('runs', `compare-${new Date().toISOString().replace(/[:.]/g, '-')}-seed${options.seed}`);
  const reports: Partial<Record<string, RunReport>> = {};
  let aborted = false;
  for (const name of options.configs) {
    if (signal?.aborted) break;
    io.stderr.write(`\ncompare: ${name}\n`);
    const file = configFileName(name);
    const result = await runHeadless(
      {
        ...applyConfig(options, name),
        headless: true,
        report: join(folder, `${file}.json`),
        logFile: join(folder, `${file}.log.jsonl`),
      },
      io,
      signal,
    );
    reports[name] = result.report;
    if (result.ended === 'aborted') {
      aborted = true;
      break;
    }
  }
  const done = options.configs.filter((m) => reports[m]);
  const columns = done.map((m) => summaryRows(reports[m]!));
  const rows = (columns[0] ?? []).map(([label], i) => [label, ...columns.map((c) => c[i]![1])]);
  rows.push(...thresholdRows(done.map((m) => reports[m]!.thresholds ?? [])));
  const table = formatTable(['', ...done], rows);
  io.stdout.write(
    `\ncompare: ${options.scenario} at speed ${options.speed}, seed ${options.seed}\n${table}\n`,
  );
  const figures = Object.fromEntries(done.map((m) => [m, compareFigures(reports[m]!)]));
  writeReportFile(join(folder, 'compare.json'), {
    scenario: options.scenario,
    speed: options.speed,
    seed: options.seed,
    drainS: options.drainS,
    modes: figures,
  });
  io.stdout.write(`reports written to ${folder}\n`);
  const byMode = Object.fromEntries(done.map((m) => [m, reports[m]!]));
  const html = tryWriteHtml(() => writeCompareHtml(byMode, join(folder, 'compare.html')), io.stderr);
  if (html) io.stdout.write(`html report written to ${html}\n`);
  return { reports, table, folder, aborted };
}
