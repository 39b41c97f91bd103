import type { MoatEvent } from '../core/event.js';
import { clientHashes } from './accumulate.js';
import type { Hasher } from './hashing.js';
import type { ReceivedSignature } from './stix-read.js';
import { promptKeys } from './templates.js';

/** What one event has in common with the shared signatures. */
export interface EventHits {
  /** True when the event had prompt text to compare. */
  text: boolean;
  /** Positions in `signatures` of campaigns whose template keys the prompt carries. */
  templates: number[];
  /** Positions of campaigns whose network or user-agent hashes the event's client has. */
  clients: number[];
}

/** True when `sig` was hashed the way `hasher` hashes, so equal inputs give equal hashes. */
export function comparable(sig: ReceivedSignature, hasher: Hasher): boolean {
  return sig.hash_info.alg === hasher.alg && sig.hash_info.salt_id === hasher.saltId;
}

/**
 * Received signatures indexed by hash, for looking events up one at a time: offline by
 * `moat intel match`, or live by a detector that wants "matches a shared campaign" as evidence.
 * A lookup costs the event's few keyed hashes and as many map reads.
 */
export class SignatureIndex {
  /** The signatures hashed as ours; lookups return positions in this list. */
  readonly signatures: ReceivedSignature[];
  /** STIX ids of signatures made under another salt or algorithm: they can never match. */
  readonly incomparable: string[];
  private readonly templates = new Map<string, number[]>();
  private readonly clients = new Map<string, number[]>();

  constructor(
    signatures: ReceivedSignature[],
    private readonly hasher: Hasher,
  ) {
    this.signatures = signatures.filter((s) => comparable(s, hasher));
    this.incomparable = signatures.filter((s) => !comparable(s, hasher)).map((s) => s.stix_id);
    this.signatures.forEach((s, i) => {
      for (const t of s.templates ?? []) add(this.templates, t.hash, i);
      for (const c of [...(s.networks ?? []), ...(s.user_agents ?? [])])
        add(this.clients, c.hash, i);
    });
  }

  /** The campaigns an event's prompt and client have in common with. */
  lookup(e: MoatEvent): EventHits {
    const keys = this.templates.size ? promptKeys(e, this.hasher) : null;
    const templates = new Set<number>();
    for (const k of keys?.keys ?? [])
      for (const i of this.templates.get(k.hash) ?? []) templates.add(i);

    const clients = new Set<number>();
    if (this.clients.size) {
      const { network, agent } = clientHashes(e, this.hasher);
      for (const h of [network, agent]) {
        if (h) for (const i of this.clients.get(h) ?? []) clients.add(i);
      }
    }
    return { text: keys !== null, templates: [...templates], clients: [...clients] };
  }
}

function add(m: Map<string, number[]>, hash: string, i: number): void {
  const list = m.get(hash);
  if (list) list.push(i);
  else m.set(hash, [i]);
}
