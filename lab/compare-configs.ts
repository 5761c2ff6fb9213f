import { ConfigError, describeValue } from './config/config-error.js';
import type { LabOptions } from './config/parse-options.js';

/**
 * Named configurations for `compare --configs`. A configuration is one or more parts joined by `+`, each
 * part a name below, optionally followed by `/environment` or `/shared` (the scope of a retry budget or a
 * breaker, environment by default). Parts apply left to right over the run's options, so
 * `queue+sdk-standard/shared` is the queue with a shared SDK retry quota, and `aimd+breaker` the adaptive
 * poller with a circuit breaker. Every other option (seed, speed, --aimd-*, --breaker-* ...) comes from the
 * command line and applies to every configuration.
 */
type Part = (o: LabOptions, scope: 'environment' | 'shared' | undefined) => LabOptions;

const MODE =
  (mode: LabOptions['mode']): Part =>
  (o) => ({ ...o, mode });
const BUDGET =
  (retryPolicy: LabOptions['retryPolicy']): Part =>
  (o, scope) => ({
    ...o,
    retryPolicy,
    retryBudgetScope: scope ?? 'environment',
  });
const BREAKER =
  (mode: 'consecutive' | 'sampling'): Part =>
  (o, scope) => ({
    ...o,
    breaker: { ...o.breaker, mode, scope: scope ?? 'environment' },
  });

export const CONFIG_PARTS: Readonly<Record<string, Part>> = {
  none: MODE('none'),
  queue: (o) => ({ ...o, mode: 'queue', queueAdaptive: undefined }),
  throttle: MODE('throttle'),
  aimd: (o) => ({ ...o, mode: 'queue', queueAdaptive: 'aimd' }),
  gradient: (o) => ({ ...o, mode: 'queue', queueAdaptive: 'gradient' }),
  tenacity: (o) => ({ ...o, retryPolicy: 'tenacity' }),
  'full-jitter': (o) => ({ ...o, retryPolicy: 'full-jitter' }),
  'no-retry': (o) => ({ ...o, retryPolicy: 'none' }),
  'sdk-standard': BUDGET('sdk-standard'),
  'grpc-throttle': BUDGET('grpc-throttle'),
  'retry-bucket': BUDGET('retry-bucket'),
  breaker: BREAKER('consecutive'),
  sampling: BREAKER('sampling'),
  'no-esm': (o) => ({ ...o, esmScaling: false }),
};

/** Parts that take a `/scope`. */
const SCOPED = new Set(['sdk-standard', 'grpc-throttle', 'retry-bucket', 'breaker', 'sampling']);

/** What `--configs all` runs: issue 12's side-by-side set. */
export const ALL_CONFIGS = [
  'none',
  'queue',
  'throttle',
  'aimd',
  'gradient',
  'sdk-standard/environment',
  'sdk-standard/shared',
  'grpc-throttle/environment',
  'grpc-throttle/shared',
  'retry-bucket/environment',
  'retry-bucket/shared',
  'breaker/environment',
  'breaker/shared',
] as const;

/** What compare runs without --configs: the three modes, as before. */
export const DEFAULT_CONFIGS = ['none', 'queue', 'throttle'] as const;

function allowed(): string {
  return `names joined by commas, each one or more of ${Object.keys(CONFIG_PARTS).join(', ')} joined by +, budgets and breakers optionally /environment or /shared; or all`;
}

/** Splits and checks `--configs`; every name is checked before anything runs. */
export function parseConfigList(text: string | undefined): string[] {
  if (text === undefined) return [...DEFAULT_CONFIGS];
  const names = text
    .split(',')
    .map((s) => s.trim())
    .flatMap((s) => (s === 'all' ? [...ALL_CONFIGS] : [s]));
  const fail = (why: string): never => {
    throw new ConfigError(`option --configs: got ${describeValue(text)}${why}; allowed: ${allowed()}`);
  };
  if (names.length === 0 || names.some((n) => n === '')) fail(', an empty name');
  for (const name of names) {
    for (const part of name.split('+')) {
      const [base, scope, extra] = part.split('/');
      if (!base || !(base in CONFIG_PARTS)) fail(`, unknown part ${describeValue(part)}`);
      if (scope !== undefined && (!SCOPED.has(base!) || (scope !== 'environment' && scope !== 'shared')))
        fail(`, ${describeValue(part)} takes no such scope`);
      if (extra !== undefined) fail(`, ${describeValue(part)} has two scopes`);
    }
  }
  if (new Set(names).size !== names.length) fail(', a name given twice');
  return names;
}

/** The run's options with a configuration applied. */
export function applyConfig(options: LabOptions, name: string): LabOptions {
  let o = options;
  for (const part of name.split('+')) {
    const [base, scope] = part.split('/') as [string, 'environment' | 'shared' | undefined];
    o = CONFIG_PARTS[base]!(o, scope);
  }
  return o;
}

/** A file name for a configuration's report: `sdk-standard/shared` -> `sdk-standard-shared`. */
export function configFileName(name: string): string {
  return name.replace(/[/+]/g, '-');
}
