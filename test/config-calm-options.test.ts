/** The options of issue 12: --queue-concurrency's word-or-number kind, and the checks between options. */
import t from 'tap';
import { ConfigError } from '../lab/config/config-error.js';
import { parseLabOptions } from '../lab/config/parse-options.js';

function refusal(argv: string[]): string | undefined {
  try {
    parseLabOptions(argv);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return undefined;
}

t.test('--queue-concurrency takes a whole number or the name of an adaptive limit', async (t) => {
  t.same(
    [
      parseLabOptions(['--queue-concurrency', '25']),
      parseLabOptions(['--queue-concurrency', 'aimd']),
      parseLabOptions(['--queue-concurrency=gradient']),
    ].map((o) => [o.queueConcurrency, o.queueAdaptive]),
    [
      [25, undefined],
      [10, 'aimd'],
      [10, 'gradient'],
    ],
  );
  const allowed = 'allowed: aimd, gradient, or a whole number from 2 to 1000';
  for (const bad of ['1', '1001', '2.5', 'AIMD', 'vegas', '', '-3', '1e400']) {
    const message = refusal(['--queue-concurrency', bad]);
    t.equal(message, `option --queue-concurrency: got ${JSON.stringify(bad)}; ${allowed}`, bad);
  }
});

t.test('defaults of the new policies', async (t) => {
  const o = parseLabOptions([]);
  t.same(
    [o.retryBudgetScope, o.grpcMaxTokens, o.grpcTokenRatio, o.retryBucketCapacity, o.esmScaling],
    ['environment', 10, 0.1, 10, true],
  );
  t.same(o.aimd, { min: 2, max: 200, backoff: 0.9, timeoutS: 5 });
  t.same(o.gradient, {
    minConcurrency: 3,
    max: 1000,
    buffer: 0.25,
    windowS: 1,
    minRttIntervalS: 60,
    minRttRequests: 50,
    percentile: 0.5,
  });
  t.same(o.breaker, {
    mode: 'off',
    scope: 'environment',
    threshold: 5,
    failureRatio: 0.5,
    windowS: 10,
    minRps: 1,
    halfOpenS: 10,
  });
});

t.test('refusals between options and of the policy names', async (t) => {
  t.equal(
    refusal(['--aimd-min', '50', '--aimd-max', '40']),
    'option --aimd-min: got 50, above --aimd-max 40; allowed: at most --aimd-max',
  );
  t.match(
    refusal(['--gradient-min-concurrency', '9', '--gradient-max', '8']),
    /--gradient-min-concurrency: got 9/,
  );
  t.match(
    refusal(['--grpc-token-ratio', '0.0005']),
    /--grpc-token-ratio: got "0.0005"; allowed: a number from 0.001/,
  );
  t.match(
    refusal(['--grpc-token-ratio', '0.1234']),
    /--grpc-token-ratio: got 0.1234; allowed: at most three decimals/,
  );
  t.equal(refusal(['--grpc-token-ratio', '0.007']), undefined);
  t.match(
    refusal(['--retry-policy', 'sdk']),
    /--retry-policy: got "sdk"; allowed: one of tenacity, none, full-jitter, sdk-standard, grpc-throttle, retry-bucket/,
  );
  t.match(
    refusal(['--circuit-breaker', 'on']),
    /--circuit-breaker: got "on"; allowed: one of off, consecutive, sampling/,
  );
  t.match(refusal(['--breaker-scope', 'global']), /allowed: one of environment, shared/);
  t.match(refusal(['--retry-budget-scope', 'thread']), /--retry-budget-scope: got "thread"/);
});
