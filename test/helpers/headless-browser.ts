import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Debian's packages (`chromium-headless-shell`, else `chromium`); STORMLAB_BROWSER overrides. */
export const BROWSER_CANDIDATES = [
  '/usr/bin/chromium-headless-shell',
  '/usr/lib/chromium/chromium-headless-shell',
  '/usr/bin/chromium',
];

export const INSTALL_HINT =
  'apt-get update && apt-get install -y --no-install-recommends chromium-headless-shell ' +
  '(or set STORMLAB_BROWSER to a Chromium binary)';

export function findBrowser(): string | undefined {
  const fromEnv = process.env['STORMLAB_BROWSER'];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  return BROWSER_CANDIDATES.find((p) => existsSync(p));
}

/** Flags that work on this machine: no sandbox (root in a container), no GPU, nothing that phones home. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** A fresh profile each time, over a pipe rather than a debugging port: nothing listens on the network. */
export async function launchBrowser(executablePath: string): Promise<LaunchedBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'stormlab-chromium-'));
  const browser = await puppeteer.launch({
    executablePath,
    headless: 'shell',
    pipe: true,
    userDataDir,
    args: FLAGS,
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** What a chart's canvas holds, read back in the page. */
export interface CanvasInk {
  width: number;
  height: number;
  /** Pixels that are neither transparent nor white: axes, grid, text, lines. */
  inked: number;
  /** Saturated pixels: the data lines (axes and text are grey or black). */
  colored: number;
  /** Rows in the chart's legend: the x series plus one per line. */
  legendRows: number;
}

/** A heat-map cell as the page shows it. */
export interface HeatCell {
  text: string;
  /** The hover text. */
  title: string;
  background: string;
  width: number;
  height: number;
}

export interface PageVisit {
  h1: string;
  cells: HeatCell[];
  /** Console errors, page errors, and any request other than the report file itself. */
  problems: string[];
  /** Charts the page says it drew (`data-charts-drawn`), -1 if it never said. */
  drawn: number;
  charts: CanvasInk[];
  /** performance.now() in the page when the charts had painted. */
  renderMs: number;
  /** From the drawing script's start to the first frame with every chart painted. */
  drawMs: number;
  wallMs: number;
}

/**
 * Reads the page back: every chart's canvas, the heat map's cells, the title. A string, not a function: tsx would add helpers to a function's
 * source that the page does not have.
 */
const READ_PAGE = `(() => {
  const root = document.documentElement;
  const charts = Array.from(document.querySelectorAll('.plot')).map((el) => {
    const canvas = el.querySelector('canvas');
    const legendRows = el.querySelectorAll('.u-legend .u-series').length;
    if (!canvas || canvas.width === 0 || canvas.height === 0) {
      return { width: canvas ? canvas.width : 0, height: canvas ? canvas.height : 0, inked: 0, colored: 0, legendRows };
    }
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    let colored = 0;
    for (let i = 0; i < data.length; i += 4) {
      const r = data[i], g = data[i + 1], b = data[i + 2], a = data[i + 3];
      if (a < 32) continue;
      if (r < 245 || g < 245 || b < 245) inked++;
      if (Math.max(r, g, b) - Math.min(r, g, b) > 60) colored++;
    }
    return { width: canvas.width, height: canvas.height, inked, colored, legendRows };
  });
  const cells = Array.from(document.querySelectorAll('.heat td.cell')).map((td) => ({
    text: td.innerText,
    title: td.title,
    background: getComputedStyle(td).backgroundColor,
    width: td.offsetWidth,
    height: td.offsetHeight,
  }));
  return {
    h1: document.querySelector('h1') ? document.querySelector('h1').textContent : '',
    cells,
    charts,
    drawn: Number(root.getAttribute('data-charts-drawn') ?? -1),
    renderMs: Number(root.getAttribute('data-render-ms') ?? performance.now()),
    drawMs: Number(root.getAttribute('data-draw-ms') ?? 0),
  };
})()`;

/** Opens a report file, lets it draw, reads every chart back, saves a full-page screenshot. */
export async function visitReport(
  browser: Browser,
  file: string,
  screenshot: string,
  opts: { waitForCharts: boolean; width?: number },
): Promise<PageVisit> {
  const page = await browser.newPage();
  const url = pathToFileURL(file).href;
  const problems: string[] = [];
  await page.setViewport({ width: opts.width ?? 1200, height: 900, deviceScaleFactor: 1 });
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    if (req.url() === url) {
      void req.continue();
    } else {
      problems.push(`request: ${req.url()}`);
      void req.abort();
    }
  });
  page.on('requestfailed', (req) => {
    if (req.url() === url) problems.push(`failed: ${req.url()} ${req.failure()?.errorText ?? ''}`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warn')
      problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${String(err)}`));
  const started = performance.now();
  await page.goto(url, { waitUntil: 'load' });
  if (opts.waitForCharts) {
    await page.waitForFunction("document.documentElement.hasAttribute('data-charts-drawn')", {
      timeout: 15_000,
    });
  }
  const wallMs = performance.now() - started;
  const read = (await page.evaluate(READ_PAGE)) as Omit<PageVisit, 'problems' | 'wallMs'>;
  await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true });
  await page.close();
  return { problems, wallMs, ...read };
}
