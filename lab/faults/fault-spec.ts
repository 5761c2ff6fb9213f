/**
 * A fault: one change to the courier or the load, on for a window of scenario time (DESIGN section 8).
 * Written `KIND=VALUE@START+DURATION` on the command line (`--fault courier-latency=5000-9000@600+120`), or
 * `{kind, value, start, duration}` in a scenario or config file's `faults:` list. START and DURATION are
 * scenario seconds. Every part is checked where it enters, and a message names the part that is wrong.
 */
import { ConfigError, describeValue } from '../config/config-error.js';

export const FAULT_KINDS = [
  'courier-outage',
  'courier-latency',
  'courier-failure-rate',
  'courier-rate',
  'load',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The value a fault sets, typed by kind. */
export type FaultValue =
  | { kind: 'courier-outage' }
  | { kind: 'courier-latency'; minMs: number; maxMs: number }
  | { kind: 'courier-failure-rate'; rate: number }
  /** The usage plan's rate only: its burst (bucket capacity) stays as configured, as a plan edit of the rate. */
  | { kind: 'courier-rate'; rate: number }
  | { kind: 'load'; factor: number };

/** One fault as the report lists it (`faults`), plus its parsed value. */
export interface FaultSpec {
  kind: FaultKind;
  /** As typed, e.g. "5000-9000", "0.5", "3" ("1" for an outage given without a value). */
  value: string;
  startS: number;
  durationS: number;
  parsed: FaultValue;
}

/** One week, as the longest load phase: a later or longer window is surely a typo. */
export const MAX_FAULT_SECONDS = 604_800;
export const MAX_LATENCY_MS = 3_600_000;
export const MAX_COURIER_RATE = 100_000;
export const MAX_LOAD_FACTOR = 100;

export const FAULT_FORM = 'KIND=VALUE@START+DURATION (seconds), e.g. courier-latency=5000-9000@600+120';

const VALUE_ALLOWED: Record<FaultKind, string> = {
  'courier-outage': '1 or nothing (courier-outage@START+DURATION)',
  'courier-latency': `MIN-MAX with MIN <= MAX, whole milliseconds up to ${MAX_LATENCY_MS}`,
  'courier-failure-rate': 'a number from 0 to 1',
  'courier-rate': `a number of requests per second above 0, at most ${MAX_COURIER_RATE}`,
  load: `a multiplier of the scenario's arrival rate, from 0 to ${MAX_LOAD_FACTOR}`,
};

function isKind(text: string): text is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(text);
}

function numberText(text: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses one kind's value; `where` starts every message ("--fault X" or "faults[0]"). */
export function parseFaultValue(kind: FaultKind, value: string, where: string): FaultValue {
  const refuse = (what: string): never => {
    throw new ConfigError(`${where}: ${what}; allowed ${VALUE_ALLOWED[kind]}`);
  };
  const text = value.trim();
  switch (kind) {
    case 'courier-outage':
      if (text !== '' && text !== '1') refuse(`outage value ${describeValue(value)} means nothing`);
      return { kind };
    case 'courier-latency': {
      const m = /^(\d+)\s*-\s*(\d+)$/.exec(text);
      if (!m) return refuse(`latency ${describeValue(value)} is not a range`);
      const minMs = Number(m[1]);
      const maxMs = Number(m[2]);
      if (minMs > maxMs) refuse(`latency range ${text} is backwards`);
      if (maxMs > MAX_LATENCY_MS) refuse(`latency range ${text} is too long`);
      return { kind, minMs, maxMs };
    }
    case 'courier-failure-rate': {
      const rate = numberText(text);
      if (rate === undefined || rate < 0 || rate > 1) refuse(`failure rate ${describeValue(value)}`);
      return { kind, rate: rate! };
    }
    case 'courier-rate': {
      const rate = numberText(text);
      if (rate === undefined || rate <= 0 || rate > MAX_COURIER_RATE) refuse(`rate ${describeValue(value)}`);
      return { kind, rate: rate! };
    }
    case 'load': {
      const factor = numberText(text);
      if (factor === undefined || factor < 0 || factor > MAX_LOAD_FACTOR) {
        refuse(`load factor ${describeValue(value)}`);
      }
      return { kind, factor: factor! };
    }
  }
}

function parseSeconds(text: string, part: 'start' | 'duration', where: string): number {
  const n = numberText(text.trim());
  const low = part === 'start' ? n !== undefined && n >= 0 : n !== undefined && n > 0;
  if (!low || n! > MAX_FAULT_SECONDS) {
    const allowed =
      part === 'start'
        ? `scenario seconds from 0 to ${MAX_FAULT_SECONDS}`
        : `scenario seconds above 0, at most ${MAX_FAULT_SECONDS}`;
    throw new ConfigError(`${where}: ${part} ${describeValue(text)} is not a time; allowed ${allowed}`);
  }
  return n!;
}

function refuseKind(kind: string, where: string): never {
  throw new ConfigError(
    `${where}: unknown fault kind ${describeValue(kind)}; allowed one of ${FAULT_KINDS.join(', ')}`,
  );
}

/** `KIND=VALUE@START+DURATION` (an outage may leave out `=VALUE`). */
export function parseFaultText(text: string, where = `--fault ${text}`): FaultSpec {
  const m = /^\s*([a-z-]+)\s*(?:=([^@]*))?@([^+]*)\+(.*)$/.exec(text);
  if (!m) {
    throw new ConfigError(`${where}: not a fault; allowed ${FAULT_FORM}`);
  }
  const kind = m[1]!;
  if (!isKind(kind)) return refuseKind(kind, where);
  if (m[2] === undefined && kind !== 'courier-outage') {
    throw new ConfigError(`${where}: ${kind} needs a value; allowed ${FAULT_FORM}`);
  }
  const value = (m[2] ?? '1').trim();
  return {
    kind,
    value,
    parsed: parseFaultValue(kind, value, where),
    startS: parseSeconds(m[3]!, 'start', where),
    durationS: parseSeconds(m[4]!, 'duration', where),
  };
}

const FIELDS = new Set(['kind', 'value', 'start', 'duration']);

/** One entry of a file's `faults:` list: a mapping {kind, value, start, duration}, or the CLI text. */
export function parseFaultEntry(entry: unknown, where: string): FaultSpec {
  if (typeof entry === 'string') return parseFaultText(entry, `${where} ${describeValue(entry)}`);
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new ConfigError(
      `${where}: got ${describeValue(entry)}; allowed a mapping {kind, value, start, duration} or ${FAULT_FORM}`,
    );
  }
  const fields = entry as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!FIELDS.has(key)) {
      throw new ConfigError(
        `${where}: unknown field ${describeValue(key)}; allowed kind, value, start, duration`,
      );
    }
  }
  const kind = fields['kind'];
  if (typeof kind !== 'string') return refuseKind(String(kind), where);
  if (!isKind(kind)) return refuseKind(kind, where);
  const scalar = (name: string, required: boolean): string => {
    const v = fields[name];
    if (v === undefined && !required) return '';
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw new ConfigError(`${where}: field ${name}: got ${describeValue(v)}; allowed ${FAULT_FORM}`);
    }
    return String(v);
  };
  const value = scalar('value', kind !== 'courier-outage').trim() || '1';
  return {
    kind,
    value,
    parsed: parseFaultValue(kind, value, `${where} value`),
    startS: parseSeconds(scalar('start', true), 'start', where),
    durationS: parseSeconds(scalar('duration', true), 'duration', where),
  };
}

/** A file's `faults:` value: a list of entries. */
export function parseFaultList(list: unknown, where: string): FaultSpec[] {
  if (!Array.isArray(list)) {
    throw new ConfigError(
      `${where}: got ${describeValue(list)}; allowed a list of {kind, value, start, duration}`,
    );
  }
  return list.map((entry, i) => parseFaultEntry(entry, `${where}[${i}]`));
}

/** The report's view of a fault: `{kind, value, startS, durationS}`. */
export function faultRecord(f: FaultSpec): {
  kind: FaultKind;
  value: string;
  startS: number;
  durationS: number;
} {
  return { kind: f.kind, value: f.value, startS: f.startS, durationS: f.durationS };
}

/** The CLI text of a fault, for logs and the dashboard. */
export function faultText(f: Pick<FaultSpec, 'kind' | 'value' | 'startS' | 'durationS'>): string {
  const value = f.kind === 'courier-outage' ? '' : `=${f.value}`;
  return `${f.kind}${value}@${f.startS}+${f.durationS}`;
}
