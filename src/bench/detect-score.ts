import { PROFILES } from '../sim/profiles-hard.js';
import { harvestedShare } from '../sim/campaigns.js';
import { quantile, recallAtFpr, rocAuc, share } from './detect-metrics.js';
import type { ScenarioRun } from './detect-run.js';

/** Headline figures over a set of accounts. */
export interface Headline {
  auc: number;
  recall_at_0_1pct: number;
  recall_at_1pct: number;
  legit_accounts: number;
  attack_accounts: number;
  /** At the calibrated alert threshold (review): legitimate accounts alerted, held out. */
  alert_fpr: number;
  /** At the calibrated alert threshold: attacking accounts alerted. */
  alert_recall: number;
  /** Accounts of reseller-mix campaigns flagged at 0.3% legitimate FPR. */
  reseller_mix_recall_at_0_3pct: number | null;
  /**
   * Recall at 0.1% FPR averaged over campaigns, each weighing the same however many accounts
   * it used (account-level recall is dominated by hydras and their replacements).
   */
  campaign_recall_at_0_1pct: number;
}

/** False positives of one legitimate profile. */
export interface ProfileResult {
  hard_negative: boolean;
  accounts: number;
  /** Share of its accounts alerted (review or block): the profile's false-positive rate. */
  fpr: number;
  /** Share of its accounts blocked (they stopped receiving answers). */
  blocked: number;
}

/** How one campaign fared. */
export interface CampaignResult {
  scenario: string;
  kind: string;
  /** Accounts it started with (the scenario's figure). */
  initial_accounts: number;
  /** Accounts that sent events, replacements included. */
  accounts: number;
  events: number;
  target_size: number;
  /** Share of its target prompt set answered before it was stopped or the run ended. */
  harvested_before_stop: number;
  alerted: number;
  blocked: number;
  /** Median events an account sent before its first alert (null if none was alerted). */
  events_before_alert: number | null;
  /** Share of its accounts above the 0.1% legitimate-FPR threshold. */
  recall_at_0_1pct: number;
}

type Row = ScenarioRun['accounts'][number];

const alerted = (r: Row) => r.report.first_alert_ts !== null;
const blocked = (r: Row) => r.report.verdict === 'block';

/** Headline metrics over pooled accounts (one scenario, or several). */
export function headline(rows: Row[]): Headline {
  const legit = rows.filter((r) => r.label.label === 'legit');
  const attack = rows.filter((r) => r.label.label === 'attack');
  const ls = legit.map((r) => r.report.risk);
  const as = attack.map((r) => r.report.risk);
  const mix = attack.filter((r) => r.label.campaign?.startsWith('reseller-mix'));
  const byCampaign = new Map<string, number[]>();
  for (const r of attack) {
    const key = r.label.campaign ?? '?';
    byCampaign.set(key, [...(byCampaign.get(key) ?? []), r.report.risk]);
  }
  const perCampaign = [...byCampaign.values()].map((xs) => recallAtFpr(ls, xs, 0.001).recall);
  return {
    auc: rocAuc(ls, as),
    recall_at_0_1pct: recallAtFpr(ls, as, 0.001).recall,
    recall_at_1pct: recallAtFpr(ls, as, 0.01).recall,
    legit_accounts: legit.length,
    attack_accounts: attack.length,
    alert_fpr: share(legit, alerted),
    alert_recall: share(attack, alerted),
    reseller_mix_recall_at_0_3pct: mix.length
      ? recallAtFpr(
          ls,
          mix.map((r) => r.report.risk),
          0.003,
        ).recall
      : null,
    campaign_recall_at_0_1pct: perCampaign.length
      ? perCampaign.reduce((a, b) => a + b, 0) / perCampaign.length
      : NaN,
  };
}

/** False-positive rates per legitimate profile. */
export function profileResults(rows: Row[]): Record<string, ProfileResult> {
  const out: Record<string, ProfileResult> = {};
  for (const [name, profile] of Object.entries(PROFILES)) {
    const mine = rows.filter((r) => r.label.label === 'legit' && r.label.profile === name);
    if (mine.length === 0) continue;
    out[name] = {
      hard_negative: profile.hardNegative,
      accounts: mine.length,
      fpr: share(mine, alerted),
      blocked: share(mine, blocked),
    };
  }
  return out;
}

/** Per-campaign results of one run; `threshold` is the run's 0.1%-FPR threshold. */
export function campaignResults(run: ScenarioRun): Record<string, CampaignResult> {
  const legit = run.accounts.filter((r) => r.label.label === 'legit').map((r) => r.report.risk);
  const out: Record<string, CampaignResult> = {};
  for (const c of run.campaigns) {
    const mine = run.accounts.filter((r) => r.label.campaign === c.spec.name);
    const before = mine
      .map((r) => r.report.events_before_alert)
      .filter((n): n is number => n !== null);
    out[c.spec.name] = {
      scenario: run.scenario.name,
      kind: c.spec.kind,
      initial_accounts: c.spec.accounts ?? 1,
      accounts: mine.length,
      events: c.events,
      target_size: c.targets.length,
      harvested_before_stop: harvestedShare(c),
      alerted: share(mine, alerted),
      blocked: share(mine, blocked),
      events_before_alert: before.length ? quantile(before, 0.5) : null,
      recall_at_0_1pct: recallAtFpr(
        legit,
        mine.map((r) => r.report.risk),
        0.001,
      ).recall,
    };
  }
  return out;
}

/** Merges per-profile results of several runs, weighting by accounts. */
export function mergeProfiles(parts: Record<string, ProfileResult>[]) {
  const out: Record<string, ProfileResult> = {};
  for (const part of parts) {
    for (const [name, p] of Object.entries(part)) {
      const o = out[name];
      if (!o) {
        out[name] = { ...p };
        continue;
      }
      const n = o.accounts + p.accounts;
      o.fpr = (o.fpr * o.accounts + p.fpr * p.accounts) / n;
      o.blocked = (o.blocked * o.accounts + p.blocked * p.accounts) / n;
      o.accounts = n;
    }
  }
  return out;
}
