/**
 * Courier (`slow-api`) lines reach the dashboard in both engines, with the fields the courier writes: in the
 * virtual engine the courier writes into the run's log writer; in the threads engine the courier thread's
 * lines are forwarded to it. Either way an order's story holds the courier's START and its 200, and the log
 * pane shows them with the HTTP status and the duration.
 */
import t from 'tap';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { labOptionsWith } from '../lab/config/parse-options.js';
import type { EngineKind } from '../lab/run/engine.js';
import { LiveLabSession } from '../lab/lab-session.js';
import type { LogRecord } from '../lab/logs/log-record.js';
import { buildDashboard } from '../tui/build-dashboard.js';
import { parseFilter } from '../tui/log-model.js';
import { createMemoryTerminal } from '../tui/memory-terminal.js';
import { tempDir } from './helpers/capture.js';

const dir = tempDir('stormlab-dash-courier-');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves with the first order whose delivery COMPLETE and courier 200 have both been seen. */
function firstDeliveredWithCourier200(session: LiveLabSession): Promise<string> {
  return new Promise((resolve) => {
    const seen = new Map<string, { delivered: boolean; ok: boolean }>();
    const stop = session.subscribeLogs((r: LogRecord) => {
      const cid = r.correlation_id;
      if (cid === undefined) return;
      const s = seen.get(cid) ?? { delivered: false, ok: false };
      if (r.service === 'delivery-handler' && r.status === 'COMPLETE') s.delivered = true;
      if (r.service === 'slow-api' && r.http_status === 200) s.ok = true;
      seen.set(cid, s);
      if (s.delivered && s.ok) {
        stop();
        resolve(cid);
      }
    });
  });
}

for (const engine of ['virtual', 'threads'] as EngineKind[]) {
  t.test(`${engine} engine: courier lines in the log pane and in an order's story`, async (t) => {
    const session = await LiveLabSession.start(
      labOptionsWith({
        engine,
        scenario: 'smoke',
        speed: 20,
        seed: 4,
        seedGiven: true,
        report: join(dir, engine, 'report.json'),
        logFile: join(dir, engine, 'log.jsonl'),
      }),
    );
    const term = createMemoryTerminal(200, 60);
    const dash = buildDashboard(term.screen, session);
    t.teardown(async () => {
      dash.dispose();
      term.screen.destroy();
      await session.finish('quit');
    });
    const cid = await firstDeliveredWithCourier200(session);
    const story = dash.logs.story(cid)!;
    const courier = story.records.filter((r) => r.service === 'slow-api');
    t.ok(courier.length >= 2, `the courier's lines are in the story (${courier.length})`);
    t.match(courier[0], { status: 'START', method: 'POST', path: '/slow', request_id: String });
    const ok = courier.find((r) => r.http_status === 200)!;
    t.match(ok, { status: 'COMPLETE', request_id: String, duration_ms: Number, correlation_id: cid });

    dash.logs.setFilter(parseFilter(cid.slice(0, 8)));
    dash.frame();
    const log = term.text().join('\n');
    t.match(log, new RegExp(`courier START +${cid.slice(0, 8)} POST /slow`), 'the request');
    t.match(
      log,
      new RegExp(`courier COMPLETE ${cid.slice(0, 8)} 200 .*, ${Math.round(ok.duration_ms as number)} ms`),
      'the answer, its status and its duration',
    );
    t.match(term.text()[0], new RegExp(`${engine} 20x`), 'the status bar names the engine');
  });
}
