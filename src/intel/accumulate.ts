import type { MoatEvent } from '../core/event.js';
import type { Hasher } from './hashing.js';
import { networkOf } from './hashing.js';
import type {
  ClientFingerprint,
  ParamFingerprint,
  TemplateFingerprint,
  TimingFingerprint,
  VolumeFingerprint,
} from './signature.js';
import { SimHash, promptKeys, type TemplateKind } from './templates.js';

/** Template keys tracked per campaign before rare ones are pruned (bounds memory). */
const MAX_TRACKED = 20_000;
/** Max-tokens values kept for the median. */
const MAX_TOKENS_SAMPLE = 4096;
/** Accounts need this many events before their timing counts. */
const MIN_TIMING_EVENTS = 10;

interface TemplateCount {
  kind: TemplateKind;
  events: number;
  accounts: Set<string>;
}

interface AccountTiming {
  last: number;
  gaps: number;
  mean: number;
  m2: number;
}

/**
 * Everything one campaign's events contribute to its signature, kept as counts and hashes. Fed
 * one event at a time; memory is bounded by the pruning of rare template keys and by one small
 * record per account.
 */
export class CampaignAccumulator {
  events = 0;
  textEvents = 0;
  firstMs = Infinity;
  lastMs = -Infinity;
  private readonly templates = new Map<string, TemplateCount>();
  private readonly simhash = new SimHash();
  private readonly timing = new Map<string, AccountTiming>();
  private readonly perAccount = new Map<string, number>();
  private readonly hours = new Set<number>();
  private readonly hourOfDay = new Float64Array(24);
  private readonly networks = new Map<string, number>();
  private readonly agents = new Map<string, number>();
  private readonly maxTokens: number[] = [];
  private p = { logprobs: 0, topLogprobs: 0, bias: 0, n: 0, t0: 0, tSum: 0, tN: 0, stream: 0 };
  private inTok = 0;
  private outTok = 0;

  constructor(private readonly hasher: Hasher) {}

  /** Adds one event of an account of this campaign. */
  add(e: MoatEvent): void {
    const ms = Date.parse(e.ts);
    this.events++;
    this.firstMs = Math.min(this.firstMs, ms);
    this.lastMs = Math.max(this.lastMs, ms);
    this.perAccount.set(e.account, (this.perAccount.get(e.account) ?? 0) + 1);
    this.addTiming(e.account, ms);
    this.hours.add(Math.floor(ms / 3_600_000));
    this.hourOfDay[new Date(ms).getUTCHours()]++;
    this.addParams(e);
    this.inTok += Math.max(0, e.usage?.input_tokens ?? 0);
    this.outTok += Math.max(0, e.usage?.output_tokens ?? 0);
    this.addClient(e);

    const keys = promptKeys(e, this.hasher);
    if (!keys) return;
    this.textEvents++;
    this.simhash.add(keys.wordHashes);
    for (const k of keys.keys) {
      const entry = this.templates.get(k.hash);
      if (entry) {
        entry.events++;
        entry.accounts.add(e.account);
      } else {
        this.templates.set(k.hash, { kind: k.kind, events: 1, accounts: new Set([e.account]) });
      }
    }
    if (this.templates.size > MAX_TRACKED) this.prune();
  }

  private prune(): void {
    for (const [h, t] of this.templates) if (t.events < 2) this.templates.delete(h);
  }

  private addTiming(account: string, ms: number): void {
    const t = this.timing.get(account);
    if (!t) return void this.timing.set(account, { last: ms, gaps: 0, mean: 0, m2: 0 });
    const gap = Math.abs(ms - t.last);
    t.last = ms;
    t.gaps++;
    const d = gap - t.mean;
    t.mean += d / t.gaps;
    t.m2 += d * (gap - t.mean);
  }

  private addParams(e: MoatEvent): void {
    const q = e.params ?? {};
    if (q.logprobs === true || (q.top_logprobs ?? 0) > 0) this.p.logprobs++;
    this.p.topLogprobs += Number(q.top_logprobs) || 0;
    if ((Number(q.logit_bias) || 0) > 0) this.p.bias++;
    if ((Number(q.n) || 1) > 1) this.p.n++;
    if (typeof q.temperature === 'number') {
      this.p.tN++;
      this.p.tSum += q.temperature;
      if (q.temperature === 0) this.p.t0++;
    }
    if (q.stream === true) this.p.stream++;
    if (typeof q.max_tokens === 'number' && this.maxTokens.length < MAX_TOKENS_SAMPLE) {
      this.maxTokens.push(q.max_tokens);
    }
  }

  private addClient(e: MoatEvent): void {
    const { network, agent } = clientHashes(e, this.hasher);
    if (network) this.networks.set(network, (this.networks.get(network) ?? 0) + 1);
    if (agent) this.agents.set(agent, (this.agents.get(agent) ?? 0) + 1);
  }

  /** Template keys seen `minEvents` times and in `minShare` of prompts, commonest first. */
  templateCandidates(minEvents: number, minShare: number): TemplateFingerprint[] {
    const out: TemplateFingerprint[] = [];
    for (const [hash, t] of this.templates) {
      const share = this.textEvents ? t.events / this.textEvents : 0;
      if (t.events < minEvents || share < minShare) continue;
      out.push({
        kind: t.kind,
        hash,
        events: t.events,
        share: round(share),
        accounts: t.accounts.size,
      });
    }
    return out.sort((a, b) => b.events - a.events || (a.hash < b.hash ? -1 : 1));
  }

  /** Network and user-agent hashes above `minShare` of events, commonest first. */
  clientCandidates(minShare: number): {
    networks: ClientFingerprint[];
    agents: ClientFingerprint[];
  } {
    const pick = (m: Map<string, number>): ClientFingerprint[] =>
      [...m]
        .map(([hash, n]) => ({ hash, share: round(n / this.events) }))
        .filter((c) => c.share >= minShare)
        .sort((a, b) => b.share - a.share || (a.hash < b.hash ? -1 : 1));
    return { networks: pick(this.networks), agents: pick(this.agents) };
  }

  /** The SimHash of the campaign's skeleton words, or undefined without text. */
  simhashDigest(): string | undefined {
    return this.simhash.words > 0 ? this.simhash.digest() : undefined;
  }

  /** Parameter shares and figures. */
  params(): ParamFingerprint {
    const n = Math.max(1, this.events);
    const sorted = [...this.maxTokens].sort((a, b) => a - b);
    return {
      logprobs_share: round(this.p.logprobs / n),
      top_logprobs_mean: round(this.p.topLogprobs / n),
      logit_bias_share: round(this.p.bias / n),
      n_above_1_share: round(this.p.n / n),
      temperature_zero_share: round(this.p.tN ? this.p.t0 / this.p.tN : 0),
      temperature_mean: round(this.p.tN ? this.p.tSum / this.p.tN : 0),
      stream_share: round(this.p.stream / n),
      max_tokens_median: sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0,
    };
  }

  /** Inter-arrival regularity, duty cycle and diurnal flatness. */
  timingFigures(): TimingFingerprint {
    const cvs: number[] = [];
    for (const t of this.timing.values()) {
      if (t.gaps + 1 < MIN_TIMING_EVENTS || t.mean <= 0) continue;
      cvs.push(Math.sqrt(t.m2 / t.gaps) / t.mean);
    }
    cvs.sort((a, b) => a - b);
    const span = Math.floor(this.lastMs / 3_600_000) - Math.floor(this.firstMs / 3_600_000) + 1;
    let entropy = 0;
    for (const c of this.hourOfDay) {
      if (c === 0) continue;
      const p = c / this.events;
      entropy -= p * Math.log2(p);
    }
    return {
      interarrival_cv_median: cvs.length ? round(cvs[Math.floor(cvs.length / 2)]) : 0,
      duty_cycle: round(this.events ? this.hours.size / span : 0),
      hour_entropy: round(entropy / Math.log2(24)),
    };
  }

  /** Events per account and token means. */
  volume(): VolumeFingerprint {
    const counts = [...this.perAccount.values()].sort((a, b) => a - b);
    const n = Math.max(1, this.events);
    return {
      events_per_account_median: counts.length ? counts[Math.floor(counts.length / 2)] : 0,
      input_tokens_mean: round(this.inTok / n),
      output_tokens_mean: round(this.outTok / n),
    };
  }
}

/**
 * The keyed hashes of an event's network (IPv4 /24, IPv6 /48) and user agent (trimmed, lower
 * case). Both undefined without a community salt: unkeyed, they could be reversed by brute force.
 */
export function clientHashes(e: MoatEvent, hasher: Hasher): { network?: string; agent?: string } {
  if (!hasher.keyed) return {};
  const net = networkOf(e.client?.ip ?? '');
  const ua = e.client?.user_agent?.trim().toLowerCase();
  return {
    network: net ? hasher.hash('net', net) : undefined,
    agent: ua ? hasher.hash('ua', ua) : undefined,
  };
}

/** Every template and client hash of one event, for lookups against shared signatures. */
export function eventHashes(e: MoatEvent, hasher: Hasher): string[] {
  const out = promptKeys(e, hasher)?.keys.map((k) => k.hash) ?? [];
  const { network, agent } = clientHashes(e, hasher);
  if (network) out.push(network);
  if (agent) out.push(agent);
  return out;
}

/** Four significant decimals: figures, not noise (and stable across platforms). */
export function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
