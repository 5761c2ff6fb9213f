import t from 'tap';
import { CHART_MIN_ROWS, computeLayout, MIN_COLS, MIN_ROWS, PANEL_IDS, type Rect } from '../tui/layout.js';

function overlaps(a: Rect, b: Rect): boolean {
  return (
    a.left < b.left + b.width &&
    b.left < a.left + a.width &&
    a.top < b.top + b.height &&
    b.top < a.top + a.height
  );
}

t.test('every size from the minimum up: panes inside the screen, none overlapping, bars clear', async (t) => {
  let checked = 0;
  for (let cols = MIN_COLS; cols <= 260; cols += 7) {
    for (let rows = MIN_ROWS; rows <= 90; rows += 3) {
      const l = computeLayout(cols, rows);
      const rects = PANEL_IDS.map((id) => [id, l.panels[id]] as const);
      for (const [id, r] of rects) {
        if (!r) {
          t.fail(`${cols}x${rows}: ${id} missing`);
          continue;
        }
        const where = `${cols}x${rows} ${id} ${JSON.stringify(r)}`;
        if (![r.left, r.top, r.width, r.height].every(Number.isInteger)) t.fail(`${where}: not whole cells`);
        if (r.left < 0 || r.top < 1 || r.left + r.width > cols || r.top + r.height > rows - 1)
          t.fail(`${where}: outside`);
        if (r.width < 20 || r.height < 5) t.fail(`${where}: too small to show anything`);
      }
      for (let i = 0; i < rects.length; i++) {
        for (let j = i + 1; j < rects.length; j++) {
          if (overlaps(rects[i]![1]!, rects[j]![1]!))
            t.fail(`${cols}x${rows}: ${rects[i]![0]} overlaps ${rects[j]![0]}`);
        }
      }
      // The panes tile the area between the bars exactly: no gaps left by percentage rounding.
      const area = rects.reduce((n, [, r]) => n + r!.width * r!.height, 0);
      if (area !== cols * (rows - 2))
        t.fail(`${cols}x${rows}: panes cover ${area} of ${cols * (rows - 2)} cells`);
      checked++;
    }
  }
  t.ok(checked > 500, `${checked} sizes checked`);
});

t.test('80x24 is compact with a readable concurrency chart; 200x60 is full', async (t) => {
  const small = computeLayout(80, 24);
  t.equal(small.kind, 'compact');
  t.same(small.style, { rates: 'spark', courier: 'spark' });
  t.ok(small.panels.conc!.height >= CHART_MIN_ROWS, 'concurrency chart has a readable plot');
  t.ok(small.panels.log!.height >= 8, 'at least six log lines');
  t.same(small.status, { left: 0, top: 0, width: 80, height: 1 });
  t.same(small.hints, { left: 0, top: 23, width: 80, height: 1 });

  const big = computeLayout(200, 60);
  t.equal(big.kind, 'full');
  t.same(big.style, { rates: 'chart', courier: 'chart' });
  for (const id of ['conc', 'rates', 'courier'] as const)
    t.ok(big.panels[id]!.height >= CHART_MIN_ROWS, `${id} chart`);
  t.ok(big.panels.conc!.width >= 100, 'the main chart gets most of a wide screen');
  t.equal(big.panels.log!.width, 200, 'the log spans a wide screen');
  t.ok(big.panels.gauges!.height >= 14, 'tall gauges');
});

t.test('below 60x20 only a message', async (t) => {
  for (const [c, r] of [
    [59, 40],
    [200, 19],
    [10, 5],
    [0, 0],
  ] as const) {
    const l = computeLayout(c, r);
    t.equal(l.kind, 'too-small', `${c}x${r}`);
    t.same(l.panels, {});
  }
  t.equal(computeLayout(60, 20).kind, 'compact');
});
