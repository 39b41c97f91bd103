import { Lexer, type Token } from './lexer.js';
import { FIRST_WORDS, MAX_PHRASE_WORDS, PHRASES_BY_FIRST, type Phrase } from './variants.js';
import type { VariantSet } from './variants.js';

/** One scoring opportunity: an occurrence of a set member in a context. */
export interface Opportunity {
  set: VariantSet;
  /** Index of the member the text holds. */
  index: number;
  /** The neighbouring words that, with the set, key the choice (`previous words|next words`). */
  context: string;
}

/** Picks the member to write for an opportunity, or null to leave the text as it is. */
export type Chooser = (op: Opportunity) => number | null;

const WORD = /^[("'“‘]*([A-Za-z]+(?:['’][A-Za-z]+)?)[.,;:!?)"'”’]*$/;
/** Tokens after a phrase that enter its context. */
const FOLLOW = 3;
/** Tokens before a phrase that enter its context (a line break counts as one). */
const PRECEDE = 1;
const PLAIN_WORD = /^[A-Za-z]+(?:['’][A-Za-z]+)?[.,;:!?)]{0,3}$/;

/**
 * Finds the variant-set phrases in a text as it streams by and rewrites each to the member the
 * chooser picks. The same class, with a chooser that only records, is the verifier's scanner, so
 * marking and scoring see exactly the same opportunities. Holds back at most the current phrase
 * and the three tokens after it.
 */
export class PhraseRewriter {
  private readonly lexer = new Lexer();
  private queue: Token[] = [];
  /** The last tokens written, as context words; `^` marks a line break. */
  private prevs: string[] = ['^'];

  constructor(private readonly choose: Chooser) {}

  /** Consumes the next piece of text; returns the text that is final. */
  push(text: string): string {
    for (const t of this.lexer.push(text)) this.queue.push(t);
    return this.drain(false);
  }

  /** The text ended: returns everything still held. */
  end(): string {
    for (const t of this.lexer.end()) this.queue.push(t);
    return this.drain(true);
  }

  private drain(final: boolean): string {
    let out = '';
    while (this.queue.length > 0) {
      const t = this.queue[0];
      const phrases = t.eligible ? PHRASES_BY_FIRST.get(normal(t.word)) : undefined;
      if (!phrases) {
        out += this.emitPlain();
        continue;
      }
      if (!final && !this.windowReady()) break;
      out += this.matchAt(phrases);
    }
    return out;
  }

  /** True when the queue holds a whole phrase and three tokens after it, or a line break. */
  private windowReady(): boolean {
    for (let i = 1; i < this.queue.length; i++) {
      if (i > MAX_PHRASE_WORDS + FOLLOW - 1 || breaks(this.queue[i])) return true;
    }
    return false;
  }

  private emitPlain(): string {
    const t = this.queue.shift()!;
    this.remember(t.ws, [t.text === '' ? '$' : context(t.text, false)]);
    return t.ws + t.text;
  }

  private matchAt(phrases: readonly Phrase[]): string {
    for (const p of phrases) {
      const op = this.opportunity(p);
      if (op) return this.apply(p, op);
    }
    return this.emitPlain();
  }

  private opportunity(p: Phrase): Opportunity | null {
    const n = p.words.length;
    const toks = this.queue.slice(0, n);
    if (toks.length < n || !toks.every((t, j) => fits(t, j, n, p.words[j]))) return null;

    const first = toks[0];
    const last = toks[n - 1];
    const after = this.queue[n];
    const next = after && !breaks(after) ? after : undefined;
    const pos = p.set.position;
    if ((pos === 'initial' || pos === 'initial-comma') && !first.initial) return null;
    if (pos === 'initial-comma' && !last.trail.startsWith(',')) return null;
    if (pos === 'final' && !last.trail.startsWith('.')) return null;
    if (pos === 'before-word' && (last.trail !== '' || !next || !PLAIN_WORD.test(next.text))) {
      return null;
    }

    if (p.set.nextWord && (last.trail !== '' || !next || !PLAIN_WORD.test(next.text))) return null;
    const nextWord = next ? context(next.text, false) : '$';
    if (p.set.notBefore?.includes(nextWord)) return null;
    const prevs = first.ws.includes('\n') ? [...this.prevs, '^'].slice(-PRECEDE) : this.prevs;
    const prev = prevs[prevs.length - 1];
    if (prev === 'a' || prev === 'an' || p.set.notAfter?.includes(prev)) return null;
    return { set: p.set, index: p.index, context: `${prevs.join(' ')}|${this.following(n)}` };
  }

  /**
   * The three tokens after a phrase as they enter the context. A word that starts a member reads
   * as `*` and ends the context there: it may be rewritten into a different number of words.
   */
  private following(n: number): string {
    const parts: string[] = [];
    for (let i = n; i < n + FOLLOW; i++) {
      const t = this.queue[i];
      if (!t || breaks(t)) {
        parts.push('$');
        break;
      }
      const c = context(t.text, true);
      parts.push(c);
      if (c === '*') break;
    }
    return parts.join(' ');
  }

  private apply(p: Phrase, op: Opportunity): string {
    const n = p.words.length;
    const toks = this.queue.splice(0, n);
    const first = toks[0];
    const last = toks[n - 1];
    let choice = this.choose(op);
    if (choice === null || choice === p.index || !this.stable(op.set.variants[choice])) {
      choice = p.index;
    }

    let variant = op.set.variants[choice];
    if (/^[A-Z]/.test(first.word)) variant = variant[0].toUpperCase() + variant.slice(1);
    if (toks.some((t) => t.word.includes('’'))) variant = variant.replace(/'/g, '’');
    const words = variant.split(' ');
    this.remember(first.ws, words.map(normal));
    return `${first.ws}${first.lead}${variant}${last.trail}`;
  }

  private remember(ws: string, words: string[]): void {
    if (ws.includes('\n')) this.prevs.push('^');
    this.prevs.push(...words);
    if (this.prevs.length > PRECEDE) this.prevs = this.prevs.slice(-PRECEDE);
  }

  /** False when the written member plus the following words would read as a longer phrase. */
  private stable(variant: string): boolean {
    const words = variant.split(' ');
    const longer = (PHRASES_BY_FIRST.get(words[0]) ?? []).filter(
      (q) => q.words.length > words.length,
    );
    return !longer.some((q) => {
      if (q.words.slice(0, words.length).join(' ') !== variant) return false;
      const rest = q.words.slice(words.length);
      return rest.every((w, j) => {
        const t = this.queue[j];
        return t !== undefined && fits(t, 1, 2, w);
      });
    });
  }
}

/** Whether token `t` can be word `j` of an `n`-word phrase whose word there is `want`. */
function fits(t: Token, j: number, n: number, want: string): boolean {
  if (!t.eligible || normal(t.word) !== want) return false;
  if (j > 0 && (t.ws !== ' ' || t.lead !== '' || /[A-Z]/.test(t.word))) return false;
  return j === n - 1 || t.trail === '';
}

function breaks(t: Token): boolean {
  return t.text === '' || t.ws.includes('\n');
}

function normal(word: string): string {
  return word.toLowerCase().replace(/’/g, "'");
}

/**
 * A neighbour as it enters the keyed context: a word in lower case, any digit-bearing token as
 * `0`, anything else as `#`. For the next words, a word that starts a member reads as `*`,
 * because it may itself be rewritten after this choice is made.
 */
function context(text: string, isNext: boolean): string {
  const m = WORD.exec(text);
  if (m) {
    const w = normal(m[1]);
    return isNext && FIRST_WORDS.has(w) ? '*' : w;
  }
  return /\d/.test(text) ? '0' : '#';
}
