import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { MoatError } from '../core/errors.js';
import { SET_NAMES, type SetName } from '../data/corpus.js';

/** Legitimate tenant profiles; the last five are hard negatives that resemble harvesting. */
export const PROFILE_NAMES = [
  'chat-app',
  'support-bot',
  'rag-search',
  'coding-assistant',
  'reseller',
  'batch-classifier',
  'eval-harness',
  'tutoring-app',
  'logprob-classifier',
] as const;

export type ProfileName = (typeof PROFILE_NAMES)[number];

/** Campaign kinds the simulator can run. */
export const CAMPAIGN_KINDS = [
  'bulk',
  'low-and-slow',
  'hydra',
  'user-prompts',
  'cot',
  'logprob',
  'reseller-mix',
  'pivot',
  'mimic',
] as const;

export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];

/** A group of legitimate accounts of one profile. */
export interface TenantSpec {
  profile: ProfileName;
  accounts: number;
  /** Median requests per day of one account; sizes vary log-normally around it. */
  per_day: number;
  /** Log-normal sigma of account sizes (default 1). */
  spread?: number;
}

/** One harvesting campaign. */
export interface CampaignSpec {
  /** Unique name; labels and benchmark results use it. */
  name: string;
  kind: CampaignKind;
  /** Prompt sets it harvests. */
  target: SetName[];
  /** Distinct prompts it plans to harvest (default: all of the target sets). */
  target_size?: number;
  /** Accounts it starts with (default 1). */
  accounts?: number;
  /** Requests per day of the whole campaign. */
  per_day: number;
  /** Start, in days from the scenario start (pivots: from the model release). */
  start_day?: number;
  /** Duration in days (default: to the end). */
  days?: number;
  /** Fresh accounts a hydra may bring in to replace stopped ones (default 2 x accounts). */
  replacements?: number;
  /** For reseller-mix: the share of the account's traffic that is harvesting (0-1). */
  share?: number;
}

/** A simulation scenario: when, how long, who is legitimate and who harvests. */
export interface Scenario {
  name: string;
  description?: string;
  /** ISO start of virtual time. */
  start: string;
  days: number;
  /** A new model released during the scenario (eval harnesses and pivots follow it). */
  release?: { model: string; day: number };
  tenants: TenantSpec[];
  campaigns: CampaignSpec[];
}

function fail(field: string, why: string): never {
  throw new MoatError('MOAT_ERR_SCENARIO', `${field}: ${why}`);
}

function positive(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(field, 'must be a number > 0');
  return v;
}

/** Checks a parsed scenario and fills defaults; every problem names its field. */
export function validateScenario(raw: unknown): Scenario {
  if (typeof raw !== 'object' || raw === null) fail('scenario', 'must be an object');
  const s = raw as Partial<Scenario>;
  if (typeof s.name !== 'string' || !s.name) fail('name', 'must be a non-empty string');
  const start = s.start ?? '2026-11-23T00:00:00Z';
  if (Number.isNaN(Date.parse(start))) fail('start', 'must be an ISO timestamp');
  positive(s.days, 'days');
  if (s.release) {
    if (typeof s.release.model !== 'string') fail('release.model', 'must be a string');
    if (typeof s.release.day !== 'number') fail('release.day', 'must be a number');
  }

  const tenants = (s.tenants ?? []).map((t, i) => {
    const f = `tenants[${i}]`;
    if (!PROFILE_NAMES.includes(t.profile))
      fail(`${f}.profile`, `one of ${PROFILE_NAMES.join(', ')}`);
    positive(t.accounts, `${f}.accounts`);
    positive(t.per_day, `${f}.per_day`);
    return { ...t, spread: t.spread ?? 1 };
  });

  const names = new Set<string>();
  const campaigns = (s.campaigns ?? []).map((c, i) => {
    const f = `campaigns[${i}]`;
    if (typeof c.name !== 'string' || !c.name) fail(`${f}.name`, 'must be a non-empty string');
    if (names.has(c.name)) fail(`${f}.name`, `"${c.name}" is used twice`);
    names.add(c.name);
    if (!CAMPAIGN_KINDS.includes(c.kind)) fail(`${f}.kind`, `one of ${CAMPAIGN_KINDS.join(', ')}`);
    const target = Array.isArray(c.target) ? c.target : [c.target];
    for (const t of target) {
      if (!SET_NAMES.includes(t))
        fail(`${f}.target`, `"${t}" is not one of ${SET_NAMES.join(', ')}`);
    }
    positive(c.per_day, `${f}.per_day`);
    if (c.kind === 'pivot' && !s.release) fail(`${f}.kind`, 'a pivot needs a release');
    const accounts = c.accounts ?? 1;
    positive(accounts, `${f}.accounts`);
    return { ...c, target, accounts, replacements: c.replacements ?? accounts * 2 };
  });

  return { ...s, name: s.name, start, days: s.days!, tenants, campaigns } as Scenario;
}

/** Reads a scenario from a YAML or JSON file (JSON is YAML, so one parser reads both). */
export function readScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new MoatError('MOAT_ERR_SCENARIO', `Cannot read ${path}.`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new MoatError('MOAT_ERR_SCENARIO', `${path} is not valid YAML or JSON.`, { cause: err });
  }
  return validateScenario(raw);
}
