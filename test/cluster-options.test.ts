import t from 'tap';
import { parseLabOptions } from '../lab/config/parse-options.js';
import { clusterSettingsOf, describeDifferences } from '../lab/cluster/cluster-settings.js';
import { parseRedisUrl } from '../lab/cluster/redis-url.js';
import { labOptionsWith } from '../lab/config/parse-options.js';
import { SPEC_BY_NAME } from '../lab/config/option-spec.js';
import { messageOf } from './helpers/probes.js';

t.test('--cluster and --node parse, and are refused clearly when bad', async (t) => {
  const o = parseLabOptions(['--cluster', 'redis://lab-redis.example:6380/2', '--node', 'lab-1']);
  t.same(o.cluster, {
    redis: { host: 'lab-redis.example', port: 6380, db: 2, url: 'redis://lab-redis.example:6380/2' },
    node: 'lab-1',
  });
  t.equal(parseLabOptions([]).cluster, undefined);
  t.equal(parseRedisUrl('redis://localhost')?.port, 6379, 'the default port');
  t.equal(
    messageOf(() => parseLabOptions(['--cluster', 'http://127.0.0.1:6379', '--node', 'a'])),
    'option --cluster: got "http://127.0.0.1:6379"; allowed: redis://HOST:PORT or redis://HOST:PORT/DB (DB 0 to 15), no user or password',
  );
  for (const bad of [
    'redis://u:p@127.0.0.1:6379',
    'redis://127.0.0.1:6379/16',
    'redis://127.0.0.1:6379/x',
    'redis:',
  ]) {
    t.match(
      messageOf(() => parseLabOptions(['--cluster', bad, '--node', 'a'])),
      /^option --cluster: got /,
      bad,
    );
  }
  t.equal(
    messageOf(() => parseLabOptions(['--cluster', 'redis://127.0.0.1:6379'])),
    'option --cluster: got "redis://127.0.0.1:6379" without --node; allowed: with --node NAME, this process\'s name in the cluster',
  );
  t.equal(
    messageOf(() => parseLabOptions(['--node', 'a'])),
    'option --node: got "a" without --cluster; allowed: only with --cluster redis://HOST:PORT',
  );
  const cluster = ['--cluster', 'redis://127.0.0.1:6379', '--node', 'a'];
  t.equal(
    messageOf(() => parseLabOptions([...cluster, '--queue-concurrency', 'aimd'])),
    "option --queue-concurrency: got aimd with --cluster; allowed: a whole number (the cluster's queue has one fixed MaximumConcurrency, BullMQ's global concurrency)",
  );
  t.equal(
    messageOf(() => parseLabOptions(['sweep', ...cluster, '--vary', 'seed=1,2'])),
    'option --cluster: got it with the sweep command; allowed: a run on the threads engine (a cluster shares real time)',
  );
  t.equal(
    messageOf(() => parseLabOptions([...cluster, '--engine', 'virtual'])),
    'option --cluster: got it with --engine virtual; allowed: a run on the threads engine (a cluster shares real time)',
  );
  t.equal(
    messageOf(() => parseLabOptions(['--cluster', 'redis://127.0.0.1:6379', '--node', 'a b'])),
    'option --node: got "a b"; allowed: 1 to 64 letters, digits, _ . or -, starting with a letter or digit',
  );
});

t.test('the run-shaping settings a cluster compares, and how a difference reads', async (t) => {
  const s = clusterSettingsOf(labOptionsWith({ speed: 20, mode: 'queue' }));
  t.same(Object.keys(s), [
    'speed',
    'mode',
    'scenario',
    'fault',
    'concurrency-limit',
    'queue-concurrency',
    'esm-scaling',
    'visibility-timeout-s',
    'max-receive-count',
    'retention-s',
    'throttle-rate',
    'throttle-burst',
    'function-timeout-s',
    'function-memory-mb',
    'cold-start-ms',
    'env-idle-s',
    'async-retries',
    'max-event-age-s',
    'async-dlq',
    'retry-policy',
    'retry-budget-scope',
    'grpc-max-tokens',
    'grpc-token-ratio',
    'retry-bucket-capacity',
    'attempt-timeout-ms',
    'circuit-breaker',
    'breaker-scope',
    'breaker-threshold',
    'breaker-failure-ratio',
    'breaker-window-s',
    'breaker-min-rps',
    'breaker-half-open-s',
  ]);
  // Each is a real option, so a refusal names one a person can type.
  for (const name of Object.keys(s)) t.ok(SPEC_BY_NAME.has(name), `--${name} is an option`);
  t.equal(s.fault, 'none');
  t.equal(
    clusterSettingsOf(parseLabOptions(['--fault', 'courier-outage@60+30'])).fault,
    '[{"kind":"courier-outage","value":"1","parsed":{"kind":"courier-outage"},"startS":60,"durationS":30}]',
    'a fault schedule compares as a whole',
  );
  t.equal(s['circuit-breaker'], 'off');
  t.equal(s.speed, '20');
  t.equal(s['max-receive-count'], 'none');
  t.equal(
    describeDifferences([
      { name: 'speed', ours: '20', theirs: '10' },
      { name: 'mode', ours: 'none', theirs: 'queue' },
    ]),
    '--speed 20 (the cluster runs 10), --mode none (the cluster runs queue)',
  );
});
