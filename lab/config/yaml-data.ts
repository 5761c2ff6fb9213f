/**
 * YAML (or JSON) text to plain data, and nothing else: the `core` schema, no tags beyond its own (`!!str`,
 * `!!int`...), one document, unique keys, few aliases. A tag such as `!!js/function` is refused with its line and column instead of
 * being resolved (or warned about on stderr by the yaml package). Used by the `--config` reader.
 */
import { createRequire } from 'node:module';
import type { YAMLError } from 'yaml';

/** Loaded for the first `--config` file: most runs have none, and start-up counts for short runs. */
let yaml: typeof import('yaml') | undefined;

/** Aliases a document may expand: enough for any real file, far too few for a "billion laughs". */
const MAX_ALIAS_COUNT = 100;

export type YamlDataResult = { ok: true; value: unknown } | { ok: false; problem: string; allowed: string };

export function parseYamlData(text: string): YamlDataResult {
  // resolveKnownTags: false, or the core schema would still build a Buffer, Set, Map or Date for an explicit
  // !!binary, !!set, !!omap, !!pairs or !!timestamp.
  yaml ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const doc = yaml.parseDocument(text, {
    schema: 'core',
    customTags: [],
    resolveKnownTags: false,
    uniqueKeys: true,
  });
  const error = doc.errors[0];
  if (error) {
    return {
      ok: false,
      problem: `is not valid YAML or JSON${lineAndColumn(error)}: ${plainMessage(error)}`,
      allowed: 'a YAML or JSON file',
    };
  }
  const tagged = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (tagged) {
    return {
      ok: false,
      problem: `uses a YAML tag${lineAndColumn(tagged)}: ${plainMessage(tagged)}`,
      allowed: 'plain YAML data, without tags',
    };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (err) {
    // The library refuses an over-long alias expansion with a ReferenceError.
    return {
      ok: false,
      problem: `cannot be expanded: ${(err as Error).message}`,
      allowed: `a YAML file with at most ${MAX_ALIAS_COUNT} aliases`,
    };
  }
}

function lineAndColumn(error: YAMLError): string {
  const pos = error.linePos?.[0];
  return pos ? ` at line ${pos.line}, column ${pos.col}` : '';
}

/** The library's first line, without the position it appends (we give our own) and the trailing colon. */
function plainMessage(error: YAMLError): string {
  if (error.code === 'MULTIPLE_DOCS') return 'holds more than one document (a --- line starts another)';
  const first = error.message.split('\n')[0] ?? error.message;
  return first.replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
}
