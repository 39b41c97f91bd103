import { loadCorpus, loadTraces } from '../data/load.js';
import { Simulation, type StopHook } from './engine.js';
import type { Scenario } from './scenario.js';

export { Simulation, type Label, type SimOptions, type StopHook } from './engine.js';
export { harvestedShare, type CampaignRun } from './campaigns.js';
export { PRESETS, resolveScenario, calibrationScenario } from './presets.js';
export { PROFILES } from './profiles-hard.js';
export type { Scenario, TenantSpec, CampaignSpec } from './scenario.js';

/**
 * Builds a simulation over the default corpus and traces (real data when present, else the
 * built-in ones). `isStopped` closes the loop: the benchmark passes the detector's verdicts.
 */
export async function createSimulation(
  scenario: Scenario,
  opts: { seed: string | number; isStopped?: StopHook },
): Promise<Simulation> {
  const [corpus, traces] = await Promise.all([loadCorpus(), loadTraces()]);
  return new Simulation(scenario, { ...opts, corpus, traces });
}
