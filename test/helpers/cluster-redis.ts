import { randomUUID } from 'node:crypto';
import tap from 'tap';
import type { Redis } from 'ioredis';
import { ClusterKeys } from '../../lab/cluster/cluster-keys.js';
import { connectRedis } from '../../lab/cluster/redis-connect.js';
import { parseRedisUrl } from '../../lab/cluster/redis-url.js';
import {
  redisServerAvailable,
  startPrivateRedis,
  type PrivateRedis,
  type PrivateRedisOptions,
} from '../../lab/cluster/private-redis.js';

/**
 * Redis for the cluster tests. `.ci/run` starts one private server and passes its URL in STORMLAB_TEST_REDIS;
 * outside CI a test file starts its own private redis-server when the binary exists, and otherwise the
 * cluster tests are skipped with the reason. With CI=true a missing Redis fails instead: CI must run them.
 *
 * Use: `t.test('...', { skip: redisSkip() }, async (t) => { const redis = await testRedis(); ... })`.
 */
export interface TestRedis {
  url: string;
  /** A key prefix no other test uses, so tests sharing CI's server never see each other's keys. */
  prefix: string;
}

export const NO_REDIS_MESSAGE =
  'no redis-server on the PATH, so the cluster tests were skipped; install it with ' +
  '`apt-get install -y --no-install-recommends redis-server` (CI does) or set STORMLAB_TEST_REDIS=redis://HOST:PORT';

/** False when the cluster tests can run; the reason to skip them otherwise. Throws in CI without Redis. */
export function redisSkip(needOwnServer = false): string | false {
  if (!needOwnServer && process.env.STORMLAB_TEST_REDIS) return false;
  if (redisServerAvailable()) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${NO_REDIS_MESSAGE}`);
  return NO_REDIS_MESSAGE;
}

let own: Promise<PrivateRedis> | undefined;

export function uniquePrefix(): string {
  return `t-${randomUUID().slice(0, 8)}`;
}

/** The Redis URL for this file's tests, with a fresh key prefix. */
export async function testRedis(): Promise<TestRedis> {
  const given = process.env.STORMLAB_TEST_REDIS;
  if (given) return { url: given, prefix: uniquePrefix() };
  if (!own) {
    own = startPrivateRedis();
    const server = await own;
    // On the root test: one server serves every test in the file, stopped when the file ends.
    tap.teardown(() => server.stop());
  }
  return { url: (await own).url, prefix: uniquePrefix() };
}

/** As `testRedis`, with the cluster's keys under the fresh prefix and a client closed when the test ends. */
export async function testClient(t: {
  teardown(fn: () => unknown): void;
}): Promise<TestRedis & { keys: ClusterKeys; redis: Redis }> {
  const given = await testRedis();
  const redis = await connectRedis(parseRedisUrl(given.url)!);
  t.teardown(() => redis.disconnect());
  return { ...given, keys: new ClusterKeys(given.prefix), redis };
}

/** A private server of the test's own, even in CI: for tests that stop or restart Redis under live nodes. */
export async function ownRedis(
  t: { teardown(fn: () => unknown): void },
  options: PrivateRedisOptions = {},
): Promise<PrivateRedis> {
  const server = await startPrivateRedis(options);
  t.teardown(() => server.stop());
  return server;
}
