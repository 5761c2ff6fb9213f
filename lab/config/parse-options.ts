import { readFileSync, statSync } from 'node:fs';
import { ConfigError, describeValue } from './config-error.js';
import {
  allowedText,
  OPTION_SPECS,
  SPEC_BY_NAME,
  type Mode,
  type OptionSpec,
  type RetryPolicyName,
  type Scope,
} from './option-spec.js';
import { randomSeed } from '../time/random.js';
import { parseYamlData } from './yaml-data.js';
import { clusterOptionsFrom, type ClusterOptions } from '../cluster/cluster-options.js';
import { parseRedisUrl } from '../cluster/redis-url.js';
import type { EngineKind } from '../run/engine.js';

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
  command: 'run' | 'compare';
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
  queueConcurrency: number;
  visibilityTimeoutS: number;
  maxReceiveCount: number | undefined;
  retentionS: number;
  throttleRate: number;
  throttleBurst: number;
  fps: number;
  /** Set with --cluster and --node: this process is one node of a cluster that acts as one account. */
  cluster: ClusterOptions | undefined;
}

type Raw = Map<string, string | number | boolean>;

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
    if (raw.has(name)) throw new ConfigError(`option --${name} given twice`);
    if (eq !== -1) {
      raw.set(name, arg.slice(eq + 1));
    } else if (spec.kind === 'boolean') {
      const next = argv[i + 1];
      if (next === 'true' || next === 'false') {
        raw.set(name, next);
        i++;
      } else raw.set(name, true);
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && SPEC_BY_NAME.has(next.slice(2).split('=')[0]!))) {
        throw new ConfigError(`option --${name}: no value given; allowed: ${allowedText(spec)}`);
      }
      raw.set(name, next);
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
    const name = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const spec = SPEC_BY_NAME.get(name);
    if (!spec || !spec.scopes.includes(scope) || name === 'config') {
      throw new ConfigError(`config file ${describeValue(path)}: unknown field ${describeValue(key)}`);
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ConfigError(
        `config file ${describeValue(path)}: field ${key}: got ${describeValue(value)}; allowed: ${allowedText(spec)}`,
      );
    }
    raw.set(name, value);
  }
  return raw;
}

/** Checks one value against its spec and returns it typed. */
export function validateValue(spec: OptionSpec, value: string | number | boolean, source: string): unknown {
  const fail = (): never => {
    throw new ConfigError(`${source}: got ${describeValue(value)}; allowed: ${allowedText(spec)}`);
  };
  switch (spec.kind) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true') return true;
      if (value === 'false') return false;
      return fail();
    case 'string':
      if (typeof value !== 'string' || value.trim() === '' || value.length > FLAG_LIMIT) return fail();
      return value;
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
  for (const spec of OPTION_SPECS) {
    if (!spec.scopes.includes(scope)) continue;
    if (raw.has(spec.name))
      out.set(spec.name, validateValue(spec, raw.get(spec.name)!, `option --${spec.name}`));
    else if (fileRaw.has(spec.name)) {
      const source = `config file ${describeValue(configPath)}: field ${spec.name}`;
      out.set(spec.name, validateValue(spec, fileRaw.get(spec.name)!, source));
    } else if (spec.default !== undefined) {
      const d = validateValue(spec, spec.default, `default of --${spec.name}`);
      out.set(spec.name, d);
    }
  }
  return out;
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
  if (configPath !== undefined) validateValue(SPEC_BY_NAME.get('config')!, configPath, 'option --config');
  const fileRaw = typeof configPath === 'string' ? readConfigFile(configPath, scope) : new Map();
  return { command, values: resolve(raw, fileRaw, configPath as string | undefined, scope) };
}

export function parseCourierOptions(argv: readonly string[]): CommonOptions {
  return common(loadRaw(argv, 'courier').values);
}

export function parseLabOptions(argv: readonly string[]): LabOptions {
  const { command, values: v } = loadRaw(argv, 'lab');
  if (command !== undefined && command !== 'compare' && command !== 'run') {
    throw new ConfigError(`unknown command ${describeValue(command)}; allowed: compare (or none, for a run)`);
  }
  const options: LabOptions = {
    ...common(v),
    command: command === 'compare' ? 'compare' : 'run',
    engine: (v.get('engine') as EngineKind | undefined) ?? (command === 'compare' ? 'virtual' : 'threads'),
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
    queueConcurrency: v.get('queue-concurrency') as number,
    visibilityTimeoutS: v.get('visibility-timeout-s') as number,
    maxReceiveCount: v.get('max-receive-count') as number | undefined,
    retentionS: v.get('retention-s') as number,
    throttleRate: v.get('throttle-rate') as number,
    throttleBurst: v.get('throttle-burst') as number,
    fps: v.get('fps') as number,
    cluster: clusterOptionsFrom(v.get('cluster') as string | undefined, v.get('node') as string | undefined),
  };
  if (options.cluster && (options.command !== 'run' || options.engine !== 'threads')) {
    throw new ConfigError(
      `option --cluster: got it with ${options.command === 'run' ? `--engine ${options.engine}` : 'compare'}; allowed: a run on the threads engine (a cluster shares real time)`,
    );
  }
  if (options.visibilityTimeoutS < options.functionTimeoutS) {
    throw new ConfigError(
      `option --visibility-timeout-s: got ${options.visibilityTimeoutS}, below --function-timeout-s ${options.functionTimeoutS}; allowed: at least the function timeout (AWS refuses such an event source mapping)`,
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
  return options;
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
    const def = s.default === undefined ? '' : ` (default ${s.default})`;
    return `  --${s.name.padEnd(22)} ${s.describe}${def}`;
  });
  return lines.join('\n');
}
