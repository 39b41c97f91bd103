import type { MoatEvent } from '../core/event.js';
import { hash32 } from '../detect/hash.js';
import { promptText, skeletonWords } from '../detect/text.js';
import type { Hasher } from './hashing.js';

/**
 * Template keys of a prompt, the unit that providers compare. The detection engine's skeleton
 * (lower case, digit runs masked) is cut to the parts a template fixes: the opening words, the
 * closing words and the start of the system prompt. Each part is hashed at once; the words are
 * never kept.
 */

/**
 * Where in the prompt a template key comes from: the first 4 or 6 words, the last 4 words, or the
 * first 12 words of the system prompt. Two head lengths, because a short wrapper ("Answer the
 * following thoroughly: ...") leaves a 6-word head half made of the varying prompt.
 */
export type TemplateKind = 'head4' | 'head6' | 'tail4' | 'system';

export const TEMPLATE_KINDS: readonly TemplateKind[] = ['head4', 'head6', 'tail4', 'system'];

/** Words after the head that must vary before a head counts as a template part. */
const CONTENT_WORDS = 3;
/** Words of the skeleton that make a tail key. */
const TAIL_WORDS = 4;
/** Words of the system prompt that make a system key, and the fewest it needs. */
const SYSTEM_WORDS = 12;
const MIN_SYSTEM_WORDS = 6;

/** One hashed template key of one prompt. */
export interface TemplateKey {
  kind: TemplateKind;
  hash: string;
}

/** What one event's prompt gives: its hashed template keys and its skeleton words' hashes. */
export interface PromptKeys {
  keys: TemplateKey[];
  /** Keyed 32-bit hashes of the skeleton words, for the SimHash; never the words. */
  wordHashes: number[];
}

/**
 * The template keys and word hashes of an event's prompt, or null when the log kept no text.
 * A head key needs three words after it and a tail key eleven words in all, so that a short
 * prompt is never reduced to a hash of the whole of it.
 */
export function promptKeys(event: MoatEvent, hasher: Hasher): PromptKeys | null {
  const prompt = promptText(event);
  if (!prompt) return null;

  const words = skeletonWords(prompt.user);
  const keys: TemplateKey[] = [];
  for (const n of [4, 6]) {
    if (words.length < n + CONTENT_WORDS) continue;
    const kind = `head${n}` as TemplateKind;
    keys.push({ kind, hash: hasher.hash(`tpl/${kind}`, words.slice(0, n).join(' ')) });
  }
  if (words.length >= 6 + CONTENT_WORDS + 2) {
    const tail = words.slice(-TAIL_WORDS).join(' ');
    keys.push({ kind: 'tail4', hash: hasher.hash('tpl/tail4', tail) });
  }
  const system = skeletonWords(prompt.system);
  if (system.length >= MIN_SYSTEM_WORDS) {
    const head = system.slice(0, SYSTEM_WORDS).join(' ');
    keys.push({ kind: 'system', hash: hasher.hash('tpl/system', head) });
  }

  const seed = hasher.seed;
  return { keys, wordHashes: words.map((w) => hash32(w, seed)) };
}

/** A 64-bit SimHash accumulator over keyed word hashes (two 32-bit halves). */
export class SimHash {
  private readonly weights = new Float64Array(64);
  private n = 0;

  /** Adds the words of one prompt. */
  add(wordHashes: number[]): void {
    for (const h of wordHashes) {
      const lo = h;
      const hi = hash32(String(h), 0x9e3779b9);
      for (let b = 0; b < 32; b++) {
        this.weights[b] += (lo >>> b) & 1 ? 1 : -1;
        this.weights[32 + b] += (hi >>> b) & 1 ? 1 : -1;
      }
      this.n++;
    }
  }

  /** Words added so far. */
  get words(): number {
    return this.n;
  }

  /** The 64-bit fingerprint as 16 hex digits. */
  digest(): string {
    let lo = 0;
    let hi = 0;
    for (let b = 0; b < 32; b++) {
      if (this.weights[b] > 0) lo |= 1 << b;
      if (this.weights[32 + b] > 0) hi |= 1 << b;
    }
    return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
  }
}

/** Number of differing bits between two 16-hex-digit SimHashes. */
export function simhashDistance(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < 16; i += 8) {
    let x = (parseInt(a.slice(i, i + 8), 16) ^ parseInt(b.slice(i, i + 8), 16)) >>> 0;
    while (x) {
      x &= x - 1;
      d++;
    }
  }
  return d;
}
