import { REDIS_URL_ALLOWED } from '../cluster/redis-url.js';

/**
 * Every option the lab and the courier take: name, type, default, allowed range and meaning. The CLI, the
 * `--config` file loader, the validator and `--help` all read this one table.
 */
export type OptionKind =
  'number' | 'integer' | 'string' | 'enum' | 'boolean' | 'latency-range' | 'url' | 'redis-url';
export type Scope = 'lab' | 'courier';

export interface OptionSpec {
  /** Kebab-case, as typed after `--`. */
  name: string;
  kind: OptionKind;
  /** Absent means "not set" (the option is optional). */
  default?: string | number | boolean;
  min?: number;
  /** True when `min` itself is not allowed (a rate must be above 0, not at least 0). */
  minExclusive?: boolean;
  max?: number;
  values?: readonly string[];
  /** Where the option applies. */
  scopes: readonly Scope[];
  describe: string;
}

const BOTH: readonly Scope[] = ['lab', 'courier'];
const LAB: readonly Scope[] = ['lab'];

export const MODES = ['none', 'queue', 'throttle'] as const;
export type Mode = (typeof MODES)[number];
export const RETRY_POLICIES = ['tenacity', 'none', 'full-jitter'] as const;
export type RetryPolicyName = (typeof RETRY_POLICIES)[number];

export const OPTION_SPECS: readonly OptionSpec[] = [
  {
    name: 'config',
    kind: 'string',
    scopes: BOTH,
    describe: 'a YAML or JSON file of options (names without --)',
  },
  {
    name: 'scenario',
    kind: 'string',
    default: 'seed-article',
    scopes: LAB,
    describe: 'seed-article, seed-repo, smoke, external, or an Artillery YAML file',
  },
  {
    name: 'mode',
    kind: 'enum',
    values: MODES,
    default: 'none',
    scopes: LAB,
    describe: 'flow control at start',
  },
  {
    name: 'engine',
    kind: 'enum',
    values: ['threads', 'virtual'],
    scopes: LAB,
    describe:
      'threads: real threads, sockets and clock; virtual: the same semantics in one thread on a virtual clock (default threads; compare: virtual)',
  },
  {
    name: 'speed',
    kind: 'number',
    default: 10,
    min: 0,
    minExclusive: true,
    max: 1000,
    scopes: BOTH,
    describe: 'time compression: scenario seconds per real second',
  },
  {
    name: 'seed',
    kind: 'integer',
    min: 0,
    max: 4294967295,
    scopes: BOTH,
    describe: 'seeds every random choice (random and printed when not given)',
  },
  {
    name: 'headless',
    kind: 'boolean',
    default: false,
    scopes: LAB,
    describe: 'no dashboard: progress on stderr, summary and report at the end',
  },
  {
    name: 'report',
    kind: 'string',
    scopes: LAB,
    describe: 'report file (a folder with compare); default under runs/',
  },
  {
    name: 'drain',
    kind: 'number',
    default: 0,
    min: 0,
    max: 31536000,
    scopes: LAB,
    describe: 'after the load, keep running until nothing is in flight or this many scenario seconds pass',
  },
  {
    name: 'port',
    kind: 'integer',
    default: 0,
    min: 0,
    max: 65535,
    scopes: BOTH,
    describe: 'port of the ingress (lab) or the courier (courier alone); 0 picks a free one',
  },
  {
    name: 'host',
    kind: 'string',
    default: '127.0.0.1',
    scopes: BOTH,
    describe: 'address the servers bind to',
  },
  {
    name: 'log-file',
    kind: 'string',
    scopes: BOTH,
    describe: 'where the JSON log lines go (none: no log file); default next to the report under runs/',
  },
  {
    name: 'courier-rate',
    kind: 'number',
    default: 10,
    min: 0,
    minExclusive: true,
    max: 100000,
    scopes: BOTH,
    describe: 'usage-plan token bucket: requests per second',
  },
  {
    name: 'courier-burst',
    kind: 'integer',
    default: 10,
    min: 1,
    max: 100000,
    scopes: BOTH,
    describe: 'usage-plan token bucket: capacity',
  },
  {
    name: 'courier-failure-rate',
    kind: 'number',
    default: 0.2,
    min: 0,
    max: 1,
    scopes: BOTH,
    describe: 'share of admitted requests that fail at once with 502',
  },
  {
    name: 'courier-latency-ms',
    kind: 'latency-range',
    default: '0-2000',
    min: 0,
    max: 3600000,
    scopes: BOTH,
    describe: 'latency of a success, uniform MIN-MAX milliseconds (the repository used 1000-10000)',
  },
  {
    name: 'courier-api-key',
    kind: 'string',
    default: 'stormlab-dev-key',
    scopes: BOTH,
    describe: 'the key the courier requires in x-api-key',
  },
  {
    name: 'courier-timeout-s',
    kind: 'number',
    default: 29,
    min: 0,
    minExclusive: true,
    max: 3600,
    scopes: BOTH,
    describe: 'integration timeout: slower answers become 504',
  },
  { name: 'courier-path', kind: 'string', default: '/slow', scopes: BOTH, describe: 'the courier route' },
  {
    name: 'courier-url',
    kind: 'url',
    scopes: LAB,
    describe: 'send deliveries to an outside API instead of the built-in courier',
  },
  {
    name: 'function-timeout-s',
    kind: 'number',
    default: 29,
    min: 1,
    max: 900,
    scopes: LAB,
    describe: 'timeout of both functions',
  },
  {
    name: 'function-memory-mb',
    kind: 'integer',
    default: 1024,
    min: 128,
    max: 10240,
    scopes: LAB,
    describe: 'memory of both functions (billing)',
  },
  {
    name: 'cold-start-ms',
    kind: 'number',
    default: 400,
    min: 0,
    max: 10000,
    scopes: LAB,
    describe: 'init time of a new execution environment',
  },
  {
    name: 'env-idle-s',
    kind: 'number',
    default: 600,
    min: 1,
    max: 86400,
    scopes: LAB,
    describe: 'an idle execution environment is reclaimed after this long',
  },
  {
    name: 'concurrency-limit',
    kind: 'integer',
    default: 1000,
    min: 1,
    max: 20000,
    scopes: LAB,
    describe: 'account concurrency, all functions together',
  },
  {
    name: 'async-retries',
    kind: 'integer',
    default: 2,
    min: 0,
    max: 2,
    scopes: LAB,
    describe: 'asynchronous invoke: retries after a function error',
  },
  {
    name: 'max-event-age-s',
    kind: 'number',
    default: 21600,
    min: 60,
    max: 21600,
    scopes: LAB,
    describe: 'asynchronous invoke: an event older than this is discarded',
  },
  {
    name: 'async-dlq',
    kind: 'boolean',
    default: false,
    scopes: LAB,
    describe:
      'asynchronous invoke: send failed events to an on-failure destination instead of discarding them',
  },
  {
    name: 'retry-policy',
    kind: 'enum',
    values: RETRY_POLICIES,
    default: 'tenacity',
    scopes: LAB,
    describe: "the delivery function's retries in code",
  },
  {
    name: 'queue-concurrency',
    kind: 'integer',
    default: 10,
    min: 2,
    max: 1000,
    scopes: LAB,
    describe: "the queue poller's MaximumConcurrency",
  },
  {
    name: 'visibility-timeout-s',
    kind: 'number',
    default: 150,
    // AWS allows 0, but a queue feeding a function must keep a message invisible at least the function's
    // timeout (checked against --function-timeout-s, whose minimum is 1).
    min: 1,
    max: 43200,
    scopes: LAB,
    describe: 'a received message stays invisible this long (at least --function-timeout-s)',
  },
  {
    name: 'max-receive-count',
    kind: 'integer',
    min: 1,
    max: 1000,
    scopes: LAB,
    describe: 'redrive to the dead-letter queue after this many receives (none by default)',
  },
  {
    name: 'retention-s',
    kind: 'number',
    default: 345600,
    min: 60,
    max: 1209600,
    scopes: LAB,
    describe: 'queue message retention',
  },
  {
    name: 'throttle-rate',
    kind: 'number',
    default: 9,
    min: 0,
    minExclusive: true,
    max: 100000,
    scopes: LAB,
    describe: 'throttle mode: client-side token bucket, calls per second',
  },
  {
    name: 'throttle-burst',
    kind: 'integer',
    default: 1,
    min: 1,
    max: 100000,
    scopes: LAB,
    describe: 'throttle mode: client-side token bucket capacity',
  },
  {
    name: 'cluster',
    kind: 'redis-url',
    scopes: LAB,
    describe: 'join a cluster of labs that act as one account, through this Redis (with --node)',
  },
  {
    name: 'node',
    kind: 'string',
    scopes: LAB,
    describe: "this process's name in the cluster (with --cluster)",
  },
  {
    name: 'fps',
    kind: 'number',
    default: 4,
    min: 1,
    max: 30,
    scopes: LAB,
    describe: 'dashboard frames per second',
  },
];

export const SPEC_BY_NAME: ReadonlyMap<string, OptionSpec> = new Map(OPTION_SPECS.map((s) => [s.name, s]));

/** What a spec allows, in words, for error messages and --help. */
export function allowedText(spec: OptionSpec): string {
  switch (spec.kind) {
    case 'enum':
      return `one of ${spec.values!.join(', ')}`;
    case 'boolean':
      return 'true or false (or the bare flag)';
    case 'string':
      return 'a non-empty string';
    case 'url':
      return 'an http:// or https:// URL';
    case 'redis-url':
      return REDIS_URL_ALLOWED;
    case 'latency-range':
      return `MIN-MAX in milliseconds, whole numbers, ${spec.min} <= MIN <= MAX <= ${spec.max}`;
    case 'integer':
    case 'number': {
      const what = spec.kind === 'integer' ? 'a whole number' : 'a number';
      const low =
        spec.min === undefined ? '' : spec.minExclusive ? ` above ${spec.min}` : ` from ${spec.min}`;
      const high = spec.max === undefined ? '' : ` to ${spec.max}`;
      return `${what}${low}${high}`;
    }
  }
}
