import type { TemplateKind } from './templates.js';

/**
 * A campaign signature: what one provider can tell others about a harvesting campaign without
 * giving away prompts, customers or addresses. Every value is a count, a share, a figure, a
 * timestamp or a hash (see hashing.ts); it is what `moat intel export` maps to STIX and what
 * `moat intel import` reads back.
 */

/** Version of the signature layout carried in `x_moat_signature_version`. */
export const SIGNATURE_VERSION = 1;

/** A template key shared by the campaign's prompts. */
export interface TemplateFingerprint {
  kind: TemplateKind;
  hash: string;
  /** Events of the campaign whose prompt has this key. */
  events: number;
  /** Share of the campaign's prompts (events with text) that have this key. */
  share: number;
  /** Accounts of the campaign that used it. */
  accounts: number;
}

/** A hashed client attribute (network prefix or user agent) and its share of events. */
export interface ClientFingerprint {
  hash: string;
  share: number;
}

/** How the campaign set request parameters; shares are of all its events. */
export interface ParamFingerprint {
  logprobs_share: number;
  top_logprobs_mean: number;
  logit_bias_share: number;
  n_above_1_share: number;
  temperature_zero_share: number;
  temperature_mean: number;
  stream_share: number;
  max_tokens_median: number;
}

/** When the campaign sent its requests. */
export interface TimingFingerprint {
  /** Median over accounts (10+ events) of the coefficient of variation of inter-arrival gaps. */
  interarrival_cv_median: number;
  /** Share of the hours between first and last event in which the campaign sent anything. */
  duty_cycle: number;
  /** Hour-of-day entropy over log2(24): 1 is perfectly flat (no diurnal rhythm). */
  hour_entropy: number;
}

/** How much the campaign sent and asked for. */
export interface VolumeFingerprint {
  events_per_account_median: number;
  input_tokens_mean: number;
  output_tokens_mean: number;
}

/** A reason figure from the report: the signal name and its value, never the detail text. */
export interface SignalFigure {
  signal: string;
  value: number;
}

/** One campaign's signature. Optional parts need the event log; the report alone gives the rest. */
export interface CampaignSignature {
  /** Keyed hash of the campaign's sorted account ids: stable across re-exports, reveals none. */
  key: string;
  accounts: number;
  events: number;
  risk: number;
  first_alert: string;
  /** First and last event of the campaign; only known from the event log. */
  first_seen?: string;
  last_seen?: string;
  reasons: SignalFigure[];
  /** Events with prompt text, the base of template shares. */
  text_events?: number;
  templates?: TemplateFingerprint[];
  simhash?: string;
  params?: ParamFingerprint;
  timing?: TimingFingerprint;
  volume?: VolumeFingerprint;
  networks?: ClientFingerprint[];
  user_agents?: ClientFingerprint[];
}

/** How the hashes of a set of signatures were made, so a receiver knows if it can match them. */
export interface HashInfo {
  alg: 'hmac-sha256' | 'sha256';
  salt_id: string | null;
}

/** What an export holds: the producer, how hashes were made, and the campaigns. */
export interface SignatureSet {
  producer: string;
  hash: HashInfo;
  campaigns: CampaignSignature[];
}
