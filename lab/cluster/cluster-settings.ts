import type { LabOptions } from '../config/parse-options.js';

/**
 * The options that shape a run and so must be the same on every node of a cluster: a node that ran at
 * another speed would live on another scenario clock; one with another limit, queue, throttle, timeout,
 * retry or load setting would emulate another account. Options left out are a node's own business: its seed
 * (each node draws its own arrivals), ports, files, dashboard, drain, and the courier's address (one node may
 * run the built-in courier that the others reach through --courier-url).
 */
export const CLUSTER_WIDE_OPTIONS = [
  ['speed', 'speed'],
  ['mode', 'mode'],
  ['scenario', 'scenario'],
  ['concurrency-limit', 'concurrencyLimit'],
  ['queue-concurrency', 'queueConcurrency'],
  ['visibility-timeout-s', 'visibilityTimeoutS'],
  ['max-receive-count', 'maxReceiveCount'],
  ['retention-s', 'retentionS'],
  ['throttle-rate', 'throttleRate'],
  ['throttle-burst', 'throttleBurst'],
  ['function-timeout-s', 'functionTimeoutS'],
  ['function-memory-mb', 'functionMemoryMb'],
  ['cold-start-ms', 'coldStartMs'],
  ['env-idle-s', 'envIdleS'],
  ['async-retries', 'asyncRetries'],
  ['max-event-age-s', 'maxEventAgeS'],
  ['async-dlq', 'asyncDlq'],
  ['retry-policy', 'retryPolicy'],
] as const satisfies readonly (readonly [string, keyof LabOptions])[];

/** Option name -> value as text; "none" for an option not set. */
export type ClusterSettings = Record<string, string>;

export function clusterSettingsOf(options: LabOptions): ClusterSettings {
  const out: ClusterSettings = {};
  for (const [name, key] of CLUSTER_WIDE_OPTIONS) {
    const value = options[key];
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
