import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import type { RunReport } from '../build-report.js';
import type { SweepFile } from '../../sweep/sweep-file.js';
import { compareHtml } from './compare-page.js';
import type { HtmlRunReport, ReportsByConfig } from './report-input.js';
import { runHtml } from './run-page.js';
import { sweepHtml } from './sweep-page.js';

/** The HTML goes next to its JSON: same base name, `.html`. */
export function htmlPathFor(jsonPath: string): string {
  return jsonPath.endsWith('.json') ? `${jsonPath.slice(0, -'.json'.length)}.html` : `${jsonPath}.html`;
}

/** Whole or not at all, as the JSON report is written. */
function writeWhole(path: string, html: string): string {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, html);
  renameSync(tmp, path);
  return path;
}

export function writeRunHtml(report: RunReport | HtmlRunReport, path: string): string {
  return writeWhole(path, runHtml(report as HtmlRunReport));
}

export function writeCompareHtml(reports: Record<string, RunReport | HtmlRunReport>, path: string): string {
  return writeWhole(path, compareHtml(reports as ReportsByConfig));
}

export function writeSweepHtml(sweep: SweepFile, path: string): string {
  return writeWhole(path, sweepHtml(sweep));
}

/**
 * For the run paths: the JSON is already safe on disk, so a failure here is a warning, never a lost report.
 * Returns the HTML's path, or undefined when it could not be written.
 */
export function tryWriteHtml(write: () => string, stderr: Writable): string | undefined {
  try {
    return write();
  } catch (err) {
    stderr.write(
      `stormlab: warning: the HTML report was not written: ${(err as Error)?.message ?? String(err)}\n`,
    );
    return undefined;
  }
}
