/**
 * Reads the load phases out of an Artillery test file (YAML or JSON): `config.phases`, and the lab's own
 * top-level `faults:` list if there is one (Artillery ignores keys it does not know). The rest of the file
 * (target, scenarios, plugins) is ignored: the lab always sends to its own ingress.
 * Parsed with the `core` schema and no custom tags, so a file can hold data only, never code.
 */
import { readFileSync, statSync } from 'node:fs';
import { ConfigError, describeValue } from '../config/config-error.js';
import { validatePhases, type Phase } from './phases.js';
import { parseYamlData } from '../config/yaml-data.js';
import { parseFaultList, type FaultSpec } from '../faults/fault-spec.js';

/** An Artillery file is a few hundred bytes; anything past this is not one. */
export const MAX_ARTILLERY_FILE_BYTES = 1024 * 1024;

const PRESET_HINT =
  'a preset (seed-article, seed-repo, smoke, metastable, external) or an Artillery YAML file';

export function readArtilleryPhases(path: string): Phase[] {
  return readArtilleryFile(path).phases;
}

/** The phases and the faults of an Artillery file. */
export function readArtilleryFile(path: string): { phases: Phase[]; faults: FaultSpec[] } {
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

  // Data only: one document, no tags (not even !!binary or !!set), unique keys, bounded aliases.
  const parsed = parseYamlData(text);
  if (!parsed.ok) {
    const notYaml = parsed.problem.startsWith('is not valid YAML');
    return refuse(
      notYaml ? parsed.problem.replace(/^is not valid YAML or JSON/, 'not valid YAML') : parsed.problem,
      notYaml ? 'an Artillery YAML file' : parsed.allowed,
    );
  }
  const data = parsed.value;

  const config = isMapping(data) ? data.config : undefined;
  const phases = isMapping(config) ? config.phases : undefined;
  if (phases === undefined || phases === null) {
    return refuse('has no config.phases', 'an Artillery file whose config.phases lists the load phases');
  }
  const faultList = isMapping(data) ? data.faults : undefined;
  return {
    phases: validatePhases(phases, source, 'config.phases'),
    faults:
      faultList === undefined || faultList === null ? [] : parseFaultList(faultList, `${source}: faults`),
  };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
