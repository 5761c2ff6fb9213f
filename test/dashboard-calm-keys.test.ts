/**
 * Issue 12's keys: a, b, e, c map to their actions, are in the help and the hint bar, and change the
 * pipeline's policies live, from the next invocation on (a real Pipeline on a virtual clock behind the
 * session's controls).
 */
import t from 'tap';
import { VirtualClock } from '../lab/time/clock.js';
import { SeededRandom } from '../lab/time/random.js';
import { labOptionsWith } from '../lab/config/parse-options.js';
import { Pipeline } from '../lab/pipeline/pipeline.js';
import { calmSnapshot } from '../lab/metrics/calm-gauges.js';
import type { LabSession, LabSnapshot } from '../lab/lab-view.js';
import { actionFor, HELP_LINES, HINTS } from '../tui/key-map.js';
import { applyCalmKey } from '../tui/calm-keys.js';
import { statusSegments } from '../tui/view-model.js';

t.test('keys, help and hints', async (t) => {
  const ctx = { overlay: 'none', prompting: false } as const;
  t.same(
    ['a', 'b', 'e', 'c'].map((k) => actionFor(k, { full: k }, ctx).type),
    ['queue-limit', 'retry-policy', 'calm-scope', 'breaker'],
  );
  t.equal(actionFor('c', { full: 'C-c' }, ctx).type, 'quit', 'Ctrl-C still quits');
  t.ok(HELP_LINES.includes('a b c e      cycle queue limit, retry policy, breaker, scope'), 'one help line');
  for (const h of ['a limit', 'b retries', 'c breaker', 'e scope'])
    t.ok(
      HINTS.some((x) => x.text === h),
      h,
    );
});

t.test('each press moves one policy on, from the next invocation', async (t) => {
  const clock = new VirtualClock();
  const pipeline = new Pipeline({
    clock,
    random: new SeededRandom(1),
    executor: { run: async () => ({ ok: true, value: null, logs: [] }) },
    options: labOptionsWith({ mode: 'queue' }),
  });
  const session = {
    snapshot: () => ({ calm: calmSnapshot(pipeline) }) as LabSnapshot,
    setQueueLimit: (n) => pipeline.setQueueLimit(n),
    setGuards: (c) => pipeline.setGuards(c),
  } as Pick<LabSession, 'snapshot' | 'setQueueLimit' | 'setGuards'> as LabSession;
  const ctx = { environmentId: 'delivery-1', coldStart: true, requestId: 'r' } as Parameters<
    typeof pipeline.guards.forInvocation
  >[0];
  t.equal(applyCalmKey(session, 'queue-limit'), 'queue limit: aimd (applies in queue and throttle modes)');
  t.equal(pipeline.limits.adaptiveName, 'aimd');
  t.equal(
    applyCalmKey(session, 'queue-limit'),
    'queue limit: gradient (applies in queue and throttle modes)',
  );
  t.equal(pipeline.limits.limit, 3, 'gradient starts at its minimum concurrency');
  t.equal(
    applyCalmKey(session, 'queue-limit'),
    'queue limit: fixed cap (applies in queue and throttle modes)',
  );
  t.equal(applyCalmKey(session, 'retry-policy'), 'retry policy: sdk-standard (budget per environment)');
  t.equal(pipeline.guards.forInvocation(ctx).policy.name, 'sdk-standard');
  t.ok(pipeline.guards.forInvocation(ctx).budget, 'a budget now guards each invocation');
  t.equal(applyCalmKey(session, 'calm-scope'), 'budgets and breakers: one shared');
  t.equal(pipeline.guards.figures().budget?.scope, 'shared');
  t.equal(applyCalmKey(session, 'breaker'), 'circuit breaker: consecutive (per shared)');
  t.ok(pipeline.guards.forInvocation(ctx).breaker);
  t.same(
    pipeline.calmChanges.map((c) => `${c.what}=${c.value}`),
    [
      'queue-limit=aimd',
      'queue-limit=gradient',
      'queue-limit=fixed',
      'retryPolicy=sdk-standard',
      'retryBudgetScope=shared',
      'breaker=off/shared',
      'breaker=consecutive/shared',
    ],
  );
  pipeline.stop();
});

t.test('the status bar names the policies that differ from the seed', async (t) => {
  const base = { mode: 'queue', t: 0, speed: 10, seed: 1, scenario: 'smoke', loadRate: 0, loadFactor: 1 };
  const guards = labOptionsWith({ retryPolicy: 'grpc-throttle', retryBudgetScope: 'shared' });
  const snap = {
    ...base,
    state: 'running',
    phase: undefined,
    calm: {
      queueLimit: 'aimd',
      limit: 12,
      guards: { ...guards, breaker: { ...guards.breaker, mode: 'sampling' } },
    },
  } as unknown as LabSnapshot;
  const texts = statusSegments(snap).map((s) => s.text);
  t.ok(texts.includes('limit aimd 12'));
  t.ok(texts.includes('retries grpc-throttle/shared'));
  t.ok(texts.includes('breaker sampling/environment'));
  const seedLike = {
    ...snap,
    calm: { queueLimit: 'fixed', limit: 10, guards: labOptionsWith() },
  } as LabSnapshot;
  t.notOk(
    statusSegments(seedLike).some((s) => /^(limit|retries|breaker) /.test(s.text)),
    'nothing extra with the seed policies',
  );
});
