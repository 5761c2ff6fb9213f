/**
 * Every option the lab and the courier take: name, type, default, allowed range and meaning. The CLI, the
 * `--config` file loader, the validator and `--help` all read this one table.
 */
import { FAULT_FORM } from '../faults/fault-spec.js';
import { REDIS_URL_ALLOWED } from '../cluster/redis-url.js';

export type OptionKind =
  | 'number'
  | 'integer'
  | 'string'
  | 'enum'
  | 'boolean'
  | 'latency-range'
  | 'url'
  | 'fault'
  | 'redis-url'
  /** A whole number within min..max, or one of `values` (--queue-concurrency: 10, aimd or gradient). */
  | 'integer-or-word';
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
  /**
   * May be given more than once: the values are collected into an array, in order (none given: []). In a
   * config file the field is the name or its plural (`thresholds:`), holding one value or a list; the
   * command line's values, when any, replace the file's.
   */
  repeatable?: boolean;
  /** Turns a checked string into what the options hold; throws a ConfigError that names `source`. */
  parse?: (value: string, source: string) => unknown;
  describe: string;
}

import { parseThreshold } from '../thresholds/parse-threshold.js';

const BOTH: readonly Scope[] = ['lab', 'courier'];
const LAB: readonly Scope[] = ['lab'];

export const MODES = ['none', 'queue', 'throttle'] as const;
export type Mode = (typeof MODES)[number];
export const RETRY_POLICIES = [
  'tenacity',
  'none',
  'full-jitter',
  'sdk-standard',
  'grpc-throttle',
  'retry-bucket',
] as const;
export type RetryPolicyName = (typeof RETRY_POLICIES)[number];

/**
 * Highest --speed on real threads, sockets and timers (the threads engine, the courier alone): beyond it a
 * scenario millisecond is shorter than the timers' resolution. The virtual engine paces a virtual clock and
 * takes the spec's maximum.
 */
export const THREADS_MAX_SPEED = 1000;
export const ADAPTIVE_LIMITS = ['aimd', 'gradient'] as const;
export type AdaptiveLimitName = (typeof ADAPTIVE_LIMITS)[number];
export const SCOPES = ['environment', 'shared'] as const;
export type StateScope = (typeof SCOPES)[number];
export const BREAKERS = ['off', 'consecutive', 'sampling'] as const;
export type BreakerName = (typeof BREAKERS)[number];

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
    describe: 'seed-article, seed-repo, smoke, metastable, external, or an Artillery YAML file',
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
    max: 100000,
    scopes: BOTH,
    describe: `time compression: scenario seconds per real second (at most ${THREADS_MAX_SPEED} on real time: the threads engine, the courier alone)`,
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
    name: 'courier-capacity',
    kind: 'integer',
    min: 1,
    max: 100000,
    scopes: BOTH,
    describe: 'requests the service behind the gateway serves at once, FIFO behind them (off by default)',
  },
  {
    name: 'attempt-timeout-ms',
    kind: 'number',
    min: 1,
    max: 3600000,
    scopes: LAB,
    describe: "the delivery function's client timeout per courier call, scenario ms (off by default)",
  },
  {
    name: 'load-factor',
    kind: 'number',
    default: 1,
    min: 0,
    max: 100,
    scopes: LAB,
    describe: "multiplies the scenario's arrival rate (a sweep's load axis)",
  },
  {
    name: 'vary',
    kind: 'string',
    repeatable: true,
    scopes: LAB,
    describe:
      'sweep: an axis, NAME=FROM:TO:STEP or NAME=A,B,C (an option, load, or fault.N.value|start|duration); once or twice',
  },
  {
    name: 'fault',
    kind: 'fault',
    repeatable: true,
    scopes: LAB,
    describe: `a fault on scenario time, repeatable: ${FAULT_FORM}; kinds courier-outage, courier-latency, courier-failure-rate, courier-rate, load`,
  },
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
    name: 'retry-budget-scope',
    kind: 'enum',
    values: SCOPES,
    default: 'environment',
    scopes: LAB,
    describe:
      'sdk-standard, grpc-throttle, retry-bucket: one budget per execution environment, or one shared',
  },
  {
    name: 'grpc-max-tokens',
    kind: 'number',
    default: 10,
    min: 1,
    max: 1000,
    scopes: LAB,
    describe: 'grpc-throttle: maxTokens of the retry throttle (A6)',
  },
  {
    name: 'grpc-token-ratio',
    kind: 'number',
    default: 0.1,
    min: 0.001,
    max: 1000,
    scopes: LAB,
    describe: 'grpc-throttle: tokens a success gives back (A6 tokenRatio, three decimals at most)',
  },
  {
    name: 'retry-bucket-capacity',
    kind: 'number',
    default: 10,
    min: 1,
    max: 100000,
    scopes: LAB,
    describe: "retry-bucket: the bucket's capacity in tokens (a success deposits 0.1, a retry spends 1)",
  },
  {
    name: 'queue-concurrency',
    kind: 'integer-or-word',
    values: ADAPTIVE_LIMITS,
    default: 10,
    min: 2,
    max: 1000,
    scopes: LAB,
    describe: "the queue poller's MaximumConcurrency, or an adaptive limit: aimd or gradient",
  },
  {
    name: 'esm-scaling',
    kind: 'boolean',
    default: true,
    scopes: LAB,
    describe: "the event source mapping's own ramp: start at 5, add 300 a minute, back off on errors",
  },
  {
    name: 'aimd-min',
    kind: 'integer',
    default: 2,
    min: 1,
    max: 1000,
    scopes: LAB,
    describe: 'aimd: lowest limit (Netflix defaults to 20, above what the courier takes)',
  },
  {
    name: 'aimd-max',
    kind: 'integer',
    default: 200,
    min: 1,
    max: 1000,
    scopes: LAB,
    describe: 'aimd: highest limit',
  },
  {
    name: 'aimd-backoff',
    kind: 'number',
    default: 0.9,
    min: 0.5,
    max: 0.99,
    scopes: LAB,
    describe: 'aimd: the limit is multiplied by this on a drop (429, error, timeout, throttle)',
  },
  {
    name: 'aimd-timeout-s',
    kind: 'number',
    default: 5,
    min: 0,
    minExclusive: true,
    max: 900,
    scopes: LAB,
    describe: 'aimd: an invocation slower than this counts as a drop',
  },
  {
    name: 'gradient-min-concurrency',
    kind: 'integer',
    default: 3,
    min: 1,
    max: 1000,
    scopes: LAB,
    describe: "gradient: the floor, and the limit while minRTT is measured (Envoy's min_concurrency)",
  },
  {
    name: 'gradient-max',
    kind: 'integer',
    default: 1000,
    min: 1,
    max: 1000,
    scopes: LAB,
    describe: 'gradient: highest limit',
  },
  {
    name: 'gradient-buffer',
    kind: 'number',
    default: 0.25,
    min: 0,
    max: 10,
    scopes: LAB,
    describe: 'gradient: share of minRTT tolerated before the limit shrinks',
  },
  {
    name: 'gradient-window-s',
    kind: 'number',
    default: 1,
    min: 0,
    minExclusive: true,
    max: 3600,
    scopes: LAB,
    describe: 'gradient: one limit update per window of this many scenario seconds',
  },
  {
    name: 'gradient-min-rtt-interval-s',
    kind: 'number',
    default: 60,
    min: 1,
    max: 86400,
    scopes: LAB,
    describe: 'gradient: minRTT is measured again this often',
  },
  {
    name: 'gradient-min-rtt-requests',
    kind: 'integer',
    default: 50,
    min: 1,
    max: 10000,
    scopes: LAB,
    describe: 'gradient: invocations one minRTT measurement takes',
  },
  {
    name: 'gradient-percentile',
    kind: 'number',
    default: 0.5,
    min: 0,
    minExclusive: true,
    max: 1,
    scopes: LAB,
    describe: "gradient: the percentile of a window's latencies taken as its RTT",
  },
  {
    name: 'circuit-breaker',
    kind: 'enum',
    values: BREAKERS,
    default: 'off',
    scopes: LAB,
    describe: 'a circuit breaker in front of each courier call: failures in a row, or a failure share',
  },
  {
    name: 'breaker-scope',
    kind: 'enum',
    values: SCOPES,
    default: 'environment',
    scopes: LAB,
    describe: 'one breaker per execution environment, or one shared',
  },
  {
    name: 'breaker-threshold',
    kind: 'integer',
    default: 5,
    min: 1,
    max: 10000,
    scopes: LAB,
    describe: 'consecutive: failures in a row that open the circuit',
  },
  {
    name: 'breaker-failure-ratio',
    kind: 'number',
    default: 0.5,
    min: 0.01,
    max: 0.99,
    scopes: LAB,
    describe: 'sampling: share of failed calls in the window that opens the circuit',
  },
  {
    name: 'breaker-window-s',
    kind: 'number',
    default: 10,
    min: 0.1,
    max: 3600,
    scopes: LAB,
    describe: 'sampling: the window calls are counted over',
  },
  {
    name: 'breaker-min-rps',
    kind: 'number',
    default: 1,
    min: 0.001,
    max: 100000,
    scopes: LAB,
    describe: 'sampling: calls per second the window needs before it may open the circuit',
  },
  {
    name: 'breaker-half-open-s',
    kind: 'number',
    default: 10,
    min: 0,
    minExclusive: true,
    max: 3600,
    scopes: LAB,
    describe: 'an open circuit lets one trial call through after this long',
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
    name: 'configs',
    kind: 'string',
    scopes: LAB,
    describe:
      'compare: configurations side by side, e.g. none,queue,aimd,sdk-standard/shared,aimd+breaker, or all (see README)',
  },
  {
    name: 'threshold',
    kind: 'string',
    repeatable: true,
    parse: parseThreshold,
    scopes: LAB,
    describe:
      'FIELD OP NUMBER over report fields (orders.lost == 0, courier.share429 < 0.05); any crossed exits 99',
  },
  {
    name: 'abort-on-fail',
    kind: 'boolean',
    default: false,
    scopes: LAB,
    describe: 'stop the run as soon as a --threshold can no longer be met (counts and peaks only)',
  },
  {
    name: 'metrics-port',
    kind: 'integer',
    min: 0,
    max: 65535,
    scopes: LAB,
    describe: 'serve Prometheus metrics at http://HOST:PORT/metrics during the run; 0 picks a free port',
  },
  {
    name: 'metrics-linger-s',
    kind: 'number',
    default: 0,
    min: 0,
    max: 3600,
    scopes: LAB,
    describe:
      'real seconds the metrics endpoint stays up after the run, until one scrape has read the final figures',
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
    case 'fault':
      return FAULT_FORM;
    case 'redis-url':
      return REDIS_URL_ALLOWED;
    case 'latency-range':
      return `MIN-MAX in milliseconds, whole numbers, ${spec.min} <= MIN <= MAX <= ${spec.max}`;
    case 'integer-or-word':
      return `${spec.values!.join(', ')}, or a whole number from ${spec.min} to ${spec.max}`;
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
