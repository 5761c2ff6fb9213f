/** Bad input: the message names the option or field, the value and what is allowed. Exit code 2. */
export class ConfigError extends Error {
  readonly code = 'ERR_STORMLAB_CONFIG';
  readonly exitCode = 2;
  override name = 'ConfigError';
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'nothing';
  return JSON.stringify(value) ?? String(value);
}
