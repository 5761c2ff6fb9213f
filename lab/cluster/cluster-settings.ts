import type { LabOptions } from '../config/parse-options.js';

type Reader = (o: LabOptions) => unknown;
const field =
  (key: keyof LabOptions): Reader =>
  (o) =>
    o[key];

/**
 * The options that shape a run and so must be the same on every node of a cluster: a node that ran at
 * another speed would live on another scenario clock; one with another limit, queue, throttle, timeout,
 * retry, breaker or fault setting would emulate another account. Options left out are a node's own business:
 * its seed (each node draws its own arrivals), its share of the load (--load-factor), ports, files, drain,
 * and the courier's address (one node may run the built-in courier that the others reach through
 * --courier-url).
 */
export const CLUSTER_WIDE_OPTIONS: readonly (readonly [string, Reader])[] = [
  ['speed', field('speed')],
  ['mode', field('mode')],
  ['scenario', field('scenario')],
  ['fault', (o) => (o.faults.length === 0 ? undefined : JSON.stringify(o.faults))],
  ['concurrency-limit', field('concurrencyLimit')],
  ['queue-concurrency', field('queueConcurrency')],
  ['esm-scaling', field('esmScaling')],
  ['visibility-timeout-s', field('visibilityTimeoutS')],
  ['max-receive-count', field('maxReceiveCount')],
  ['retention-s', field('retentionS')],
  ['throttle-rate', field('throttleRate')],
  ['throttle-burst', field('throttleBurst')],
  ['function-timeout-s', field('functionTimeoutS')],
  ['function-memory-mb', field('functionMemoryMb')],
  ['cold-start-ms', field('coldStartMs')],
  ['env-idle-s', field('envIdleS')],
  ['async-retries', field('asyncRetries')],
  ['max-event-age-s', field('maxEventAgeS')],
  ['async-dlq', field('asyncDlq')],
  ['retry-policy', field('retryPolicy')],
  ['retry-budget-scope', field('retryBudgetScope')],
  ['grpc-max-tokens', field('grpcMaxTokens')],
  ['grpc-token-ratio', field('grpcTokenRatio')],
  ['retry-bucket-capacity', field('retryBucketCapacity')],
  ['attempt-timeout-ms', field('attemptTimeoutMs')],
  ['circuit-breaker', (o) => o.breaker.mode],
  ['breaker-scope', (o) => o.breaker.scope],
  ['breaker-threshold', (o) => o.breaker.threshold],
  ['breaker-failure-ratio', (o) => o.breaker.failureRatio],
  ['breaker-window-s', (o) => o.breaker.windowS],
  ['breaker-min-rps', (o) => o.breaker.minRps],
  ['breaker-half-open-s', (o) => o.breaker.halfOpenS],
];

/** Option name -> value as text; "none" for an option not set. */
export type ClusterSettings = Record<string, string>;

export function clusterSettingsOf(options: LabOptions): ClusterSettings {
  const out: ClusterSettings = {};
  for (const [name, read] of CLUSTER_WIDE_OPTIONS) {
    const value = read(options);
    out[name] = value === undefined ? 'none' : String(value);
  }
  return out;
}

/** Options a live control (mode, queue concurrency, throttle rate) may change while the cluster runs. */
export const LIVE_SETTINGS: ReadonlySet<string> = new Set(['mode', 'queue-concurrency', 'throttle-rate']);

/** One line naming every option that differs: this node's value against the cluster's. */
export function describeDifferences(
  diffs: readonly { name: string; ours: string; theirs: string }[],
): string {
  return diffs.map((d) => `--${d.name} ${d.ours} (the cluster runs ${d.theirs})`).join(', ');
}
