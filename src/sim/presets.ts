import { MoatError } from '../core/errors.js';
import { SET_NAMES } from '../data/corpus.js';
import { readScenarioFile, validateScenario, type Scenario, type TenantSpec } from './scenario.js';

/** Legitimate tenants at a given scale (1 = about 240 accounts). */
function tenants(scale: number): TenantSpec[] {
  const n = (x: number) => Math.max(1, Math.round(x * scale));
  return [
    { profile: 'chat-app', accounts: n(90), per_day: 60 },
    { profile: 'support-bot', accounts: n(30), per_day: 150 },
    { profile: 'rag-search', accounts: n(30), per_day: 120 },
    { profile: 'coding-assistant', accounts: n(50), per_day: 50 },
    { profile: 'reseller', accounts: n(6), per_day: 1500, spread: 0.5 },
    { profile: 'batch-classifier', accounts: n(6), per_day: 1200, spread: 0.5 },
    { profile: 'eval-harness', accounts: n(6), per_day: 800, spread: 0.3 },
    { profile: 'tutoring-app', accounts: n(16), per_day: 80 },
    { profile: 'logprob-classifier', accounts: n(10), per_day: 300 },
  ];
}

const RELEASE = { model: 'frontier-2', day: 1 };

/** Scenarios that ship with Moat; `moat simulate --scenario <name>` runs one. */
export const PRESETS: Record<string, () => Scenario> = {
  ci: () =>
    validateScenario({
      name: 'ci',
      description:
        'Reduced mix for CI: about 240 legitimate accounts, every campaign kind, 2 days.',
      start: '2026-11-23T00:00:00Z',
      days: 1.5,
      release: { ...RELEASE, day: 0.75 },
      tenants: tenants(1),
      campaigns: [
        { name: 'bulk', kind: 'bulk', target: ['gsm8k'], per_day: 6000, start_day: 0.3 },
        {
          name: 'low-and-slow',
          kind: 'low-and-slow',
          target: ['banking77', 'nq-open'],
          accounts: 2,
          per_day: 120,
        },
        {
          name: 'hydra-100',
          kind: 'hydra',
          target: ['gpteacher-codegen'],
          accounts: 100,
          per_day: 6000,
          start_day: 0.5,
        },
        {
          name: 'user-prompts',
          kind: 'user-prompts',
          target: ['arena-hard', 'instructionwild'],
          per_day: 500,
        },
        {
          name: 'cot',
          kind: 'cot',
          target: ['gsm8k', 'arena-hard'],
          per_day: 1500,
          start_day: 0.2,
        },
        {
          name: 'logprob',
          kind: 'logprob',
          target: ['instructionwild', 'role-prompts'],
          per_day: 1500,
        },
        {
          name: 'reseller-mix-10',
          kind: 'reseller-mix',
          target: ['gsm8k'],
          per_day: 1500,
          share: 0.1,
        },
        {
          name: 'reseller-mix-30',
          kind: 'reseller-mix',
          target: ['code-alpaca'],
          per_day: 1500,
          share: 0.3,
        },
        {
          name: 'pivot',
          kind: 'pivot',
          target: ['code-alpaca', 'gsm8k'],
          accounts: 3,
          per_day: 3000,
          start_day: 0.1,
        },
        {
          name: 'mimic',
          kind: 'mimic',
          target: ['gpteacher-codegen', 'arena-hard', 'role-prompts'],
          accounts: 8,
          per_day: 1200,
        },
      ],
    }),

  standard: () =>
    validateScenario({
      name: 'standard',
      description: 'About 730 legitimate accounts and every campaign kind over 3 days.',
      start: '2026-11-23T00:00:00Z',
      days: 3,
      release: RELEASE,
      tenants: tenants(3),
      campaigns: [
        { name: 'bulk', kind: 'bulk', target: ['gsm8k'], per_day: 10000, start_day: 0.5 },
        {
          name: 'low-and-slow',
          kind: 'low-and-slow',
          target: ['banking77', 'nq-open'],
          accounts: 3,
          per_day: 200,
        },
        {
          name: 'hydra-300',
          kind: 'hydra',
          target: ['gpteacher-codegen'],
          accounts: 300,
          per_day: 20000,
          start_day: 0.5,
        },
        {
          name: 'user-prompts',
          kind: 'user-prompts',
          target: ['arena-hard', 'instructionwild'],
          per_day: 600,
        },
        { name: 'cot', kind: 'cot', target: ['gsm8k', 'arena-hard'], accounts: 2, per_day: 3000 },
        {
          name: 'logprob',
          kind: 'logprob',
          target: ['instructionwild', 'role-prompts'],
          per_day: 2000,
        },
        {
          name: 'reseller-mix-5',
          kind: 'reseller-mix',
          target: ['gsm8k'],
          accounts: 3,
          per_day: 6000,
          share: 0.05,
        },
        {
          name: 'reseller-mix-20',
          kind: 'reseller-mix',
          target: ['code-alpaca'],
          accounts: 3,
          per_day: 6000,
          share: 0.2,
        },
        {
          name: 'reseller-mix-50',
          kind: 'reseller-mix',
          target: ['gsm8k'],
          accounts: 3,
          per_day: 6000,
          share: 0.5,
        },
        {
          name: 'pivot',
          kind: 'pivot',
          target: ['code-alpaca', 'gsm8k'],
          accounts: 5,
          per_day: 6000,
          start_day: 0.1,
        },
        {
          name: 'mimic',
          kind: 'mimic',
          target: ['gpteacher-codegen', 'arena-hard', 'role-prompts'],
          accounts: 20,
          per_day: 2500,
        },
      ],
    }),

  large: () => {
    const s = PRESETS.standard();
    const description =
      'The standard campaigns against about 1,030 legitimate accounts for 2 days.';
    return validateScenario({ ...s, name: 'large', description, days: 2, tenants: tenants(4.25) });
  },

  'hydra-1000': () =>
    validateScenario({
      name: 'hydra-1000',
      description: 'A 1,000-account hydra harvesting every prompt set, against the ci tenants.',
      start: '2026-11-23T00:00:00Z',
      days: 2,
      release: RELEASE,
      tenants: tenants(1),
      campaigns: [
        {
          name: 'hydra-1000',
          kind: 'hydra',
          target: [...SET_NAMES],
          accounts: 1000,
          per_day: 60000,
          start_day: 0.5,
          replacements: 2000,
        },
      ],
    }),
};

/** A preset by name, or a scenario file path (YAML or JSON). */
export function resolveScenario(nameOrPath: string): Scenario {
  const preset = PRESETS[nameOrPath];
  if (preset) return preset();
  if (/\.(ya?ml|json)$/i.test(nameOrPath)) return readScenarioFile(nameOrPath);
  const names = Object.keys(PRESETS).join(', ');
  throw new MoatError(
    'MOAT_ERR_SCENARIO',
    `"${nameOrPath}" is neither a preset (${names}) nor a .yaml/.json file.`,
  );
}

/**
 * The same tenant mix without campaigns, for calibrating thresholds on legitimate traffic that
 * the evaluation never sees (the caller runs it with a different seed).
 */
export function calibrationScenario(s: Scenario): Scenario {
  return { ...s, name: `${s.name}-calibration`, campaigns: [] };
}
