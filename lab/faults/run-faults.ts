import type { LabOptions } from '../config/parse-options.js';
import type { Scenario } from '../load/presets.js';
import type { FaultSpec } from './fault-spec.js';

/** A run's fault schedule: the scenario's own faults, then the options' (`--fault`, a config's `faults:`). */
export function faultsOfRun(
  scenario: Pick<Scenario, 'faults'>,
  options: Pick<LabOptions, 'faults' | 'scenarioFaults'>,
): FaultSpec[] {
  return options.scenarioFaults ? [...scenario.faults, ...options.faults] : [...options.faults];
}
