/**
 * Artillery-style load phases and their validation. A phase is one of:
 *   - `duration` + `arrivalRate`            a constant rate (arrivals per scenario second)
 *   - `duration` + `arrivalRate` + `rampTo`  a linear ramp from `arrivalRate` to `rampTo`
 *   - `duration` + `arrivalCount`           that many arrivals spread evenly over `duration`
 *   - `pause`                               no arrivals for that long
 * Durations are scenario seconds; Artillery's strings such as "10s", "2m", "1h" are accepted and stored as
 * numbers of seconds.
 */
import { ConfigError, describeValue } from '../config/config-error.js';

export interface Phase {
  /** Scenario seconds; absent on a pause. */
  duration?: number;
  /** Arrivals per scenario second at the start of the phase. */
  arrivalRate?: number;
  /** Arrivals per scenario second at the end of the phase (a linear ramp from `arrivalRate`). */
  rampTo?: number;
  /** Arrivals spread evenly over `duration`. */
  arrivalCount?: number;
  /** Scenario seconds without arrivals; a pause phase has no other field but `name`. */
  pause?: number;
  name?: string;
}

/** One week: longer phases are surely a typo (and would never finish in a lab run). */
export const MAX_PHASE_SECONDS = 604_800;
/** Arrivals per scenario second; the load goes to loopback only, and stays bounded. */
export const MAX_ARRIVAL_RATE = 10_000;
export const MAX_ARRIVAL_COUNT = 10_000_000;
export const MAX_PHASES = 1000;

const DURATION_ALLOWED = `a number of seconds above 0 (at most ${MAX_PHASE_SECONDS}), or a string such as "10s", "2m" or "1h"`;
const RATE_ALLOWED = `a number of arrivals per second from 0 to ${MAX_ARRIVAL_RATE}`;
const COUNT_ALLOWED = `a whole number from 0 to ${MAX_ARRIVAL_COUNT}`;
const SHAPE_ALLOWED =
  'duration with arrivalRate (and optionally rampTo) or with arrivalCount, or pause alone';
const KNOWN_FIELDS = new Set(['duration', 'arrivalRate', 'rampTo', 'arrivalCount', 'pause', 'name']);

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** "90", "10s", "2m", "1.5h" -> seconds; undefined when the text is not such a duration. */
export function parseDurationText(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * UNIT_SECONDS[m[2] || 's']!;
}

/** Scenario seconds a validated phase lasts. */
export function phaseSeconds(phase: Phase): number {
  return phase.pause ?? phase.duration ?? 0;
}

/** Scenario seconds all phases last together. */
export function scenarioSeconds(phases: readonly Phase[]): number {
  return phases.reduce((sum, p) => sum + phaseSeconds(p), 0);
}

/**
 * Checks a list of phases as read from a file and returns them typed, durations in seconds.
 * `source` starts every message (for example `--scenario "load.yml"`); `path` names the list in it.
 */
export function validatePhases(raw: unknown, source: string, path = 'config.phases'): Phase[] {
  if (!Array.isArray(raw)) {
    throw new ConfigError(`${source}: ${path}: got ${describeShort(raw)}; allowed: a list of phases`);
  }
  if (raw.length === 0) throw new ConfigError(`${source}: ${path} is empty; allowed: at least one phase`);
  if (raw.length > MAX_PHASES) {
    throw new ConfigError(`${source}: ${path} has ${raw.length} phases; allowed: at most ${MAX_PHASES}`);
  }
  return raw.map((item, i) => validatePhase(item, source, `${path}[${i}]`));
}

/** Checks one phase; `where` names it in messages, as `config.phases[2]`. */
export function validatePhase(raw: unknown, source: string, where: string): Phase {
  const fail = (field: string | undefined, value: unknown, allowed: string): never => {
    const at = field === undefined ? where : `${where}.${field}`;
    throw new ConfigError(`${source}: ${at}: got ${describeShort(value)}; allowed: ${allowed}`);
  };
  const shape = (problem: string): never => {
    throw new ConfigError(`${source}: ${where}: ${problem}; allowed: ${SHAPE_ALLOWED}`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return fail(undefined, raw, `a mapping such as {duration: 60, arrivalRate: 2}`);
  }
  const fields = raw as Record<string, unknown>;
  const has = (key: string): boolean => fields[key] !== undefined && fields[key] !== null;
  const phase: Phase = {};

  if (has('name')) {
    const name = fields.name;
    if (typeof name === 'string') phase.name = name;
    else if (typeof name === 'number') phase.name = String(name);
    else fail('name', name, 'a string');
  }

  const seconds = (field: 'duration' | 'pause'): number => {
    const value = fields[field];
    const s =
      typeof value === 'number' ? value : typeof value === 'string' ? parseDurationText(value) : undefined;
    if (s === undefined || !Number.isFinite(s) || s <= 0 || s > MAX_PHASE_SECONDS) {
      return fail(field, value, DURATION_ALLOWED);
    }
    return s;
  };
  const rate = (field: 'arrivalRate' | 'rampTo'): number => {
    const value = fields[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_ARRIVAL_RATE) {
      return fail(field, value, RATE_ALLOWED);
    }
    return value;
  };

  if (has('pause')) {
    const others = ['duration', 'arrivalRate', 'rampTo', 'arrivalCount'].filter(has);
    if (others.length > 0) shape(`pause cannot be combined with ${others.join(', ')}`);
    phase.pause = seconds('pause');
    return phase;
  }
  const hasRate = has('arrivalRate');
  const hasCount = has('arrivalCount');
  if (hasRate && hasCount) shape('has both arrivalRate and arrivalCount');
  if (!hasRate && !hasCount) {
    if (has('rampTo')) shape('has rampTo but no arrivalRate, the rate it ramps from');
    const unknown = Object.keys(fields).filter((k) => !KNOWN_FIELDS.has(k));
    const hint = unknown.length > 0 ? ` (unknown fields: ${unknown.join(', ')})` : '';
    shape(`has neither arrivalRate, arrivalCount nor pause${hint}`);
  }
  if (!has('duration')) shape(`has ${hasRate ? 'arrivalRate' : 'arrivalCount'} but no duration`);
  phase.duration = seconds('duration');
  if (hasRate) {
    phase.arrivalRate = rate('arrivalRate');
    if (has('rampTo')) phase.rampTo = rate('rampTo');
  } else {
    if (has('rampTo')) shape('rampTo cannot be combined with arrivalCount');
    const value = fields.arrivalCount;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_ARRIVAL_COUNT) {
      return fail('arrivalCount', value, COUNT_ALLOWED);
    }
    phase.arrivalCount = value;
  }
  return phase;
}

/** A value for an error message, cut short so a huge mapping does not flood the terminal. */
function describeShort(value: unknown): string {
  const text = describeValue(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
