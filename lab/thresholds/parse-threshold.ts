import { ConfigError, describeValue } from '../config/config-error.js';
import { allowedFieldsText, FIELD_BY_NAME } from './threshold-fields.js';

export const THRESHOLD_OPS = ['==', '!=', '<', '<=', '>', '>='] as const;
export type ThresholdOp = (typeof THRESHOLD_OPS)[number];

/** One `--threshold FIELD OP NUMBER`, checked against the known fields. */
export interface Threshold {
  /** As the summary and the report show it: `orders.lost == 0`. */
  expr: string;
  field: string;
  op: ThresholdOp;
  limit: number;
}

/** Longest operators first, so `<=` is not read as `<` followed by `=5`. A lone `=` is caught to say why. */
const SPLIT = /^(.*?)(==|!=|<=|>=|<|>|=)(.*)$/s;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function thresholdAllowedText(): string {
  return `FIELD OP NUMBER, OP one of ${THRESHOLD_OPS.join(' ')}, FIELD one of ${allowedFieldsText()}`;
}

/**
 * Parses one expression; a bad one throws a ConfigError naming the expression (as `source` received it),
 * what is wrong and what is allowed.
 */
export function parseThreshold(text: string, source = 'option --threshold'): Threshold {
  const refuse = (problem: string): never => {
    throw new ConfigError(
      `${source}: got ${describeValue(text)}, ${problem}; allowed: ${thresholdAllowedText()}`,
    );
  };
  const m = SPLIT.exec(text);
  if (!m) return refuse('which has no comparison');
  const field = m[1]!.trim();
  const op = m[2]!;
  const limitText = m[3]!.trim();
  if (op === '=') return refuse('which compares with a single = (write ==)');
  if (field === '') return refuse(`which has no field before ${op}`);
  if (!FIELD_BY_NAME.has(field)) return refuse(`whose field ${describeValue(field)} is not known`);
  if (limitText === '') return refuse(`which has no number after ${op}`);
  const limit = Number(limitText);
  if (!NUMBER.test(limitText) || !Number.isFinite(limit)) {
    return refuse(`whose limit ${describeValue(limitText)} is not a number`);
  }
  return { expr: `${field} ${op} ${limitText}`, field, op: op as ThresholdOp, limit };
}

/** True when `value OP limit` holds. */
export function holds(value: number, op: ThresholdOp, limit: number): boolean {
  switch (op) {
    case '==':
      return value === limit;
    case '!=':
      return value !== limit;
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
  }
}
