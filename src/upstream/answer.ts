import { countTokens, guessKind, plausibleAnswer } from '../data/builtin/answers.js';
import type { Corpus, PromptKind } from '../data/corpus.js';
import { Rng } from '../sim/rng.js';

/** Typical answer length in tokens per kind, used when the corpus has no answer. */
const TYPICAL_TOKENS: Record<PromptKind, number> = {
  chat: 320,
  role: 260,
  code: 220,
  math: 130,
  support: 90,
  search: 12,
};

/** One generated answer split into the tokens it is streamed as. */
export interface Completion {
  text: string;
  tokens: string[];
  /** True when max_tokens cut the answer short. */
  truncated: boolean;
}

/** Splits text into token-sized pieces: up to four characters with their leading space. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S{1,4}|\s+/g) ?? [];
}

/**
 * The answers a replay upstream gives for one request: choice 0 is the corpus answer when the
 * prompt is in a set that carries one, else a plausible answer of realistic length; further
 * choices (n > 1) vary unless temperature is 0. Each is cut at `maxTokens`. `lengthHint` sets
 * the length of a generated answer (the simulator draws it from real token-size traces).
 */
export function answersFor(
  corpus: Corpus,
  prompt: string,
  opts: { n: number; maxTokens?: number; temperature?: number; lengthHint?: number },
): Completion[] {
  const item = corpus.answerFor(prompt);
  const kind = item?.kind ?? guessKind(prompt);
  const rng = new Rng(prompt);
  const typical = Math.round(rng.logNormal(TYPICAL_TOKENS[kind], 0.5));
  const length = Math.max(4, opts.lengthHint ?? typical);
  const first = item?.answer ?? plausibleAnswer(prompt, kind, rng, length);

  const out: Completion[] = [];
  for (let i = 0; i < Math.max(1, opts.n); i++) {
    const same = i === 0 || opts.temperature === 0;
    const text = same ? first : plausibleAnswer(prompt, kind, Rng.derive(prompt, `n${i}`), length);
    out.push(cut(text, opts.maxTokens));
  }
  return out;
}

function cut(text: string, maxTokens: number | undefined): Completion {
  const tokens = tokenize(text);
  if (!maxTokens || tokens.length <= maxTokens) return { text, tokens, truncated: false };
  const kept = tokens.slice(0, Math.max(1, maxTokens));
  return { text: kept.join(''), tokens: kept, truncated: true };
}

/** Input token count as usage reports it. */
export function inputTokens(text: string): number {
  return countTokens(text);
}

/** A plausible log-probability for a token, stable for the same token at the same position. */
export function tokenLogprob(token: string, position: number): number {
  const r = new Rng(`${position}:${token}`).next();
  return -Math.round(r * r * 3000) / 1000;
}

/** Alternatives for top_logprobs: the chosen token first, then lower-probability variants. */
export function topAlternatives(token: string, position: number, k: number): [string, number][] {
  const best = tokenLogprob(token, position);
  const variants = [token.trim(), token.toUpperCase(), ` the`, ` a`, `,`, ` and`, `.`, ` of`];
  const out: [string, number][] = [[token, best]];
  for (let i = 0; out.length < k && i < variants.length + k; i++) {
    const alt = variants[i] ?? `${token}${i}`;
    if (out.some(([t]) => t === alt)) continue;
    out.push([alt, best - 1 - out.length * 0.7]);
  }
  return out.slice(0, k);
}

/** A deterministic unit embedding of the text (hashed character trigrams). */
export function embed(text: string, dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  const t = ` ${text.toLowerCase()} `;
  for (let i = 0; i + 3 <= t.length; i++) {
    const r = new Rng(t.slice(i, i + 3));
    v[r.int(dims)] += r.chance(0.5) ? 1 : -1;
  }
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}
