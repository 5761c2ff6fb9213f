import { readFileSync, statSync } from 'node:fs';
import { ConfigError, describeValue } from './config-error.js';
import {
  allowedText,
  type AdaptiveLimitName,
  type BreakerName,
  type StateScope,
  OPTION_SPECS,
  SPEC_BY_NAME,
  type Mode,
  type OptionSpec,
  type RetryPolicyName,
  type Scope,
  THREADS_MAX_SPEED,
} from './option-spec.js';
import { randomSeed } from '../time/random.js';
import { parseYamlData } from './yaml-data.js';
import { parseFaultEntry, parseFaultText, type FaultSpec } from '../faults/fault-spec.js';
import { PRESET_OPTIONS } from '../load/presets.js';
import { parseConfigList } from '../compare-configs.js';
import { clusterOptionsFrom, type ClusterOptions } from '../cluster/cluster-options.js';
import { parseRedisUrl } from '../cluster/redis-url.js';
import type { EngineKind } from '../run/engine.js';
import type { Threshold } from '../thresholds/parse-threshold.js';

export interface LatencyRange {
  minMs: number;
  maxMs: number;
}

/** The courier's parameters, in scenario units. */
export interface CourierOptions {
  rate: number;
  burst: number;
  failureRate: number;
  latency: LatencyRange;
  apiKey: string;
  timeoutS: number;
  path: string;
  /** Requests the backend serves at once (FIFO behind them); undefined: no capacity model. */
  capacity?: number | undefined;
}

export interface CommonOptions {
  speed: number;
  seed: number;
  /** False when the seed was drawn at random (it is printed either way). */
  seedGiven: boolean;
  port: number;
  host: string;
  logFile: string | undefined;
  courier: CourierOptions;
}

export interface LabOptions extends CommonOptions {
  command: 'run' | 'compare' | 'sweep';
  engine: EngineKind;
  scenario: string;
  mode: Mode;
  headless: boolean;
  report: string | undefined;
  drainS: number;
  courierUrl: string | undefined;
  functionTimeoutS: number;
  functionMemoryMb: number;
  coldStartMs: number;
  envIdleS: number;
  concurrencyLimit: number;
  asyncRetries: number;
  maxEventAgeS: number;
  asyncDlq: boolean;
  retryPolicy: RetryPolicyName;
  /** sdk-standard, grpc-throttle, retry-bucket: who holds a budget. */
  retryBudgetScope: StateScope;
  grpcMaxTokens: number;
  grpcTokenRatio: number;
  retryBucketCapacity: number;
  /** The fixed MaximumConcurrency (10 when --queue-concurrency names an adaptive limit). */
  queueConcurrency: number;
  /** Set when --queue-concurrency is aimd or gradient. */
  queueAdaptive: AdaptiveLimitName | undefined;
  esmScaling: boolean;
  aimd: { min: number; max: number; backoff: number; timeoutS: number };
  gradient: {
    minConcurrency: number;
    max: number;
    buffer: number;
    windowS: number;
    minRttIntervalS: number;
    minRttRequests: number;
    percentile: number;
  };
  breaker: {
    mode: BreakerName;
    scope: StateScope;
    threshold: number;
    failureRatio: number;
    windowS: number;
    minRps: number;
    halfOpenS: number;
  };
  visibilityTimeoutS: number;
  maxReceiveCount: number | undefined;
  retentionS: number;
  throttleRate: number;
  throttleBurst: number;
  fps: number;
  /** The delivery function's client timeout per courier call, scenario ms; undefined: none. */
  attemptTimeoutMs: number | undefined;
  /** `--fault` (or a config file's `faults:`), in the order given; the scenario file's come on top. */
  faults: FaultSpec[];
  /** False when `faults` already holds the scenario's own (a sweep cell that varies one of them). */
  scenarioFaults: boolean;
  /** Multiplies the scenario's arrival rate; 1 = as written. */
  loadFactor: number;
  /** Sweep axes as typed (`--vary`); checked by lab/sweep/sweep-grid.ts against the other options. */
  vary: string[];
  /** compare: the configurations to run (checked names), see compare-configs.ts. */
  configs: string[];
  /** `--threshold`, parsed; judged on the report, exit 99 if any is crossed. */
  thresholds: Threshold[];
  abortOnFail: boolean;
  /** `--metrics-port`: undefined serves no metrics; 0 picks a free port. */
  metricsPort: number | undefined;
  /** Real seconds the metrics endpoint waits after the run for one scrape of the final figures. */
  metricsLingerS: number;
  /** Set with --cluster and --node: this process is one node of a cluster that acts as one account. */
  cluster: ClusterOptions | undefined;
}

/** A value as typed on the command line or found in a config file (a fault may be a mapping in a file). */
type RawValue = string | number | boolean | Record<string, unknown>;
/** A repeatable option's values are a list; any other's a single value. */
type Raw = Map<string, RawValue | RawValue[]>;

const FLAG_LIMIT = 4096;

/** Splits argv into a command word and `--name value` pairs; rejects what it does not know. */
function readArgv(argv: readonly string[], scope: Scope): { command: string | undefined; raw: Raw } {
  const raw: Raw = new Map();
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.length > FLAG_LIMIT)
      throw new ConfigError(`argument ${i + 1}: longer than ${FLAG_LIMIT} characters`);
    if (!arg.startsWith('--')) {
      if (command === undefined && scope === 'lab' && i === 0) {
        command = arg;
        continue;
      }
      throw new ConfigError(`unexpected argument ${describeValue(arg)}; options look like --name value`);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = SPEC_BY_NAME.get(name);
    if (!spec || !spec.scopes.includes(scope)) {
      throw new ConfigError(`unknown option --${name}; see --help for the options ${scopeWord(scope)} takes`);
    }
    if (raw.has(name) && !spec.repeatable) throw new ConfigError(`option --${name} given twice`);
    const put = (value: RawValue): void => {
      if (!spec.repeatable) raw.set(name, value);
      else raw.set(name, [...((raw.get(name) as RawValue[] | undefined) ?? []), value]);
    };
    if (eq !== -1) {
      put(arg.slice(eq + 1));
    } else if (spec.kind === 'boolean') {
      const next = argv[i + 1];
      if (next === 'true' || next === 'false') {
        put(next);
        i++;
      } else put(true);
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && SPEC_BY_NAME.has(next.slice(2).split('=')[0]!))) {
        throw new ConfigError(`option --${name}: no value given; allowed: ${allowedText(spec)}`);
      }
      put(next);
      i++;
    }
  }
  return { command, raw };
}

function scopeWord(scope: Scope): string {
  return scope === 'lab' ? 'npm run lab' : 'npm run courier';
}

/** A config file is a few hundred bytes; anything past this is not one. */
export const MAX_CONFIG_FILE_BYTES = 256 * 1024;

/**
 * Reads a `--config` file: YAML or JSON, a mapping of option names (with or without dashes) to values.
 * Parsed with the `core` schema and no custom tags (as the Artillery reader), so a file holds data only:
 * a tag such as `!!js/function` is refused with its line and column, never resolved or warned about.
 */
export function readConfigFile(path: string, scope: Scope): Raw {
  const source = `option --config: ${describeValue(path)}`;
  const refuse = (problem: string, allowed = 'a readable YAML or JSON file'): never => {
    throw new ConfigError(`${source} ${problem}; allowed: ${allowed}`);
  };
  let text: string;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) refuse('is a folder');
    if (!stat.isFile()) refuse('is not a regular file');
    if (stat.size > MAX_CONFIG_FILE_BYTES) {
      refuse(`is ${stat.size} bytes long`, `a YAML or JSON file of at most ${MAX_CONFIG_FILE_BYTES} bytes`);
    }
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    return refuse(
      code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : `cannot be read (${code ?? String(err)})`,
    );
  }
  const parsed = parseYamlData(text);
  if (!parsed.ok) return refuse(parsed.problem, parsed.allowed);
  const doc = parsed.value;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    const got = doc === null ? 'nothing' : Array.isArray(doc) ? 'a list' : describeValue(doc);
    return refuse(`holds ${got}`, 'a mapping of option names to values');
  }
  const raw: Raw = new Map();
  for (const [key, value] of Object.entries(doc)) {
    const kebab = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    // A repeatable option may be written as its plural: `thresholds:` for --threshold.
    const singular =
      kebab.endsWith('s') && SPEC_BY_NAME.get(kebab.slice(0, -1))?.repeatable ? kebab.slice(0, -1) : kebab;
    const name = SPEC_BY_NAME.has(kebab) ? kebab : singular;
    const spec = SPEC_BY_NAME.get(name);
    if (!spec || !spec.scopes.includes(scope) || name === 'config') {
      throw new ConfigError(`config file ${describeValue(path)}: unknown field ${describeValue(key)}`);
    }
    if (raw.has(name)) {
      throw new ConfigError(
        `config file ${describeValue(path)}: field ${key}: given twice (as ${name} and its plural)`,
      );
    }
    // A fault may be written as a mapping ({kind, value, start, duration}); its parser checks it.
    const isScalar = (v: unknown): v is RawValue =>
      typeof v === 'string' ||
      typeof v === 'number' ||
      typeof v === 'boolean' ||
      (spec.kind === 'fault' && v !== null && typeof v === 'object' && !Array.isArray(v));
    const list = spec.repeatable && Array.isArray(value) ? (value as unknown[]) : [value];
    const bad = list.find((v) => !isScalar(v));
    if (bad !== undefined) {
      const allowed = spec.repeatable ? `${allowedText(spec)}, or a list of them` : allowedText(spec);
      throw new ConfigError(
        `config file ${describeValue(path)}: field ${key}: got ${describeValue(bad)}; allowed: ${allowed}`,
      );
    }
    raw.set(name, spec.repeatable ? (list as RawValue[]) : (value as RawValue));
  }
  return raw;
}

/** Checks one value against its spec and returns it typed. */
export function validateValue(
  spec: OptionSpec,
  value: unknown,
  source: string,
  /** The spec whose allowed values a refusal names (a word-or-number option checks its number as an integer). */
  named: OptionSpec = spec,
): unknown {
  const fail = (): never => {
    throw new ConfigError(`${source}: got ${describeValue(value)}; allowed: ${allowedText(named)}`);
  };
  switch (spec.kind) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true') return true;
      if (value === 'false') return false;
      return fail();
    case 'string':
      if (typeof value !== 'string' || value.trim() === '' || value.length > FLAG_LIMIT) return fail();
      return spec.parse ? spec.parse(value, source) : value;
    case 'enum':
      if (typeof value !== 'string' || !spec.values!.includes(value)) return fail();
      return value;
    case 'url': {
      if (typeof value !== 'string') return fail();
      try {
        const url = new URL(value);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail();
        return url.toString();
      } catch {
        return fail();
      }
    }
    case 'fault':
      return typeof value === 'string' ? parseFaultText(value, source) : parseFaultEntry(value, source);
    case 'redis-url': {
      const address = typeof value === 'string' ? parseRedisUrl(value) : undefined;
      return address ? address.url : fail();
    }
    case 'latency-range': {
      const m = typeof value === 'string' ? /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(value) : null;
      if (!m) return fail();
      const minMs = Number(m[1]);
      const maxMs = Number(m[2]);
      if (minMs > maxMs) {
        throw new ConfigError(
          `${source}: got ${describeValue(value)}, a range given backwards; allowed: ${allowedText(spec)}`,
        );
      }
      if (minMs < spec.min! || maxMs > spec.max!) return fail();
      return { minMs, maxMs } satisfies LatencyRange;
    }
    case 'integer-or-word':
      if (typeof value === 'string' && spec.values!.includes(value.trim())) return value.trim();
      return validateValue({ ...spec, kind: 'integer' }, value, source, spec);
    case 'integer':
    case 'number': {
      const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return fail();
      const n = Number(text);
      if (!Number.isFinite(n)) return fail();
      if (spec.kind === 'integer' && !Number.isInteger(n)) return fail();
      if (spec.min !== undefined && (spec.minExclusive ? n <= spec.min : n < spec.min)) return fail();
      if (spec.max !== undefined && n > spec.max) return fail();
      return n;
    }
  }
}

function resolve(raw: Raw, fileRaw: Raw, configPath: string | undefined, scope: Scope): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const scenario = raw.get('scenario') ?? fileRaw.get('scenario');
  const preset =
    typeof scenario === 'string' && Object.hasOwn(PRESET_OPTIONS, scenario)
      ? PRESET_OPTIONS[scenario]
      : undefined;
  for (const spec of OPTION_SPECS) {
    if (!spec.scopes.includes(scope)) continue;
    if (spec.repeatable) {
      out.set(
        spec.name,
        spec.kind === 'fault'
          ? resolveRepeated(spec, raw.get(spec.name), fileRaw.get(spec.name), configPath)
          : resolveList(spec, raw, fileRaw, configPath),
      );
      continue;
    }
    if (raw.has(spec.name))
      out.set(spec.name, validateValue(spec, raw.get(spec.name) as RawValue, `option --${spec.name}`));
    else if (fileRaw.has(spec.name)) {
      const source = `config file ${describeValue(configPath)}: field ${spec.name}`;
      out.set(spec.name, validateValue(spec, fileRaw.get(spec.name) as RawValue, source));
    } else if (preset && Object.hasOwn(preset, spec.name)) {
      out.set(spec.name, validateValue(spec, preset[spec.name]!, `preset ${String(scenario)}: ${spec.name}`));
    } else if (spec.default !== undefined) {
      const d = validateValue(spec, spec.default, `default of --${spec.name}`);
      out.set(spec.name, d);
    }
  }
  return out;
}

/** A repeatable option's list: the command line's values if any, else the file's, each checked. */
function resolveRepeated(
  spec: OptionSpec,
  cli: RawValue | RawValue[] | undefined,
  file: RawValue | RawValue[] | undefined,
  configPath: string | undefined,
): unknown[] {
  if (Array.isArray(cli)) return cli.map((v) => validateValue(spec, v, `--${spec.name} ${String(v)}`));
  if (Array.isArray(file)) {
    const where = `config file ${describeValue(configPath)}: ${spec.name}s`;
    return file.map((v, i) => validateValue(spec, v, `${where}[${i}]`));
  }
  return [];
}

/** A repeatable option: the command line's values if any, else the file's, each checked; none: []. */
function resolveList(spec: OptionSpec, raw: Raw, fileRaw: Raw, configPath: string | undefined): unknown[] {
  const fromArgv = raw.get(spec.name) as RawValue[] | undefined;
  if (fromArgv) return fromArgv.map((v) => validateValue(spec, v, `option --${spec.name}`));
  const fromFile = (fileRaw.get(spec.name) as RawValue[] | undefined) ?? [];
  return fromFile.map((v, i) =>
    validateValue(spec, v, `config file ${describeValue(configPath)}: field ${spec.name}s[${i}]`),
  );
}

function common(v: Map<string, unknown>): CommonOptions {
  const seed = v.get('seed') as number | undefined;
  return {
    speed: v.get('speed') as number,
    seed: seed ?? randomSeed(),
    seedGiven: seed !== undefined,
    port: v.get('port') as number,
    host: v.get('host') as string,
    logFile: v.get('log-file') as string | undefined,
    courier: {
      rate: v.get('courier-rate') as number,
      burst: v.get('courier-burst') as number,
      failureRate: v.get('courier-failure-rate') as number,
      latency: v.get('courier-latency-ms') as LatencyRange,
      apiKey: v.get('courier-api-key') as string,
      timeoutS: v.get('courier-timeout-s') as number,
      path: normalisePath(v.get('courier-path') as string),
      capacity: v.get('courier-capacity') as number | undefined,
    },
  };
}

function normalisePath(path: string): string {
  if (!/^\/[\w\-./~]*$/.test(path)) {
    throw new ConfigError(
      `option --courier-path: got ${describeValue(path)}; allowed: a URL path such as /slow`,
    );
  }
  return path;
}

function loadRaw(argv: readonly string[], scope: Scope) {
  const { command, raw } = readArgv(argv, scope);
  const configPath = raw.get('config');
  if (configPath !== undefined)
    validateValue(SPEC_BY_NAME.get('config')!, configPath as RawValue, 'option --config');
  const fileRaw = typeof configPath === 'string' ? readConfigFile(configPath, scope) : new Map();
  return { command, values: resolve(raw, fileRaw, configPath as string | undefined, scope) };
}

export function parseCourierOptions(argv: readonly string[]): CommonOptions {
  const options = common(loadRaw(argv, 'courier').values);
  if (options.speed > THREADS_MAX_SPEED) {
    throw new ConfigError(
      `option --speed: got ${options.speed}; allowed: a number above 0 to ${THREADS_MAX_SPEED} (the courier runs on real time)`,
    );
  }
  return options;
}

export function parseLabOptions(argv: readonly string[]): LabOptions {
  const { command, values: v } = loadRaw(argv, 'lab');
  if (command !== undefined && command !== 'compare' && command !== 'run' && command !== 'sweep') {
    throw new ConfigError(
      `unknown command ${describeValue(command)}; allowed: compare, sweep (or none, for a run)`,
    );
  }
  const queueConcurrency = v.get('queue-concurrency') as number | AdaptiveLimitName;
  const options: LabOptions = {
    ...common(v),
    command: command === 'compare' || command === 'sweep' ? command : 'run',
    // compare and sweep default to the virtual engine (DESIGN section 7).
    engine:
      (v.get('engine') as EngineKind | undefined) ??
      (command === 'compare' || command === 'sweep' ? 'virtual' : 'threads'),
    scenario: v.get('scenario') as string,
    mode: v.get('mode') as Mode,
    headless: v.get('headless') as boolean,
    report: v.get('report') as string | undefined,
    drainS: v.get('drain') as number,
    courierUrl: v.get('courier-url') as string | undefined,
    functionTimeoutS: v.get('function-timeout-s') as number,
    functionMemoryMb: v.get('function-memory-mb') as number,
    coldStartMs: v.get('cold-start-ms') as number,
    envIdleS: v.get('env-idle-s') as number,
    concurrencyLimit: v.get('concurrency-limit') as number,
    asyncRetries: v.get('async-retries') as number,
    maxEventAgeS: v.get('max-event-age-s') as number,
    asyncDlq: v.get('async-dlq') as boolean,
    retryPolicy: v.get('retry-policy') as RetryPolicyName,
    retryBudgetScope: v.get('retry-budget-scope') as StateScope,
    grpcMaxTokens: v.get('grpc-max-tokens') as number,
    grpcTokenRatio: v.get('grpc-token-ratio') as number,
    retryBucketCapacity: v.get('retry-bucket-capacity') as number,
    queueConcurrency: typeof queueConcurrency === 'number' ? queueConcurrency : 10,
    queueAdaptive: typeof queueConcurrency === 'string' ? queueConcurrency : undefined,
    esmScaling: v.get('esm-scaling') as boolean,
    aimd: {
      min: v.get('aimd-min') as number,
      max: v.get('aimd-max') as number,
      backoff: v.get('aimd-backoff') as number,
      timeoutS: v.get('aimd-timeout-s') as number,
    },
    gradient: {
      minConcurrency: v.get('gradient-min-concurrency') as number,
      max: v.get('gradient-max') as number,
      buffer: v.get('gradient-buffer') as number,
      windowS: v.get('gradient-window-s') as number,
      minRttIntervalS: v.get('gradient-min-rtt-interval-s') as number,
      minRttRequests: v.get('gradient-min-rtt-requests') as number,
      percentile: v.get('gradient-percentile') as number,
    },
    breaker: {
      mode: v.get('circuit-breaker') as BreakerName,
      scope: v.get('breaker-scope') as StateScope,
      threshold: v.get('breaker-threshold') as number,
      failureRatio: v.get('breaker-failure-ratio') as number,
      windowS: v.get('breaker-window-s') as number,
      minRps: v.get('breaker-min-rps') as number,
      halfOpenS: v.get('breaker-half-open-s') as number,
    },
    visibilityTimeoutS: v.get('visibility-timeout-s') as number,
    maxReceiveCount: v.get('max-receive-count') as number | undefined,
    retentionS: v.get('retention-s') as number,
    throttleRate: v.get('throttle-rate') as number,
    throttleBurst: v.get('throttle-burst') as number,
    fps: v.get('fps') as number,
    attemptTimeoutMs: v.get('attempt-timeout-ms') as number | undefined,
    faults: v.get('fault') as FaultSpec[],
    scenarioFaults: true,
    loadFactor: v.get('load-factor') as number,
    vary: v.get('vary') as string[],
    configs: parseConfigList(v.get('configs') as string | undefined),
    thresholds: v.get('threshold') as Threshold[],
    abortOnFail: v.get('abort-on-fail') as boolean,
    metricsPort: v.get('metrics-port') as number | undefined,
    metricsLingerS: v.get('metrics-linger-s') as number,
    cluster: clusterOptionsFrom(v.get('cluster') as string | undefined, v.get('node') as string | undefined),
  };
  if (options.cluster && (options.command !== 'run' || options.engine !== 'threads')) {
    const what = options.command === 'run' ? `--engine ${options.engine}` : `the ${options.command} command`;
    throw new ConfigError(
      `option --cluster: got it with ${what}; allowed: a run on the threads engine (a cluster shares real time)`,
    );
  }
  if (options.cluster && options.queueAdaptive) {
    throw new ConfigError(
      `option --queue-concurrency: got ${options.queueAdaptive} with --cluster; allowed: a whole number (the cluster's queue has one fixed MaximumConcurrency, BullMQ's global concurrency)`,
    );
  }
  if (options.abortOnFail && options.thresholds.length === 0) {
    throw new ConfigError(
      'option --abort-on-fail: got true with no --threshold; allowed: together with at least one --threshold',
    );
  }
  if (
    options.metricsPort !== undefined &&
    options.metricsPort !== 0 &&
    options.metricsPort === options.port
  ) {
    throw new ConfigError(
      `option --metrics-port: got ${options.metricsPort}, the same port as --port; allowed: another port, or 0 to pick one`,
    );
  }
  if (options.command !== 'sweep' && options.vary.length > 0) {
    throw new ConfigError(
      `option --vary: only the sweep command takes it; allowed: npm run lab -- sweep --vary ...`,
    );
  }
  checkLabOptions(options);
  return options;
}

/** Rules between options, checked again for each sweep cell. */
export function checkLabOptions(options: LabOptions): void {
  if (options.visibilityTimeoutS < options.functionTimeoutS) {
    throw new ConfigError(
      `option --visibility-timeout-s: got ${options.visibilityTimeoutS}, below --function-timeout-s ${options.functionTimeoutS}; allowed: at least the function timeout (AWS refuses such an event source mapping)`,
    );
  }
  if (options.engine === 'threads' && options.speed > THREADS_MAX_SPEED) {
    throw new ConfigError(
      `option --speed: got ${options.speed} with --engine threads; allowed: a number above 0 to ${THREADS_MAX_SPEED} (up to ${SPEC_BY_NAME.get('speed')!.max} with --engine virtual)`,
    );
  }
  checkOrder(options.aimd.min, options.aimd.max, 'aimd-min', 'aimd-max');
  checkOrder(
    options.gradient.minConcurrency,
    options.gradient.max,
    'gradient-min-concurrency',
    'gradient-max',
  );
  const thousandths = options.grpcTokenRatio * 1000;
  if (Math.abs(thousandths - Math.round(thousandths)) > 1e-6) {
    throw new ConfigError(
      `option --grpc-token-ratio: got ${options.grpcTokenRatio}; allowed: at most three decimals (A6 keeps tokens in thousandths)`,
    );
  }
  if (options.engine === 'virtual' && options.scenario === 'external') {
    throw new ConfigError(
      `option --engine: got "virtual" with --scenario external; allowed: threads (only real sockets can serve outside load)`,
    );
  }
  if (options.engine === 'virtual' && options.courierUrl !== undefined) {
    throw new ConfigError(
      `option --engine: got "virtual" with --courier-url; allowed: threads (an outside courier runs on real time)`,
    );
  }
}

function checkOrder(low: number, high: number, lowName: string, highName: string): void {
  if (low > high) {
    throw new ConfigError(
      `option --${lowName}: got ${low}, above --${highName} ${high}; allowed: at most --${highName}`,
    );
  }
}

/** The lab's options with every default, for tests and benchmarks that set only a few. */
export function labOptionsWith(
  overrides: Omit<Partial<LabOptions>, 'courier'> & { courier?: Partial<CourierOptions> } = {},
): LabOptions {
  const base = parseLabOptions(['--seed', '1']);
  return { ...base, ...overrides, courier: { ...base.courier, ...overrides.courier } };
}

export function helpText(scope: Scope): string {
  const lines = OPTION_SPECS.filter((s) => s.scopes.includes(scope)).map((s) => {
    const def = s.repeatable ? ' (repeatable)' : s.default === undefined ? '' : ` (default ${s.default})`;
    return `  --${s.name.padEnd(22)} ${s.describe}${def}`;
  });
  return lines.join('\n');
}
