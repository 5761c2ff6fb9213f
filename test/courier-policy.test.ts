import t from 'tap';
import { labOptionsWith, type CourierOptions } from '../lab/config/parse-options.js';
import {
  ApiKeyCheck,
  decideCourierRequest,
  FAILURE_BODY,
  FORBIDDEN_BODY,
  THROTTLED_BODY,
  TIMEOUT_BODY,
  type CourierDecision,
} from '../lab/courier/courier-policy.js';
import { SeededRandom } from '../lab/time/random.js';
import { TokenBucket } from '../lab/time/token-bucket.js';

const KEY = 'stormlab-dev-key';

function courier(overrides: Partial<CourierOptions> = {}): CourierOptions {
  return { ...labOptionsWith().courier, apiKey: KEY, ...overrides };
}

function decide(
  bucket: TokenBucket,
  random: SeededRandom,
  options: CourierOptions,
  apiKey: string | undefined,
  now = 0,
) {
  return decideCourierRequest({ apiKey, requestId: 'r-1' }, now, bucket, random, options);
}

t.test('the key is checked before the bucket, and a bad key spends no token', async (t) => {
  const options = courier({ rate: 10, burst: 2 });
  const bucket = new TokenBucket(options, 0);
  const random = new SeededRandom(1);
  for (const bad of [undefined, '', 'wrong', KEY.toUpperCase(), KEY + 'x', KEY.slice(0, -1)]) {
    const d = decide(bucket, random, options, bad);
    t.same(d, { status: 403, body: FORBIDDEN_BODY, delayMs: 0 }, `key ${JSON.stringify(bad)}: 403`);
  }
  t.equal(bucket.tokens(0), 2, 'six refused keys took nothing');
  t.not(decide(bucket, random, options, KEY).status, 429);
  t.not(decide(bucket, random, options, KEY).status, 429);
  t.same(decide(bucket, random, options, KEY), { status: 429, body: THROTTLED_BODY, delayMs: 0 });
  t.equal(
    decide(bucket, random, options, 'wrong').status,
    403,
    'an empty bucket still answers a bad key 403',
  );
  t.not(decide(bucket, random, options, KEY, 100).status, 429, 'a token 100 ms later');
});

t.test('ApiKeyCheck compares whole keys of any length', async (t) => {
  const check = new ApiKeyCheck('abc');
  t.ok(check.matches('abc'));
  t.notOk(check.matches('abd'));
  t.notOk(check.matches('ab'));
  t.notOk(check.matches('abcd'));
  t.notOk(check.matches(undefined));
  t.ok(new ApiKeyCheck('ключ').matches('ключ'), 'non-ASCII keys compare by bytes');
});

/** Decisions for `n` admitted requests on a bucket that never runs dry. */
function admittedDecisions(options: CourierOptions, seed: number, n: number): CourierDecision[] {
  const bucket = new TokenBucket({ rate: 1e9, burst: 1e9 }, 0);
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, () => decide(bucket, random, options, KEY));
}

t.test('failure share and latency range for a fixed seed', async (t) => {
  const n = 20_000;
  const options = courier({ failureRate: 0.2, latency: { minMs: 0, maxMs: 2000 } });
  const decisions = admittedDecisions(options, 42, n);
  const failures = decisions.filter((d) => d.status === 502);
  const successes = decisions.filter((d) => d.status === 200);
  t.equal(failures.length + successes.length, n, 'only 200 and 502 (the timeout is far away)');
  // Binomial sd at n = 20000 is 0.0028; 0.01 is over 3.5 sd, and the seed makes it fixed anyway.
  t.ok(Math.abs(failures.length / n - 0.2) < 0.01, `failure share ${failures.length / n} within 0.2 +- 0.01`);
  t.ok(
    failures.every((d) => d.delayMs === 0 && d.body === FAILURE_BODY),
    'failures answer at once',
  );
  const latencies = successes.map((d) => d.delayMs);
  t.ok(
    latencies.every((ms) => ms >= 0 && ms < 2000),
    'every latency in [0, 2000) ms',
  );
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  // Uniform on [0, 2000): sd of the mean is 577 / sqrt(16000) = 4.6 ms; allow 20 ms.
  t.ok(Math.abs(mean - 1000) < 20, `mean latency ${mean.toFixed(1)} ms within 1000 +- 20`);
  t.ok(Math.min(...latencies) < 5 && Math.max(...latencies) > 1995, 'the whole range is used');
  t.match(successes[0]!.body, /^\{"message":"delivery scheduled","request_id":"r-1"\}$/);
  t.same(
    admittedDecisions(options, 42, 100),
    decisions.slice(0, 100),
    'the same seed replays the same outcomes',
  );
});

t.test('latency above the integration timeout is a 504 after exactly the timeout', async (t) => {
  const options = courier({ failureRate: 0, latency: { minMs: 1000, maxMs: 10_000 }, timeoutS: 5 });
  const decisions = admittedDecisions(options, 7, 9000);
  const timeouts = decisions.filter((d) => d.status === 504);
  const successes = decisions.filter((d) => d.status === 200);
  t.equal(timeouts.length + successes.length, decisions.length);
  t.ok(
    timeouts.every((d) => d.delayMs === 5000 && d.body === TIMEOUT_BODY),
    '504s answer after 5000 ms',
  );
  t.ok(
    successes.every((d) => d.delayMs >= 1000 && d.delayMs <= 5000),
    '200s within [1000, 5000] ms',
  );
  // P(latency > 5 s) = 5/9 for uniform [1, 10) s; sd of the share at n = 9000 is 0.005.
  const share = timeouts.length / decisions.length;
  t.ok(Math.abs(share - 5 / 9) < 0.02, `504 share ${share.toFixed(4)} within 5/9 +- 0.02`);
});

t.test('refused requests draw nothing from the random stream', async (t) => {
  const options = courier({ rate: 10, burst: 1 });
  const plain = admittedDecisions(options, 3, 20).map((d) => d.status + ':' + d.delayMs);
  const bucket = new TokenBucket(options, 0);
  const random = new SeededRandom(3);
  const mixed: string[] = [];
  for (let i = 0; i < 20; i++) {
    const now = i * 100;
    decide(bucket, random, options, 'bad', now);
    const d = decide(bucket, random, options, KEY, now);
    decide(bucket, random, options, KEY, now); // refused: the token was just taken
    mixed.push(d.status + ':' + d.delayMs);
  }
  t.same(mixed, plain, '403s and 429s between admissions leave the outcomes unchanged');
});
