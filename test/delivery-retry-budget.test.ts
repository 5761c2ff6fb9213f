/**
 * Retry budgets over scripted sequences of successes, failures and timeouts. Every expected count is
 * worked out by hand from the references' rules (aws-semantics 9.1 to 9.3), in tokens.
 */
import t from 'tap';
import { Worker } from 'node:worker_threads';
import { LocalMilliStore, SharedMilliStore } from '../lab/delivery/retry-budget/milli-store.js';
import { SdkStandardBudget } from '../lab/delivery/retry-budget/sdk-standard-budget.js';
import { GrpcThrottleBudget } from '../lab/delivery/retry-budget/grpc-throttle-budget.js';
import { RetryBucketBudget } from '../lab/delivery/retry-budget/retry-bucket-budget.js';
import { BudgetRegistry, type BudgetParams } from '../lab/delivery/retry-budget/budget-registry.js';
import { failureKind, tokensOf, type RetryBudget } from '../lab/delivery/retry-budget/retry-budget.js';
import { retryPolicy, waitSchedule } from '../lab/delivery/retry-policy.js';
import type { Random } from '../lab/time/random.js';
import { workerEntry } from '../lab/courier/worker-entry.js';

const PARAMS: BudgetParams = { grpcMaxTokens: 10, grpcTokenRatio: 0.1, bucketCapacity: 3 };

type Step = 'ok' | 'retry-ok' | '429' | '502' | 'timeout' | '403';

/** Runs a script: a failure asks for a retry; 'retry-ok' is a success after a retry that cost `last`. */
function script(budget: RetryBudget, steps: Step[]): { tokens: number[]; retried: boolean[] } {
  const tokens: number[] = [];
  const retried: boolean[] = [];
  let last: number | undefined;
  for (const step of steps) {
    if (step === 'ok' || step === 'retry-ok') {
      budget.recordSuccess(step === 'retry-ok' ? last : undefined);
      retried.push(false);
    } else {
      const kind = failureKind(step === 'timeout' ? 'timeout' : Number(step));
      budget.recordFailure(kind);
      last = budget.tryRetry(kind);
      retried.push(last !== undefined);
    }
    tokens.push(tokensOf(budget));
  }
  return { tokens, retried };
}

t.test('failure kinds as the AWS SDK classes them', async (t) => {
  t.same(
    [429, 502, 504, 500, 'connection-error', 'timeout', 403, 404].map((s) =>
      failureKind(s as Parameters<typeof failureKind>[0]),
    ),
    ['throttling', 'transient', 'transient', 'transient', 'transient', 'transient', 'client', 'client'],
  );
});

t.test('sdk-standard: 500 tokens, retries cost 5 or 10, successes refund', async (t) => {
  const b = new SdkStandardBudget(new LocalMilliStore(500_000));
  const r = script(b, [
    'ok',
    '502',
    'retry-ok',
    '429',
    'retry-ok',
    'timeout',
    '429',
    'retry-ok',
    '403',
    'ok',
  ]);
  // 500 capped; 490; 500 (refund 10); 495; 500 (refund 5); 490; 485; 490 (refund of the 429's 5); 490; 491?
  // The first 'ok' cannot go past 500. The last 'ok' is a first try: +1.
  t.same(r.tokens, [500, 490, 500, 495, 500, 490, 485, 490, 490, 491]);
  t.same(
    r.retried,
    [false, true, false, true, false, true, true, false, false, false],
    '403 is never retried',
  );
  // Drain it: 49 transient retries take 490, leaving 1; then neither cost can be paid.
  const drain = script(b, Array<Step>(49).fill('502'));
  t.equal(drain.tokens.at(-1), 1);
  t.ok(drain.retried.every(Boolean));
  t.same(script(b, ['502', '429']).retried, [false, false], 'refused: 1 token pays for nothing');
  t.same(script(b, Array<Step>(4).fill('ok')).tokens, [2, 3, 4, 5]);
  t.same(script(b, ['429', '429']), { tokens: [0, 0], retried: [true, false] });
});

t.test('grpc-throttle: starts full, -1 a failure, +ratio a success, retries above half', async (t) => {
  const b = new GrpcThrottleBudget(new LocalMilliStore(10_000), { maxTokens: 10, tokenRatio: 0.1 });
  const r = script(b, ['502', '429', '502', '502', '502', 'ok', '502', 'ok', 'ok', 'timeout']);
  // 9, 8, 7, 6, 5 (not above 5: no retry), 5.1, 4.1 (no), 4.2, 4.3, 3.3 (no)
  t.same(r.tokens, [9, 8, 7, 6, 5, 5.1, 4.1, 4.2, 4.3, 3.3]);
  t.same(r.retried, [true, true, true, true, false, false, false, false, false, false]);
  // Nine successes bring it to 4.2 + ... : 3.3 + 0.9 = 4.2, and 18 more past 5 to 6.0.
  const up = script(b, Array<Step>(27).fill('ok'));
  t.equal(up.tokens.at(-1), 6);
  t.same(script(b, ['429']).retried, [false], 'a failure at 6 leaves 5: not above half');
  t.same(script(b, Array<Step>(11).fill('ok')).tokens.at(-1), 6.1);
  t.same(script(b, ['429']), { tokens: [5.1], retried: [true] });
  t.same(script(b, Array<Step>(80).fill('ok')).tokens.at(-1), 10, 'never above maxTokens');
  const floor = script(b, Array<Step>(12).fill('502'));
  t.equal(floor.tokens.at(-1), 0, 'never below 0');
});

t.test('retry-bucket: deposits 0.1 a success, a retry spends 1, capped', async (t) => {
  const b = new RetryBucketBudget(new LocalMilliStore(3_000), 3);
  const r = script(b, ['ok', '429', '502', 'timeout', '502', 'ok', 'ok', '403']);
  t.same(r.tokens, [3, 2, 1, 0, 0, 0.1, 0.2, 0.2]);
  t.same(r.retried, [false, true, true, true, false, false, false, false]);
  t.same(script(b, Array<Step>(8).fill('ok')).tokens.at(-1), 1);
  t.same(script(b, ['502', '502']), { tokens: [0, 0], retried: [true, false] });
});

t.test('registry: one budget per environment, or one for all', async (t) => {
  const perEnv = new BudgetRegistry({ policy: 'retry-bucket', params: PARAMS, scope: 'environment' });
  const a = perEnv.budgetFor('delivery-1', true);
  const b = perEnv.budgetFor('delivery-2', true);
  t.not(a, b);
  t.equal(perEnv.budgetFor('delivery-1', false), a, 'a warm invocation finds its environment’s budget');
  a.tryRetry('transient');
  a.tryRetry('transient');
  t.same(perEnv.figures(), { count: 2, mean: 2, min: 1 });
  const shared = new BudgetRegistry({ policy: 'retry-bucket', params: PARAMS, scope: 'shared' });
  t.equal(shared.budgetFor('delivery-1', true), shared.budgetFor('delivery-9', true));
  shared.budgetFor('delivery-3', true).tryRetry('transient');
  t.same(shared.figures(), { count: 1, mean: 2, min: 2 });
});

t.test('registry in shared memory: a cold start refills its slot; threads see one count', async (t) => {
  const main = new BudgetRegistry({ policy: 'sdk-standard', params: PARAMS, scope: 'environment' }, true);
  const other = new BudgetRegistry({
    policy: 'sdk-standard',
    params: PARAMS,
    scope: 'environment',
    buffer: main.buffer!,
  });
  const b = other.budgetFor('delivery-5', true);
  b.tryRetry('transient');
  t.same(main.figures(), { count: 1, mean: 490, min: 490 }, 'the main thread reads the worker’s count');
  t.equal(tokensOf(other.budgetFor('delivery-5', false)), 490, 'a warm start keeps it');
  t.equal(tokensOf(other.budgetFor('delivery-5', true)), 500, 'a new environment in the slot starts full');
});

t.test('compare-exchange: two threads spending one shared bucket never overspend', async (t) => {
  const store = new SharedMilliStore(0);
  t.equal(store.load(), 0);
  const registry = new BudgetRegistry(
    { policy: 'retry-bucket', params: { ...PARAMS, bucketCapacity: 1 }, scope: 'shared' },
    true,
  );
  // Fill the shared cell with 2000 tokens' worth by hand: far more than one thread's share.
  const cells = new Int32Array(registry.buffer!);
  Atomics.store(cells, 0, 2000 * 1000);
  const url = workerEntry(import.meta.url, './fixtures/budget-spender');
  const run = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const w = new Worker(url, {
        workerData: { buffer: registry.buffer, tries: 1500 },
      });
      w.once('message', resolve);
      w.once('error', reject);
    });
  const [x, y] = await Promise.all([run(), run()]);
  t.equal(x + y, 2000, 'exactly the 2000 tokens were granted between them');
  t.equal(registry.figures().min, 0);
});

t.test('wait schedules the references give', async (t) => {
  const half: Random = {
    next: () => 0.5,
    uniform: (a, b) => a + 0.5 * (b - a),
    chance: () => false,
    fork: () => half,
    seed: 0,
  };
  const sdk = retryPolicy('sdk-standard');
  t.equal(sdk.maxAttempts, 3);
  t.same(
    [1, 2].map((n) => sdk.waitMs(n, half, 'transient')),
    [50, 100],
  );
  t.same(
    [1, 2].map((n) => sdk.waitMs(n, half, 'throttling')),
    [250, 500],
  );
  t.same(waitSchedule(retryPolicy('grpc-throttle'), half), [50, 100, 200]);
  t.same(waitSchedule(retryPolicy('retry-bucket'), half), [500, 1000, 2000, 4000]);
});
