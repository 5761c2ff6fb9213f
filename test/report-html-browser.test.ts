import t, { type Test } from 'tap';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labOptionsWith } from '../lab/config/parse-options.js';
import { runCompare } from '../lab/compare.js';
import { writeRunHtml, writeSweepHtml } from '../lab/report/html/write-html.js';
import { captureStream, tempDir } from './helpers/capture.js';
import {
  BROWSER_CANDIDATES,
  findBrowser,
  INSTALL_HINT,
  launchBrowser,
  visitReport,
  type LaunchedBrowser,
  type PageVisit,
} from './helpers/headless-browser.js';
import { sweepFromRuns } from './helpers/sweep-from-runs.js';

// Screenshots go to the git-ignored runs/ folder, to look at after a run.
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'runs', 'screenshots');
const dir = tempDir('stormlab-html-');
const browserPath = findBrowser();

function checkClean(t: Test, v: PageVisit, kind: string): void {
  t.same(v.problems, [], `${kind}: no console error, no request but the file itself`);
}

function checkCharts(t: Test, v: PageVisit, kind: string, expected: number, minLegend: number): void {
  t.equal(v.drawn, expected, `${kind}: the page drew ${expected} charts`);
  t.equal(v.charts.length, expected, `${kind}: ${expected} chart canvases`);
  v.charts.forEach((c, i) => {
    t.ok(c.width > 300 && c.height > 100, `${kind} chart ${i}: canvas ${c.width}x${c.height}`);
    t.ok(c.inked > 1000, `${kind} chart ${i}: axes and text painted (${c.inked} px)`);
    t.ok(c.colored > 50, `${kind} chart ${i}: data lines painted (${c.colored} coloured px)`);
    t.ok(c.legendRows >= minLegend, `${kind} chart ${i}: ${c.legendRows} legend rows, at least ${minLegend}`);
  });
}

const missing = browserPath
  ? undefined
  : `no headless Chromium found (${BROWSER_CANDIDATES.join(', ')}); to run this test: ${INSTALL_HINT}`;
// Outside CI a machine without the browser skips this file and says how to get it; CI must have it.
if (missing && process.env['CI'] === 'true') t.fail(`CI needs a browser: ${missing}`);

t.test(
  'reports open in headless Chromium, draw every chart and fetch nothing',
  { skip: missing ?? false },
  async (t) => {
    if (!browserPath) return;
    mkdirSync(SHOTS, { recursive: true });

    // Real runs through the existing paths: compare runs every mode (virtual engine, as compare does by default)
    // and writes each run's HTML and its own.
    const stdout = captureStream();
    const cmpFolder = join(dir, 'compare');
    const cmpStarted = performance.now();
    const cmp = await runCompare(
      labOptionsWith({ scenario: 'smoke', engine: 'virtual', seed: 7, drainS: 600, report: cmpFolder }),
      { stdout, stderr: captureStream() },
    );
    t.comment(
      `compare of three smoke runs on the virtual engine: ${((performance.now() - cmpStarted) / 1000).toFixed(1)} s`,
    );
    const printed = stdout.text();
    t.match(
      printed,
      `html report written to ${join(cmpFolder, 'none.html')}`,
      'headless prints the run HTML',
    );
    t.match(printed, `html report written to ${join(cmpFolder, 'compare.html')}`, 'compare prints its HTML');

    // The sweep runner is issue 11's; until it lands, a one-axis map over the same three real runs.
    const sweep = sweepFromRuns(
      'smoke',
      7,
      [{ name: 'mode', values: ['none', 'queue', 'throttle'] }],
      (['none', 'queue', 'throttle'] as const).map((m, i) => [[i], cmp.reports[m]!, 0]),
    );
    const sweepFile = writeSweepHtml(sweep, join(dir, 'sweep.html'));
    // A scenario name is a file name: anything in it must show as text, never run or load.
    const hostile = {
      ...cmp.reports.queue!,
      scenario: { name: '</script><img src="x.png" onerror="console.error(1)"><b>', phases: [] },
    };
    const hostileFile = writeRunHtml(hostile, join(dir, 'hostile.html'));
    // The same run with a fault window and a mode switch: the marks must draw over the same lines.
    const marked = {
      ...cmp.reports.none!,
      faults: [{ kind: 'courier-outage', value: '1', startS: 20, durationS: 15 }],
      modeChanges: [...cmp.reports.none!.modeChanges, { t: 30, mode: 'queue' }],
    };
    const markedFile = writeRunHtml(marked, join(dir, 'marked.html'));

    let b: LaunchedBrowser | undefined;
    try {
      b = await launchBrowser(browserPath);
      const run = await visitReport(b.browser, join(cmpFolder, 'none.html'), join(SHOTS, 'run.png'), {
        waitForCharts: true,
      });
      checkClean(t, run, 'run');
      checkCharts(t, run, 'run', 4, 2);

      const compare = await visitReport(
        b.browser,
        join(cmpFolder, 'compare.html'),
        join(SHOTS, 'compare.png'),
        {
          waitForCharts: true,
        },
      );
      checkClean(t, compare, 'compare');
      // One line per mode on every chart: the x row plus three.
      checkCharts(t, compare, 'compare', 7, 4);

      const map = await visitReport(b.browser, sweepFile, join(SHOTS, 'sweep.png'), { waitForCharts: false });
      checkClean(t, map, 'sweep');
      t.equal(map.cells.length, 3, 'sweep: a cell per run');
      for (const cell of map.cells) {
        t.ok(cell.width > 50 && cell.height > 30, `sweep cell ${cell.width}x${cell.height}`);
        t.match(cell.text, /\d+\.\d%/, 'the cell shows its delivered share');
        t.match(cell.title, /peak concurrency \d+/, 'the hover text holds every figure');
        t.not(cell.background, 'rgba(0, 0, 0, 0)', 'the cell is coloured');
      }

      const bad = await visitReport(b.browser, hostileFile, join(SHOTS, 'hostile.png'), {
        waitForCharts: true,
      });
      checkClean(t, bad, 'hostile name');
      t.match(bad.h1, '</script><img src="x.png"', 'the name shows as text');
      checkCharts(t, bad, 'hostile name', 4, 2);

      const withMarks = await visitReport(b.browser, markedFile, join(SHOTS, 'marked.png'), {
        waitForCharts: true,
      });
      checkClean(t, withMarks, 'fault and mode switch');
      checkCharts(t, withMarks, 'fault and mode switch', 4, 2);
      withMarks.charts.forEach((c, i) =>
        t.ok(
          c.colored > run.charts[i]!.colored,
          `chart ${i}: the mode marker adds colour (${c.colored} > ${run.charts[i]!.colored} px)`,
        ),
      );

      // A control: the checks above would catch a page that fetched or logged an error.
      const leaky = join(dir, 'leaky.html');
      writeFileSync(
        leaky,
        '<!doctype html><img src="pixel.png"><script src="https://example.invalid/x.js"></script>' +
          "<script>console.error('boom')</script>",
      );
      const caught = await visitReport(b.browser, leaky, join(dir, 'leaky.png'), { waitForCharts: false });
      t.match(caught.problems.join('\n'), /request: file:.*pixel\.png/, 'an image request is caught');
      t.match(
        caught.problems.join('\n'),
        'request: https://example.invalid/x.js',
        'a script request is caught',
      );
      t.match(caught.problems.join('\n'), 'console error: boom', 'a console error is caught');

      for (const [kind, v, file] of [
        ['run', run, join(cmpFolder, 'none.html')],
        ['compare', compare, join(cmpFolder, 'compare.html')],
        ['sweep', map, sweepFile],
      ] as const) {
        t.ok(existsSync(join(SHOTS, `${kind}.png`)), `${kind} screenshot saved`);
        const drawn =
          v.drawn > 0
            ? `charts painted at ${Math.round(v.renderMs)} ms after navigation start (drawing ${v.drawMs} ms), `
            : '';
        t.comment(
          `${kind}: ${(statSync(file).size / 1024).toFixed(1)} KB, ${drawn}${v.wallMs.toFixed(0)} ms to load and draw`,
        );
      }
      t.notMatch(readFileSync(join(cmpFolder, 'none.html'), 'utf8'), /<script[^>]+src=|<link[^>]+href=/i);
    } finally {
      await b?.close();
    }
  },
);
