/**
 * The built-in load scenarios, and `resolveScenario`, which turns `--scenario NAME|FILE` into phases.
 * Rates are arrivals per scenario second, durations scenario seconds (`--speed` scales both later).
 */
import { ConfigError, describeValue } from '../config/config-error.js';
import { readArtilleryFile } from './artillery-file.js';
import { parseFaultText, type FaultSpec } from '../faults/fault-spec.js';
import type { Phase } from './phases.js';

export interface Scenario {
  /** The preset's name, or the file path as given. */
  name: string;
  phases: readonly Phase[];
  /** True for `external`: no built-in load, the ingress serves outside clients until stopped. */
  external: boolean;
  source: 'preset' | 'file';
  /** The scenario's own fault schedule (a file's `faults:`, a preset's built-in trigger). */
  faults: readonly FaultSpec[];
}

export const PRESETS: Readonly<Record<string, readonly Phase[]>> = {
  /** As the article describes its test: 18 minutes, 10 740 arrivals. */
  'seed-article': [
    { duration: 60, arrivalRate: 2, name: 'Warm up' },
    { duration: 120, arrivalRate: 2, rampTo: 5, name: 'Ramp up load' },
    { duration: 600, arrivalRate: 4, rampTo: 15, name: 'Ramp to peak' },
    { duration: 300, arrivalRate: 15, name: 'Sustained load' },
  ],
  /** As the repository's notify-perf-test.yml: 18 minutes, 11 850 arrivals. */
  'seed-repo': [
    { duration: 60, arrivalRate: 2, name: 'Warm up' },
    { duration: 120, arrivalRate: 3, rampTo: 5, name: 'Ramp up load' },
    { duration: 900, arrivalRate: 5, rampTo: 20, name: 'Sustained load' },
  ],
  /** A short run for tests and first looks: 40 seconds, 120 arrivals. */
  smoke: [
    { duration: 20, arrivalRate: 2, name: 'Warm up' },
    { duration: 20, arrivalRate: 2, rampTo: 6, name: 'Ramp up' },
  ],
  /**
   * A metastable failure (aws-semantics 9.7, 9.8; README "The metastable preset"): 3 orders a second, which
   * the system carries calmly, a 30-second courier slowdown at 2 minutes, then the same load again. With
   * PRESET_OPTIONS below: in mode none it stays degraded long after the trigger; in mode queue it recovers.
   */
  metastable: [{ duration: 480, arrivalRate: 3, name: 'Steady load' }],
  external: [],
};

/** A preset's own faults (the trigger), in the CLI form. */
const PRESET_FAULTS: Readonly<Record<string, readonly string[]>> = {
  metastable: ['courier-latency=5000-9000@120+30'],
};

/**
 * Options a preset needs to mean what it says, used where neither the command line nor a config file set
 * them: the metastable preset's courier capacity (8 at once, about 8 requests a second at 0-2 s) and the
 * delivery function's 3-second client timeout (as Huang et al.'s retry experiment).
 */
export const PRESET_OPTIONS: Readonly<Record<string, Readonly<Record<string, string | number>>>> = {
  metastable: { 'courier-capacity': 8, 'attempt-timeout-ms': 3000 },
};

export const PRESET_NAMES: readonly string[] = Object.keys(PRESETS);
export const SCENARIO_ALLOWED = `a preset (${PRESET_NAMES.join(', ')}) or an Artillery YAML file`;

/** `--scenario` as given: a preset name, else a path to an Artillery YAML (or JSON) file. */
export function resolveScenario(nameOrFile: string): Scenario {
  const preset = Object.hasOwn(PRESETS, nameOrFile) ? PRESETS[nameOrFile] : undefined;
  if (preset) {
    return {
      name: nameOrFile,
      phases: preset.map((p) => ({ ...p })),
      external: nameOrFile === 'external',
      source: 'preset',
      faults: (PRESET_FAULTS[nameOrFile] ?? []).map((text) => parseFaultText(text, `preset ${nameOrFile}`)),
    };
  }
  if (nameOrFile.trim() === '') {
    throw new ConfigError(
      `option --scenario: got ${describeValue(nameOrFile)}; allowed: ${SCENARIO_ALLOWED}`,
    );
  }
  const file = readArtilleryFile(nameOrFile);
  return { name: nameOrFile, phases: file.phases, external: false, source: 'file', faults: file.faults };
}
