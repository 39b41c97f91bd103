import type { EventFeatures } from '../features.js';
import type { Profile } from '../profile.js';
import { infraKeys, templateKeys, type LinkKey } from './keys.js';
import { unite, type LinkNode } from './union.js';

const TEMPLATE_MIN_COUNT = 5;

interface Bucket {
  first: LinkNode;
  count: number;
}

/** What the linker needs to know of an account between events. */
export interface LinkSubject {
  node: LinkNode;
  /** Network prefixes already offered for linking. */
  netsOffered: number;
  templateOffered: boolean;
}

/** Called when two clusters become one. */
export type UnionListener = (root: LinkNode, absorbed: LinkNode) => void;

/**
 * Groups accounts that act as one. Each account offers keys (shared payment fingerprint,
 * network with client, sign-up burst on one network, established template with client,
 * network or sign-up day); accounts that share a key are united. Work per event is constant:
 * keys are offered on the first event, on a new network, and once when a template repeats.
 */
export class Linker {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly maxBucket: number,
    private readonly onUnion: UnionListener,
  ) {}

  /** Offers an account's keys after one of its events has updated its profile. */
  observe(s: LinkSubject, f: EventFeatures, p: Profile): void {
    const nets = Math.min(p.netCount, p.nets.length);
    if (nets > s.netsOffered) {
      s.netsOffered = nets;
      this.offer(s.node, infraKeys(f));
    }
    if (s.templateOffered || !f.text) return;

    const top = p.topTemplate();
    if (top.count < TEMPLATE_MIN_COUNT || top.count < 0.5 * Math.min(p.nText, 100)) return;
    s.templateOffered = true;
    this.offer(s.node, templateKeys(f, top.key));
  }

  /** Number of keys held, for memory accounting. */
  size(): number {
    return this.buckets.size;
  }

  private offer(node: LinkNode, keys: LinkKey[]): void {
    for (const k of keys) {
      const b = this.buckets.get(k.key);
      if (!b) {
        this.buckets.set(k.key, { first: node, count: 1 });
        continue;
      }
      if (b.count >= this.maxBucket) continue;
      b.count++;
      const merged = unite(b.first, node, k.kind);
      if (merged) this.onUnion(merged.root, merged.absorbed);
    }
  }
}
