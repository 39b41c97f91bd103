/**
 * The imitation model of the watermark benchmark: a word n-gram language model trained on
 * harvested (prompt, answer) pairs, standing in for a student model distilled from a harvest.
 * It learns which words follow which, so it copies the watermark's keyed choices in proportion
 * to how often the harvest showed them, as a distilled network would; it does not generalise
 * beyond the contexts it saw, which a network does.
 */

const BEGIN = '<answer>';
const END = '</answer>';

/** A deterministic random source in [0, 1). */
export type Rng = () => number;

/** Splits text into words and line breaks (a line break keeps the indentation after it). */
export function tokenize(text: string): string[] {
  return text.match(/\n[ \t]*|[^\s]+/g) ?? [];
}

/** Joins tokens back into text: one space between words, none around line breaks. */
export function detokenize(tokens: string[]): string {
  let out = '';
  for (const t of tokens) {
    if (t.startsWith('\n') || out === '' || out.endsWith('\n') || /\n[ \t]*$/.test(out)) out += t;
    else out += ` ${t}`;
  }
  return out;
}

interface Counts {
  total: number;
  next: Map<number, number>;
  /** Cumulative table for sampling, built on first use. */
  table?: { ids: Int32Array; cum: Float64Array };
}

/** A word n-gram model with backoff to shorter contexts when a context was never seen. */
export class NgramModel {
  private readonly ids = new Map<string, number>();
  private readonly words: string[] = [];
  private readonly tables: Map<string, Counts>[];

  constructor(readonly order = 4) {
    this.tables = Array.from({ length: order }, () => new Map());
  }

  private id(word: string): number {
    let id = this.ids.get(word);
    if (id === undefined) {
      id = this.words.length;
      this.ids.set(word, id);
      this.words.push(word);
    }
    return id;
  }

  /** Learns one answer; the last words of the prompt are its first context. */
  train(prompt: string, answer: string): void {
    const head = tokenize(prompt).slice(-(this.order - 2));
    const seq = [...head, BEGIN, ...tokenize(answer), END].map((w) => this.id(w));
    const start = head.length + 1;
    for (let i = start; i < seq.length; i++) {
      for (let n = 0; n < this.order; n++) {
        if (i - n < 0) break;
        const key = seq.slice(i - n, i).join(',');
        const table = this.tables[n];
        let c = table.get(key);
        if (!c) {
          c = { total: 0, next: new Map() };
          table.set(key, c);
        }
        c.total++;
        c.next.set(seq[i], (c.next.get(seq[i]) ?? 0) + 1);
        c.table = undefined;
      }
    }
  }

  /**
   * Samples an answer to a prompt at temperature 1 from the longest context seen in training,
   * backing off to a shorter one with probability `backoff` (as smoothing would).
   */
  generate(prompt: string, rng: Rng, maxTokens = 300, backoff = 0.05): string {
    const history = [...tokenize(prompt).slice(-(this.order - 2)), BEGIN].map((w) =>
      this.ids.has(w) ? this.ids.get(w)! : -1,
    );
    const out: string[] = [];
    for (let step = 0; step < maxTokens; step++) {
      const next = this.sampleNext(history, rng, backoff);
      if (next === undefined || this.words[next] === END) break;
      out.push(this.words[next]);
      history.push(next);
    }
    return detokenize(out);
  }

  private sampleNext(history: number[], rng: Rng, backoff: number): number | undefined {
    for (let n = Math.min(this.order - 1, history.length); n >= 0; n--) {
      const ctx = history.slice(history.length - n);
      if (ctx.includes(-1)) continue;
      const c = this.tables[n].get(ctx.join(','));
      if (!c) continue;
      if (n > 0 && rng() < backoff) continue;
      return draw(c, rng);
    }
    return undefined;
  }
}

function draw(c: Counts, rng: Rng): number {
  if (!c.table) {
    const ids = new Int32Array(c.next.size);
    const cum = new Float64Array(c.next.size);
    let acc = 0;
    let i = 0;
    for (const [id, n] of c.next) {
      acc += n;
      ids[i] = id;
      cum[i++] = acc;
    }
    c.table = { ids, cum };
  }
  const target = rng() * c.total;
  let lo = 0;
  let hi = c.table.cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (c.table.cum[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return c.table.ids[lo];
}

/** A seeded generator (mulberry32), so benchmark runs repeat exactly. */
export function seeded(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
