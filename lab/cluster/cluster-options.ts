import { ConfigError, describeValue } from '../config/config-error.js';
import { parseRedisUrl, type RedisAddress } from './redis-url.js';

/** `--cluster URL --node NAME`: this process joins a cluster of labs that act as one account. */
export interface ClusterOptions {
  redis: RedisAddress;
  node: string;
}

export const NODE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const NODE_NAME_ALLOWED = '1 to 64 letters, digits, _ . or -, starting with a letter or digit';

/** Both options or neither; a node name that is safe inside Redis keys and log lines. */
export function clusterOptionsFrom(
  clusterUrl: string | undefined,
  node: string | undefined,
): ClusterOptions | undefined {
  if (clusterUrl === undefined && node === undefined) return undefined;
  if (clusterUrl === undefined) {
    throw new ConfigError(
      `option --node: got ${describeValue(node)} without --cluster; allowed: only with --cluster redis://HOST:PORT`,
    );
  }
  if (node === undefined) {
    throw new ConfigError(
      `option --cluster: got ${describeValue(clusterUrl)} without --node; allowed: with --node NAME, this process's name in the cluster`,
    );
  }
  if (!NODE_NAME_PATTERN.test(node)) {
    throw new ConfigError(`option --node: got ${describeValue(node)}; allowed: ${NODE_NAME_ALLOWED}`);
  }
  // Already checked where the option entered; parsed again to hand on its parts.
  return { redis: parseRedisUrl(clusterUrl)!, node };
}
