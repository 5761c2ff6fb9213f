import t from 'tap';
import { TokenBucket } from '../lab/time/token-bucket.js';

/** Takes as many tokens as the bucket gives at `now`; returns how many. */
function drain(bucket: TokenBucket, now: number): number {
  let n = 0;
  while (bucket.tryTake(now)) n++;
  return n;
}

t.test('a full bucket admits exactly burst at once, then refuses', async (t) => {
  const bucket = new TokenBucket({ rate: 10, burst: 10 }, 0);
  for (let i = 0; i < 10; i++) t.ok(bucket.tryTake(0), `request ${i + 1} of the burst`);
  t.notOk(bucket.tryTake(0), 'the 11th at the same instant is refused');
  t.equal(bucket.tokens(0), 0);
});

t.test('exactly one more each 1/rate seconds', async (t) => {
  const bucket = new TokenBucket({ rate: 10, burst: 10 }, 0);
  t.equal(drain(bucket, 0), 10);
  t.notOk(bucket.tryTake(99), 'not at 99 ms');
  t.ok(bucket.tryTake(100), 'one at 100 ms');
  t.notOk(bucket.tryTake(100), 'only one');
  t.notOk(bucket.tryTake(199), 'not at 199 ms');
  t.ok(bucket.tryTake(200), 'one at 200 ms');
  for (let ms = 300; ms <= 5000; ms += 100) {
    t.notOk(bucket.tryTake(ms - 1), `none 1 ms before ${ms}`);
    t.equal(drain(bucket, ms), 1, `exactly one at ${ms} ms`);
  }
  t.equal(bucket.waitMs(5000), 100, 'the next token is 100 ms away');
  t.equal(bucket.waitMs(5040), 60);
});

t.test('tokens never exceed burst after idling', async (t) => {
  const bucket = new TokenBucket({ rate: 10, burst: 10 }, 0);
  t.equal(drain(bucket, 0), 10);
  t.equal(bucket.tokens(3_600_000), 10, 'an hour of idling refills to burst, not beyond');
  t.equal(drain(bucket, 3_600_000), 10, 'so exactly burst is admitted again');
  t.equal(bucket.tokens(3_600_000 + 50), 0.5);
});

t.test('fractional rate: 0.5 per second is one token every 2 s', async (t) => {
  const bucket = new TokenBucket({ rate: 0.5, burst: 1 }, 0);
  t.equal(drain(bucket, 0), 1);
  t.notOk(bucket.tryTake(1999));
  t.ok(bucket.tryTake(2000));
  t.notOk(bucket.tryTake(3999));
  t.ok(bucket.tryTake(4000));
  t.equal(bucket.tokens(5000), 0.5);
  t.equal(bucket.waitMs(5000), 1000);
});

t.test('burst below rate: capacity 2 refilled at 10 per second', async (t) => {
  const bucket = new TokenBucket({ rate: 10, burst: 2 }, 0);
  t.equal(drain(bucket, 0), 2, 'starts with 2, not 10');
  t.equal(drain(bucket, 1000), 2, 'a second later: capped at 2, not 10');
  t.equal(drain(bucket, 1100), 1);
  t.equal(drain(bucket, 1300), 2, 'after 200 ms: 2 (a third would need 300 ms and capacity)');
});

t.test('a refused request takes nothing', async (t) => {
  const bucket = new TokenBucket({ rate: 10, burst: 10 }, 0);
  drain(bucket, 0);
  // Hammer it between refills: none of these refusals may delay the next token.
  for (let ms = 1; ms < 100; ms++) t.notOk(bucket.tryTake(ms));
  t.equal(bucket.tokens(99), 0.99, 'tokens grew untouched by refusals');
  t.ok(bucket.tryTake(100), 'the token is there on time');
});

t.test('long run: admitted count equals burst + rate x time', async (t) => {
  for (const [rate, burst] of [
    [10, 10],
    [0.5, 1],
    [3, 7],
    [100, 1],
  ] as const) {
    const bucket = new TokenBucket({ rate, burst }, 0);
    let admitted = 0;
    const endMs = 600_000;
    // One request every millisecond for ten minutes: far more than the bucket allows.
    for (let ms = 0; ms <= endMs; ms++) if (bucket.tryTake(ms)) admitted++;
    const expected = burst + Math.floor((rate * endMs) / 1000);
    t.equal(admitted, expected, `rate ${rate}, burst ${burst}: ${admitted} admitted in 600 s`);
  }
});
