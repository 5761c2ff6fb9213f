import type { RunReport } from '../build-report.js';

/** Second-round report fields (DESIGN "Report fields added"); each is optional, the page shows what is there. */
export interface FaultWindow {
  kind: string;
  /** As typed, e.g. "5000-9000", "0.5". */
  value: string;
  startS: number;
  durationS: number;
}

export interface ThresholdResult {
  expr: string;
  value: number | null;
  ok: boolean;
}

/**
 * A report as the page reads it: today's RunReport, with the fields that older reports lack (or that only some
 * engines and modes fill) made optional.
 */
export type HtmlRunReport = Omit<RunReport, 'orders' | 'courier' | 'series' | 'engine' | 'checks'> & {
  engine?: string;
  checks?: Partial<RunReport['checks']>;
  faults?: FaultWindow[];
  thresholds?: ThresholdResult[];
  /** Issue 11's verdict; its shape is read loosely (an object or a list of them). */
  recovery?: unknown;
  orders: Omit<RunReport['orders'], 'duplicates'> & { duplicates?: number };
  courier: Omit<RunReport['courier'], 'deliveredIds'> & {
    deliveredIds?: number | null;
    wastedWork?: unknown;
  };
  /** Rows may carry `limit` (adaptive concurrency) and `breaker` (circuit breaker state). */
  series: (RunReport['series'][number] & { limit?: number; breaker?: number | string })[];
};

/** Reports keyed by configuration name ("none", "queue", "aimd", "sdk-standard/shared"). */
export type ReportsByConfig = Record<string, HtmlRunReport>;

export function faultsOf(report: HtmlRunReport): FaultWindow[] {
  return Array.isArray(report.faults) ? report.faults : [];
}

/** A breaker value counts as open unless it is 0, false, empty or "closed". */
export function breakerOpen(value: unknown): boolean {
  if (typeof value === 'number') return value > 0;
  if (typeof value === 'string') return value !== '' && value !== 'closed';
  return value === true;
}
