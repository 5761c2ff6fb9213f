/**
 * Reads the load phases out of an Artillery test file (YAML or JSON): `config.phases`, nothing else. The
 * rest of the file (target, scenarios, plugins) is ignored: the lab always sends to its own ingress.
 * Parsed with the `core` schema and no custom tags, so a file can hold data only, never code.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseDocument, type YAMLError } from 'yaml';
import { ConfigError, describeValue } from '../config/config-error.js';
import { validatePhases, type Phase } from './phases.js';

/** An Artillery file is a few hundred bytes; anything past this is not one. */
export const MAX_ARTILLERY_FILE_BYTES = 1024 * 1024;

const PRESET_HINT = 'a preset (seed-article, seed-repo, smoke, external) or an Artillery YAML file';

export function readArtilleryPhases(path: string): Phase[] {
  const source = `--scenario ${describeValue(path)}`;
  const refuse = (problem: string, allowed: string): never => {
    throw new ConfigError(`${source}: ${problem}; allowed: ${allowed}`);
  };
  let text: string;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) refuse('is a folder', 'an Artillery YAML file');
    if (!stat.isFile()) refuse('is not a regular file', 'an Artillery YAML file');
    if (stat.size > MAX_ARTILLERY_FILE_BYTES) {
      refuse(
        `is ${stat.size} bytes long`,
        `an Artillery YAML file of at most ${MAX_ARTILLERY_FILE_BYTES} bytes`,
      );
    }
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return refuse('not a preset and no such file', PRESET_HINT);
    return refuse(`cannot be read (${code ?? String(err)})`, 'a readable Artillery YAML file');
  }

  // One document only; `uniqueKeys` keeps a duplicated key from silently overriding the first.
  const doc = parseDocument(text, { schema: 'core', customTags: [], uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    return refuse(`not valid YAML${lineAndColumn(error)}: ${plainMessage(error)}`, 'an Artillery YAML file');
  }
  const tagged = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (tagged) {
    return refuse(
      `uses a YAML tag${lineAndColumn(tagged)}: ${plainMessage(tagged)}`,
      'plain YAML data, without tags',
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // The library refuses alias "billion laughs" expansions with a ReferenceError.
    return refuse(`cannot be expanded: ${(err as Error).message}`, 'an Artillery YAML file with few aliases');
  }

  const config = isMapping(data) ? data.config : undefined;
  const phases = isMapping(config) ? config.phases : undefined;
  if (phases === undefined || phases === null) {
    return refuse('has no config.phases', 'an Artillery file whose config.phases lists the load phases');
  }
  return validatePhases(phases, source, 'config.phases');
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
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
