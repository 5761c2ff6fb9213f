/**
 * The grid of a sweep: `--vary NAME=FROM:TO:STEP` or `--vary NAME=A,B,C`, once or twice, over
 *   - any numeric or categorical option of a run, by its name without dashes (`courier-rate`, `mode`,
 *     `retry-policy`, `seed`), each value checked by the option's own rule;
 *   - `load`: the load factor (`--load-factor`);
 *   - `fault.N.value`, `fault.N.start`, `fault.N.duration`: the N-th fault of the run (1-based: the
 *     scenario's own faults first, then `--fault`), each value checked as that fault would be.
 * Every problem is found before any cell runs, and named with the `--vary` text it came from.
 */
import { ConfigError, describeValue } from '../config/config-error.js';
import { SPEC_BY_NAME, allowedText, type OptionSpec } from '../config/option-spec.js';
import { checkLabOptions, validateValue, type LabOptions } from '../config/parse-options.js';
import { faultText, parseFaultText, type FaultSpec } from '../faults/fault-spec.js';
import type { SweepAxis } from './sweep-file.js';

export const MAX_AXES = 2;
export const MAX_CELLS = 10_000;
/** Options that say where and how a run shows, not what it does: varying them means nothing. */
const NOT_AXES = new Set([
  'config',
  'scenario',
  'headless',
  'report',
  'port',
  'host',
  'log-file',
  'courier-api-key',
  'courier-path',
  'courier-url',
  'fps',
  'fault',
  'vary',
]);
const FAULT_AXIS = /^fault\.(\d+)\.(value|start|duration)$/;
const NAME_ALLOWED =
  'an option name such as courier-rate or mode, load, or fault.N.value, fault.N.start, fault.N.duration';

/** Where an option's value lives in LabOptions, when not at its camelCase name. */
const FIELD_OF: Record<string, string> = {
  'courier-rate': 'courier.rate',
  'courier-burst': 'courier.burst',
  'courier-failure-rate': 'courier.failureRate',
  'courier-latency-ms': 'courier.latency',
  'courier-timeout-s': 'courier.timeoutS',
  'courier-capacity': 'courier.capacity',
  drain: 'drainS',
};

export function fieldOf(optionName: string): string {
  return FIELD_OF[optionName] ?? optionName.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export interface GridAxis extends SweepAxis {
  /** Sets this axis' value (by index) on a cell's options. */
  apply(options: LabOptions, index: number): void;
}

export interface GridCell {
  index: number[];
  at: Record<string, number | string>;
  options: LabOptions;
}

export interface Grid {
  axes: GridAxis[];
  cells: GridCell[];
}

/** Splits the value part: a FROM:TO:STEP range of numbers, or a comma list. */
function valueTexts(text: string, name: string, numeric: boolean): string[] {
  const where = `--vary ${text}`;
  const body = text.slice(name.length + 1);
  if (body.includes(':')) {
    const parts = body.split(':').map((p) => p.trim());
    const nums = parts.map(Number);
    if (parts.length !== 3 || parts.some((p) => p === '') || nums.some((n) => !Number.isFinite(n))) {
      throw new ConfigError(
        `${where}: range ${describeValue(body)} is not FROM:TO:STEP; allowed three numbers`,
      );
    }
    if (!numeric) {
      throw new ConfigError(`${where}: ${name} is not numeric; allowed a list of values, A,B,C`);
    }
    const [from, to, step] = nums as [number, number, number];
    if (!(step > 0))
      throw new ConfigError(`${where}: step ${parts[2]} is not above 0; allowed FROM:TO:STEP with STEP > 0`);
    if (from > to)
      throw new ConfigError(`${where}: range ${body} is backwards; allowed FROM:TO:STEP with FROM <= TO`);
    const count = Math.floor((to - from) / step + 1e-9) + 1;
    if (count > MAX_CELLS) throw new ConfigError(`${where}: ${count} values; allowed at most ${MAX_CELLS}`);
    // Rounded so 0.1 steps give 0.3, not 0.30000000000000004.
    return Array.from({ length: count }, (_, i) => String(Number((from + i * step).toPrecision(12))));
  }
  const list = body.split(',').map((v) => v.trim());
  if (list.some((v) => v === '')) {
    throw new ConfigError(
      `${where}: an empty value in ${describeValue(body)}; allowed FROM:TO:STEP or A,B,C`,
    );
  }
  if (new Set(list).size !== list.length) {
    throw new ConfigError(`${where}: a value given twice in ${describeValue(body)}; allowed distinct values`);
  }
  return list;
}

function setField(options: LabOptions, path: string, value: unknown): void {
  const keys = path.split('.');
  let target = options as unknown as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[keys.at(-1)!] = value;
}

function optionAxis(text: string, name: string, spec: OptionSpec): GridAxis {
  const numeric = spec.kind === 'number' || spec.kind === 'integer';
  const texts = valueTexts(text, name, numeric);
  const typed = texts.map((v) => validateValue(spec, v, `--vary ${text}: value ${v}`));
  const field = fieldOf(spec.name);
  return {
    name,
    values: texts.map((v, i) => (numeric ? (typed[i] as number) : v)),
    apply: (options, i) => {
      // A latency range is an object: each cell gets its own copy.
      const v = typed[i];
      setField(options, field, typeof v === 'object' && v !== null ? { ...v } : v);
      if (spec.name === 'seed') options.seedGiven = true;
    },
  };
}

function faultAxis(text: string, name: string, faults: readonly FaultSpec[]): GridAxis {
  const m = FAULT_AXIS.exec(name)!;
  const n = Number(m[1]);
  const part = m[2] as 'value' | 'start' | 'duration';
  const base = faults[n - 1];
  if (!base) {
    const have =
      faults.length === 0
        ? 'the run has no fault'
        : `the run has ${faults.length}: ${faults.map(faultText).join(', ')}`;
    throw new ConfigError(`--vary ${text}: no fault ${n}; ${have}`);
  }
  const numeric = part !== 'value' || !['courier-latency', 'courier-outage'].includes(base.kind);
  const texts = valueTexts(text, name, numeric);
  const specs = texts.map((v) => {
    const value = part === 'value' ? v : base.value;
    const start = part === 'start' ? v : String(base.startS);
    const duration = part === 'duration' ? v : String(base.durationS);
    return parseFaultText(`${base.kind}=${value}@${start}+${duration}`, `--vary ${text}: value ${v}`);
  });
  return {
    name,
    values: texts.map((v) => (numeric ? Number(v) : v)),
    apply: (options, i) => {
      const list = [...options.faults];
      list[n - 1] = specs[i]!;
      options.faults = list;
    },
  };
}

/**
 * Builds every cell's options from the base options and the `--vary` texts. `runFaults` is the run's
 * fault list (scenario then options); a cell that varies a fault carries the whole list in its options.
 */
export function buildGrid(
  base: LabOptions,
  varyTexts: readonly string[],
  runFaults: readonly FaultSpec[],
): Grid {
  if (varyTexts.length === 0 || varyTexts.length > MAX_AXES) {
    throw new ConfigError(
      `option --vary: given ${varyTexts.length} times; allowed once or twice (a sweep has one or two axes)`,
    );
  }
  const axes = varyTexts.map((text) => {
    const eq = text.indexOf('=');
    const name = eq === -1 ? text : text.slice(0, eq).trim();
    if (eq === -1)
      throw new ConfigError(`--vary ${text}: no values; allowed NAME=FROM:TO:STEP or NAME=A,B,C`);
    if (FAULT_AXIS.test(name)) return faultAxis(text, name, runFaults);
    const spec = SPEC_BY_NAME.get(name === 'load' ? 'load-factor' : name);
    if (!spec || !spec.scopes.includes('lab') || NOT_AXES.has(spec.name)) {
      throw new ConfigError(
        `--vary ${text}: ${describeValue(name)} cannot be varied; allowed ${NAME_ALLOWED}`,
      );
    }
    if (spec.kind === 'string' || spec.kind === 'url') {
      throw new ConfigError(`--vary ${text}: ${name} takes ${allowedText(spec)}; allowed ${NAME_ALLOWED}`);
    }
    return optionAxis(text, name, spec);
  });
  if (axes.length === 2 && axes[0]!.name === axes[1]!.name) {
    throw new ConfigError(`option --vary: axis ${axes[0]!.name} given twice; allowed two different axes`);
  }
  const total = axes.reduce((n, a) => n * a.values.length, 1);
  if (total > MAX_CELLS) {
    throw new ConfigError(`option --vary: ${total} cells; allowed at most ${MAX_CELLS}`);
  }
  const variesFault = axes.some((a) => FAULT_AXIS.test(a.name));
  const cells: GridCell[] = [];
  const indices =
    axes.length === 1
      ? axes[0]!.values.map((_, i) => [i])
      : cross(axes[0]!.values.length, axes[1]!.values.length);
  for (const index of indices) {
    const options: LabOptions = {
      ...base,
      courier: { ...base.courier, latency: { ...base.courier.latency } },
      faults: variesFault ? [...runFaults] : [...base.faults],
      scenarioFaults: !variesFault && base.scenarioFaults,
      command: 'run',
      headless: true,
      vary: [],
    };
    const at: Record<string, number | string> = {};
    axes.forEach((axis, a) => {
      axis.apply(options, index[a]!);
      at[axis.name] = axis.values[index[a]!]!;
    });
    try {
      checkLabOptions(options);
    } catch (err) {
      if (err instanceof ConfigError) {
        throw new ConfigError(
          `sweep cell ${Object.entries(at)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}: ${err.message}`,
        );
      }
      throw err;
    }
    cells.push({ index, at, options });
  }
  return { axes, cells };
}

function cross(a: number, b: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out.push([i, j]);
  return out;
}
