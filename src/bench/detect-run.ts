import { log } from '../core/log.js';
import type { ReportAccount } from '../core/verdict.js';
import type { Thresholds } from '../detect/config.js';
import { thresholdsFromRisks } from '../detect/calibrate.js';
import { DetectionEngine } from '../detect/engine.js';
import type { Corpus } from '../data/corpus.js';
import type { TraceBank } from '../data/traces.js';
import { parsePolicyConfig } from '../policy/config.js';
import { PolicyEngine } from '../policy/engine.js';
import { harvestedShare, type CampaignRun } from '../sim/campaigns.js';
import { Simulation, type Label } from '../sim/engine.js';
import { calibrationScenario } from '../sim/presets.js';
import type { Scenario } from '../sim/scenario.js';

/** What one closed-loop run of a scenario leaves for scoring. */
export interface ScenarioRun {
  scenario: Scenario;
  thresholds: Thresholds;
  /** Legitimate accounts of the calibration run (held out from the evaluation). */
  calibrationAccounts: number;
  events: number;
  /** Report lines of every account that sent at least one event, with its true role. */
  accounts: { label: Label; report: ReportAccount }[];
  campaigns: CampaignRun[];
  seconds: number;
}

/** Inputs of one scenario run. */
export interface RunInput {
  scenario: Scenario;
  seed: number;
  /** Seed of the legitimate-only calibration run; must differ from `seed`. */
  calibrationSeed: number;
  /** Calibrate on this scenario's tenants instead of the evaluated scenario's. */
  calibrationScenario?: Scenario;
  targetFpr: number;
  corpus: Corpus;
  traces: TraceBank;
  progress?: (line: string) => void;
}

function releases(s: Scenario): Record<string, string> {
  if (!s.release) return {};
  const at = Date.parse(s.start) + s.release.day * 86_400_000;
  return { [s.release.model]: new Date(at).toISOString() };
}

/**
 * The policy that closes the loop, as the gateway runs it: the detector's verdicts feed it,
 * and before each request it decides from the account and its payment fingerprint. Its
 * thresholds are the calibrated ones: it blocks what the detector's verdicts block, the members
 * a blocked cluster's verdict names, and new accounts that pay like a blocked cluster.
 */
function closedLoopPolicy(engine: DetectionEngine, thresholds: Thresholds): PolicyEngine {
  const config = parsePolicyConfig({ tiers: { default: { thresholds } } });
  const policy = new PolicyEngine(config, { logger: log.child({}, { level: 'silent' }) });
  engine.onVerdict((v) => policy.applyVerdict(v));
  return policy;
}

/**
 * Calibrates the engine's thresholds on a legitimate-only run of the scenario's tenants with
 * a different seed, then runs the scenario in a closed loop through the policy engine: an
 * account it refuses sends nothing more (its answers stop) and a hydra replaces it at once.
 */
export function runScenario(input: RunInput): ScenarioRun {
  const { scenario, corpus, traces } = input;
  const t0 = Date.now();
  const modelReleases = releases(scenario);

  const cal = new Simulation(calibrationScenario(input.calibrationScenario ?? scenario), {
    seed: input.calibrationSeed,
    corpus,
    traces,
  });
  const calEngine = new DetectionEngine({ config: { modelReleases } });
  for (const e of cal) calEngine.ingest(e);
  const calRisks = calEngine.report().accounts.map((a) => a.risk);
  const thresholds = thresholdsFromRisks(calRisks, input.targetFpr);
  input.progress?.(
    `${scenario.name}: calibrated on ${calRisks.length} legitimate accounts ` +
      `(${cal.events} events): block ${thresholds.block.toFixed(3)}, ` +
      `review ${thresholds.review.toFixed(3)}`,
  );

  const engine = new DetectionEngine({ config: { modelReleases, thresholds } });
  const sim = new Simulation(scenario, { seed: input.seed, corpus, traces });
  const policy = closedLoopPolicy(engine, thresholds);
  sim.setStopHook((account, fp) => policy.decide(account, 'default', fp).deny !== undefined);
  for (const e of sim) engine.ingest(e);

  const byAccount = new Map(engine.report().accounts.map((a) => [a.account, a]));
  const accounts = sim.labels.flatMap((label) => {
    const report = byAccount.get(label.account);
    return report ? [{ label, report }] : [];
  });
  const seconds = (Date.now() - t0) / 1000;
  input.progress?.(
    `${scenario.name}: ${sim.events} events, ${accounts.length} accounts, ${seconds.toFixed(1)} s`,
  );
  return {
    scenario,
    thresholds,
    calibrationAccounts: calRisks.length,
    events: sim.events,
    accounts,
    campaigns: sim.campaigns,
    seconds,
  };
}

/** Harvested share of each campaign at the end of its closed-loop run. */
export function harvestShares(run: ScenarioRun): Record<string, number> {
  return Object.fromEntries(run.campaigns.map((c) => [c.spec.name, harvestedShare(c)]));
}
