import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError, describeValue } from '../config/config-error.js';
import { ioredisOptions, type RedisAddress } from './redis-url.js';

/** How long the first connection may take before the cluster is called unreachable, in real ms. */
export const CONNECT_TIMEOUT_MS = 2000;
/** Reconnect back-off cap once joined, in real ms: a restarted Redis is found again within this. */
export const RECONNECT_MAX_MS = 500;

/**
 * A connected client, or a refusal (exit 2) naming the address and how to start a Redis. Once connected the
 * client reconnects by itself (every RECONNECT_MAX_MS at most) and queues commands while Redis is away; the
 * callers count what fails meanwhile.
 */
export async function connectRedis(address: RedisAddress, extra: RedisOptions = {}): Promise<Redis> {
  let connected = false;
  const client = new Redis({
    ...ioredisOptions(address),
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // Before the first connection a refusal is final (the node must not half-start); after it, keep trying.
    retryStrategy: (times) => (connected ? Math.min(times * 100, RECONNECT_MAX_MS) : null),
    ...extra,
  });
  // Without a listener ioredis prints every connection error; the callers see failures on their commands.
  let lastError: NodeJS.ErrnoException | undefined;
  client.on('error', (err: NodeJS.ErrnoException) => {
    lastError = err;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    // ioredis rejects with "Connection is closed."; the socket's own error says why.
    const cause = lastError ?? (err as NodeJS.ErrnoException);
    const reason = cause.code ?? cause.message;
    throw new ConfigError(
      `option --cluster: got ${describeValue(address.url)}, but Redis there is unreachable (${reason}); allowed: the address of a running redis-server (start one with \`redis-server --port ${address.port} --save '' --appendonly no\`)`,
    );
  }
  connected = true;
  return client;
}
