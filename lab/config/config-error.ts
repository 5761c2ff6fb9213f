/** Bad input: the message names the option or field, the value and what is allowed. Exit code 2. */
export class ConfigError extends Error {
  readonly code = 'ERR_STORMLAB_CONFIG';
  readonly exitCode = 2;
  override name = 'ConfigError';
}

/** Characters of a value quoted in a message; a longer one is cut, so the message stays one short line. */
export const MAX_QUOTED_CHARS = 120;

/** A value as a message quotes it: JSON (one line, escapes visible), cut at MAX_QUOTED_CHARS with its length. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  // Numbers as written: JSON would show Infinity and NaN (a YAML `.inf`, `1e400`) as null.
  const text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  if (text.length <= MAX_QUOTED_CHARS) return text;
  const length =
    typeof value === 'string' ? `${value.length} characters` : `${text.length} characters of JSON`;
  return `${text.slice(0, MAX_QUOTED_CHARS - 20)}... (${length})`;
}
