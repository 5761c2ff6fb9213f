import t from 'tap';
import { ConfigError } from '../lab/config/config-error.js';
import { labOptionsWith } from '../lab/config/parse-options.js';
import { ALL_CONFIGS, applyConfig, configFileName, parseConfigList } from '../lab/compare-configs.js';

t.test('the list: default, all, and composed names', async (t) => {
  t.same(parseConfigList(undefined), ['none', 'queue', 'throttle']);
  t.same(parseConfigList('all'), [...ALL_CONFIGS]);
  t.same(parseConfigList('none, aimd+breaker/shared ,queue+sdk-standard/shared'), [
    'none',
    'aimd+breaker/shared',
    'queue+sdk-standard/shared',
  ]);
  t.equal(ALL_CONFIGS.length, 13);
});

t.test('refusals name the option, the value and what is allowed', async (t) => {
  for (const [text, why] of [
    ['none,,queue', 'an empty name'],
    ['vegas', 'unknown part "vegas"'],
    ['queue/shared', '"queue/shared" takes no such scope'],
    ['sdk-standard/global', '"sdk-standard/global" takes no such scope'],
    ['breaker/shared/x', '"breaker/shared/x" has two scopes'],
    ['none,none', 'a name given twice'],
  ] as const) {
    try {
      parseConfigList(text);
      t.fail(text);
    } catch (err) {
      t.ok(err instanceof ConfigError);
      t.match(
        (err as Error).message,
        `option --configs: got ${JSON.stringify(text)}, ${why}; allowed: names`,
      );
    }
  }
});

t.test('applying a configuration sets what it names and nothing else', async (t) => {
  const base = labOptionsWith({ seed: 1, queueConcurrency: 12 });
  const q = applyConfig(base, 'queue');
  t.same([q.mode, q.queueAdaptive, q.queueConcurrency, q.retryPolicy], ['queue', undefined, 12, 'tenacity']);
  const a = applyConfig(base, 'aimd');
  t.same([a.mode, a.queueAdaptive], ['queue', 'aimd']);
  const s = applyConfig(base, 'sdk-standard/shared');
  t.same([s.mode, s.retryPolicy, s.retryBudgetScope], ['none', 'sdk-standard', 'shared']);
  t.equal(applyConfig(base, 'grpc-throttle').retryBudgetScope, 'environment', 'environment by default');
  const b = applyConfig(base, 'gradient+breaker/shared');
  t.same(
    [b.mode, b.queueAdaptive, b.breaker.mode, b.breaker.scope],
    ['queue', 'gradient', 'consecutive', 'shared'],
  );
  t.equal(applyConfig(base, 'sampling').breaker.mode, 'sampling');
  t.equal(base.mode, 'none', 'the options given are not changed');
  t.equal(configFileName('queue+sdk-standard/shared'), 'queue-sdk-standard-shared');
});
