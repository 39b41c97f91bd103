import { readFileSync } from 'node:fs';
import { EventLineError, parseEventLine } from '../core/event-parse.js';
import type { MoatEvent } from '../core/event.js';
import { MoatError } from '../core/errors.js';
import { log } from '../core/log.js';
import type { Reason, Report } from '../core/verdict.js';
import { readLines } from '../data/lines.js';
import { CampaignAccumulator, eventHashes } from './accumulate.js';
import type { Hasher } from './hashing.js';
import type { CampaignSignature, SignalFigure, SignatureSet } from './signature.js';

/** Thresholds of signature extraction; every one has a default. */
export interface ExtractOptions {
  hasher: Hasher;
  producer: string;
  /** A template key must appear in this many of the campaign's prompts (default 5). */
  minTemplateEvents?: number;
  /** ... and in this share of them (default 0.05). */
  minTemplateShare?: number;
  /** At most this many template keys per campaign (default 16). */
  maxTemplates?: number;
  /** A client hash must cover this share of the campaign's events (default 0.05). */
  minClientShare?: number;
  /** At most this many network and user-agent hashes each (default 8). */
  maxClients?: number;
  /** A key also seen on more unalerted accounts than this is dropped (default 1). */
  benignMaxAccounts?: number;
  /** Campaigns below this risk are not shared (default 0: every alerted campaign). */
  minRisk?: number;
  /**
   * Hasher of campaign keys, keyed with a secret that never leaves this provider (see
   * `localHasher`). Default `hasher`, which lets salt holders test guessed account ids.
   */
  keyHasher?: Hasher;
}

/** A campaign of a report: the accounts it covers and the report's figures for it. */
export interface Group {
  accounts: string[];
  risk: number;
  firstAlert: string;
  events: number;
  reasons: SignalFigure[];
}

function figures(reasons: Reason[]): SignalFigure[] {
  return reasons.map((r) => ({ signal: String(r.signal), value: Number(r.value) || 0 }));
}

/** Reads and checks a `moat.report.v1` file; a wrong shape is MOAT_ERR_INTEL_INPUT. */
export function readReport(file: string): Report {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new MoatError('MOAT_ERR_INTEL_INPUT', `${file}: ${(err as Error).message}`);
  }
  const r = raw as Partial<Report> | null;
  if (!r || r.v !== 1 || !Array.isArray(r.accounts) || !Array.isArray(r.clusters)) {
    throw new MoatError(
      'MOAT_ERR_INTEL_INPUT',
      `${file} is not a moat.report.v1 (v, accounts, clusters)`,
    );
  }
  return r as Report;
}

/**
 * The campaigns of a report: each alerted cluster, and each alerted account that is in no
 * alerted cluster. Clusters and accounts never alerted are not campaigns and are not shared.
 */
export function campaignsOf(report: Report): Group[] {
  const groups: Group[] = [];
  const covered = new Set<string>();
  const eventsOf = new Map(report.accounts.map((a) => [a.account, a.events]));
  for (const c of report.clusters) {
    if (!c.first_alert_ts || c.accounts.length === 0) continue;
    c.accounts.forEach((a) => covered.add(a));
    const events = c.accounts.reduce((s, a) => s + (eventsOf.get(a) ?? 0), 0);
    const reasons = figures(c.reasons ?? []);
    groups.push({
      accounts: [...c.accounts],
      risk: c.risk,
      firstAlert: c.first_alert_ts,
      events,
      reasons,
    });
  }
  for (const a of report.accounts) {
    if (!a.first_alert_ts || covered.has(a.account)) continue;
    const reasons = figures(a.reasons ?? []);
    groups.push({
      accounts: [a.account],
      risk: a.risk,
      firstAlert: a.first_alert_ts,
      events: a.events,
      reasons,
    });
  }
  return groups;
}

async function eachEvent(file: string, fn: (e: MoatEvent) => void): Promise<number> {
  let skipped = 0;
  try {
    for await (const { text, line } of readLines(file)) {
      if (text.trim() === '') continue;
      try {
        fn(parseEventLine(text, line));
      } catch (err) {
        if (!(err instanceof EventLineError)) throw err;
        skipped++;
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new MoatError('MOAT_ERR_INTEL_INPUT', `no such events file: ${file}`);
    }
    throw err;
  }
  return skipped;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Builds the signature of every campaign in `report`. With `eventsFile` it reads the log twice:
 * once to fingerprint each campaign's traffic, once to count how many unalerted accounts share
 * each candidate template or client hash (keys common among them are not specific to the
 * campaign and are dropped). Without it, signatures carry the report's figures only.
 */
export async function extractSignatures(
  report: Report,
  eventsFile: string | null,
  opts: ExtractOptions,
): Promise<SignatureSet> {
  const groups = campaignsOf(report).filter((g) => g.risk >= (opts.minRisk ?? 0));
  const hasher = opts.hasher;
  const owner = new Map<string, number>();
  groups.forEach((g, i) => g.accounts.forEach((a) => owner.set(a, i)));
  const accs = groups.map(() => new CampaignAccumulator(hasher));

  if (eventsFile && groups.length > 0) {
    const skipped = await eachEvent(eventsFile, (e) => {
      const i = owner.get(e.account);
      if (i !== undefined) accs[i].add(e);
    });
    if (skipped) log.warn({ file: eventsFile, skipped }, 'skipped malformed event lines');
  }

  const campaigns = groups.map((g) => baseSignature(g, opts.keyHasher ?? hasher));
  if (!eventsFile) return { producer: opts.producer, hash: hashInfo(hasher), campaigns };

  const minEvents = opts.minTemplateEvents ?? 5;
  const minShare = opts.minTemplateShare ?? 0.05;
  const candidates = accs.map((acc) => ({
    templates: acc.templateCandidates(minEvents, minShare),
    clients: acc.clientCandidates(opts.minClientShare ?? 0.05),
  }));
  const empty = accs.filter((a) => a.events === 0).length;
  if (empty)
    log.warn({ campaigns: empty, file: eventsFile }, 'campaigns with no events in the log');
  const limit = opts.benignMaxAccounts ?? 1;
  const benign = await benignUse(eventsFile, owner, candidates, hasher, limit);

  const specific = (h: string): boolean => (benign.get(h)?.size ?? 0) <= limit;
  const maxClients = opts.maxClients ?? 8;
  campaigns.forEach((sig, i) => {
    const acc = accs[i];
    if (acc.events === 0) return;
    sig.first_seen = iso(acc.firstMs);
    sig.last_seen = iso(acc.lastMs);
    sig.text_events = acc.textEvents;
    const templates = candidates[i].templates.filter((t) => specific(t.hash));
    if (templates.length) sig.templates = templates.slice(0, opts.maxTemplates ?? 16);
    const simhash = acc.simhashDigest();
    if (simhash) sig.simhash = simhash;
    sig.params = acc.params();
    sig.timing = acc.timingFigures();
    sig.volume = acc.volume();
    const networks = candidates[i].clients.networks.filter((c) => specific(c.hash));
    const agents = candidates[i].clients.agents.filter((c) => specific(c.hash));
    if (networks.length) sig.networks = networks.slice(0, maxClients);
    if (agents.length) sig.user_agents = agents.slice(0, maxClients);
  });
  return { producer: opts.producer, hash: hashInfo(hasher), campaigns };
}

function hashInfo(hasher: Hasher): SignatureSet['hash'] {
  return { alg: hasher.alg, salt_id: hasher.saltId };
}

/** The campaign key of a set of accounts: a keyed hash, stable whatever their order. */
export function campaignKey(accounts: string[], hasher: Hasher): string {
  return hasher.hash('campaign', [...accounts].sort().join('\n'));
}

function baseSignature(g: Group, hasher: Hasher): CampaignSignature {
  return {
    key: campaignKey(g.accounts, hasher),
    accounts: g.accounts.length,
    events: g.events,
    risk: g.risk,
    first_alert: new Date(g.firstAlert).toISOString(),
    reasons: g.reasons,
  };
}

/** For each candidate hash, the unalerted accounts that used it (at most limit + 1 kept). */
async function benignUse(
  file: string,
  owner: Map<string, number>,
  candidates: { templates: { hash: string }[]; clients: Record<string, { hash: string }[]> }[],
  hasher: Hasher,
  limit: number,
): Promise<Map<string, Set<string>>> {
  const seen = new Map<string, Set<string>>();
  for (const c of candidates) {
    for (const t of c.templates) seen.set(t.hash, new Set());
    for (const list of Object.values(c.clients)) for (const x of list) seen.set(x.hash, new Set());
  }
  if (seen.size === 0) return seen;

  await eachEvent(file, (e) => {
    if (owner.has(e.account)) return;
    for (const h of eventHashes(e, hasher)) {
      const set = seen.get(h);
      if (set && set.size <= limit) set.add(e.account);
    }
  });
  return seen;
}
