import { EventLineError, parseEventLine } from '../core/event-parse.js';
import { MoatError } from '../core/errors.js';
import { readLines } from '../data/lines.js';
import type { Hasher } from './hashing.js';
import { SignatureIndex } from './signature-index.js';
import type { ReceivedSignature } from './stix-read.js';

/** When an account counts as matching a shared campaign. */
export interface MatchOptions {
  /** Events of the account whose prompt has a shared template key (default 3). */
  minTemplateEvents?: number;
  /** ... as a share of its events with text (default 0.2). */
  minTemplateShare?: number;
  /** Share of its events from a shared network or user agent, for a client match (default 0.5). */
  minClientShare?: number;
}

/** An account of the local log whose traffic matches a shared campaign signature. */
export interface AccountMatch {
  account: string;
  campaign: string;
  producer: string;
  events: number;
  text_events: number;
  template_events: number;
  template_share: number;
  client_events: number;
  client_share: number;
  /** What matched: `templates`, `clients` or both. Client-only matches are weaker evidence. */
  matched_by: ('templates' | 'clients')[];
}

/** Result of matching a log: the matches and the signatures that could not be compared. */
export interface MatchResult {
  matches: AccountMatch[];
  /** Signatures hashed with another salt (or algorithm) than ours: their hashes cannot match. */
  incomparable: string[];
  events: number;
  skipped: number;
}

interface Tally {
  events: number;
  text: number;
  tpl: Map<number, number>;
  cli: Map<number, number>;
}

/**
 * Reads a `moat.event.v1` log and reports the accounts whose prompts carry a shared campaign's
 * template keys (or, more weakly, whose traffic comes from its networks and user agents). Only
 * hashes are compared: the shared signatures never contain text, and nothing local is sent.
 */
export async function matchEvents(
  file: string,
  signatures: ReceivedSignature[],
  hasher: Hasher,
  opts: MatchOptions = {},
): Promise<MatchResult> {
  const index = new SignatureIndex(signatures, hasher);
  const tallies = new Map<string, Tally>();
  let events = 0;
  let skipped = 0;
  try {
    for await (const { text, line } of readLines(file)) {
      if (text.trim() === '') continue;
      let e;
      try {
        e = parseEventLine(text, line);
      } catch (err) {
        if (!(err instanceof EventLineError)) throw err;
        skipped++;
        continue;
      }
      events++;
      let t = tallies.get(e.account);
      if (!t) tallies.set(e.account, (t = { events: 0, text: 0, tpl: new Map(), cli: new Map() }));
      t.events++;

      const hits = index.lookup(e);
      if (hits.text) t.text++;
      for (const i of hits.templates) t.tpl.set(i, (t.tpl.get(i) ?? 0) + 1);
      for (const i of hits.clients) t.cli.set(i, (t.cli.get(i) ?? 0) + 1);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new MoatError('MOAT_ERR_INTEL_INPUT', `no such events file: ${file}`);
    }
    throw err;
  }

  const matches = decide(tallies, index.signatures, opts);
  return { matches, incomparable: index.incomparable, events, skipped };
}

function decide(
  tallies: Map<string, Tally>,
  sigs: ReceivedSignature[],
  opts: MatchOptions,
): AccountMatch[] {
  const minEvents = opts.minTemplateEvents ?? 3;
  const minShare = opts.minTemplateShare ?? 0.2;
  const minClient = opts.minClientShare ?? 0.5;
  const out: AccountMatch[] = [];
  for (const [account, t] of tallies) {
    const campaigns = new Set([...t.tpl.keys(), ...t.cli.keys()]);
    for (const i of campaigns) {
      const tpl = t.tpl.get(i) ?? 0;
      const cli = t.cli.get(i) ?? 0;
      const tplShare = t.text ? tpl / t.text : 0;
      const cliShare = cli / t.events;
      const by: AccountMatch['matched_by'] = [];
      if (tpl >= minEvents && tplShare >= minShare) by.push('templates');
      if (cli >= minEvents && cliShare >= minClient) by.push('clients');
      if (by.length === 0) continue;
      out.push({
        account,
        campaign: sigs[i].stix_id,
        producer: sigs[i].producer,
        events: t.events,
        text_events: t.text,
        template_events: tpl,
        template_share: Math.round(tplShare * 1000) / 1000,
        client_events: cli,
        client_share: Math.round(cliShare * 1000) / 1000,
        matched_by: by,
      });
    }
  }
  return out.sort(
    (a, b) => b.template_events - a.template_events || (a.account < b.account ? -1 : 1),
  );
}
