import type { MoatEvent } from '../core/event.js';
import { combine32, hash32 } from './hash.js';
import { COT_PATTERN, RUBRIC_PATTERN, isScriptClient } from './patterns.js';
import { promptText, skeletonHashes } from './text.js';
import { topicOf } from './topics.js';

/** Dimensions of the hashed n-gram vector used by the distribution tests. */
export const VEC_DIM = 32;

/**
 * Number of MinHash bins per prompt. One-permutation hashing: each shingle's hash picks a bin
 * by its top 4 bits and competes for that bin's minimum, so a shingle costs one comparison.
 */
export const MINHASH_K = 16;

/** Value of a MinHash bin that no shingle reached. */
export const EMPTY_BIN = 0xffffffff;

/** What one prompt's text contributes, computed once per event. */
export interface TextFeatures {
  /** One-permutation MinHash of the skeleton's word and word-pair shingles (MINHASH_K bins). */
  minhash: Uint32Array;
  /**
   * Template keys: hashes of the skeleton's first six and last four words (the whole skeleton
   * when shorter). Prompts built from one wrapper share the head or the tail key.
   */
  head: number;
  tail: number;
  /** Topic index, or -1 when the lexicon has no word of the prompt. */
  topic: number;
  /** Signed hashed unigram+bigram counts, L2-normalised and scaled to int8. */
  vec: Int8Array;
  cot: boolean;
  rubric: boolean;
}

/** Everything the engine reads from one event; the event itself is not kept. */
export interface EventFeatures {
  tsMs: number;
  account: string;
  tier: string;
  model: string;
  inTok: number;
  outTok: number;
  userTurns: number;
  assistantTurns: number;
  text: TextFeatures | null;
  logprobs: boolean;
  topLogprobs: number;
  logitBias: number;
  n: number;
  ua: string;
  scriptClient: boolean;
  /** IPv4 /24 or IPv6 /48 prefix; '' when unknown. */
  net: string;
  payment: string;
  signupMs: number | null;
}

/** The network prefix of an address: /24 for IPv4, the first three groups for IPv6. */
export function netPrefix(ip: string): string {
  if (!ip) return '';
  if (ip.includes(':')) return ip.split(':').slice(0, 3).join(':');
  const parts = ip.split('.');
  return parts.length === 4 ? `${parts[0]}.${parts[1]}.${parts[2]}` : ip;
}

function textFeatures(user: string, system: string): TextFeatures {
  const words = skeletonHashes(user);
  const minhash = new Uint32Array(MINHASH_K).fill(EMPTY_BIN);
  const vec = new Float32Array(VEC_DIM);
  for (let i = 0; i < words.length; i++) {
    addShingle(minhash, vec, words[i]);
    if (i > 0) addShingle(minhash, vec, combine32(words[i - 1], words[i]));
  }

  const head = span(words, 0, Math.min(6, words.length), 0x7e3a);
  const tail = words.length >= 10 ? span(words, words.length - 4, words.length, 0x51d7) : head;
  const lower = `${user}\n${system}`.toLowerCase();
  return {
    minhash,
    head,
    tail,
    topic: topicOf(words),
    vec: quantise(vec),
    cot: COT_PATTERN.test(lower),
    rubric: RUBRIC_PATTERN.test(lower),
  };
}

/** Hash of words [from, to). */
function span(words: Uint32Array, from: number, to: number, seed: number): number {
  let h = seed;
  for (let i = from; i < to; i++) h = combine32(h, words[i]);
  return h;
}

function addShingle(minhash: Uint32Array, vec: Float32Array, h: number): void {
  const bin = h >>> 28;
  const v = h & 0x0fffffff;
  if (v < minhash[bin]) minhash[bin] = v;
  vec[h % VEC_DIM] += h & 0x8000 ? 1 : -1;
}

/** L2-normalises a vector and scales it to int8 (all zeros stays zeros). */
export function quantise(vec: Float32Array): Int8Array {
  let norm = 0;
  for (let i = 0; i < vec.length; i++) norm += vec[i] * vec[i];
  const out = new Int8Array(vec.length);
  if (norm === 0) return out;
  const scale = 127 / Math.sqrt(norm);
  for (let i = 0; i < vec.length; i++) out[i] = Math.round(vec[i] * scale);
  return out;
}

/** Extracts the features of one event. Work is bounded by the clipped prompt size. */
export function extractFeatures(event: MoatEvent): EventFeatures {
  const prompt = promptText(event);
  const params = event.params ?? {};
  const client = event.client ?? { ip: '' };
  const signup = client.signup_ts ? Date.parse(client.signup_ts) : NaN;
  const text = prompt && prompt.user !== '' ? textFeatures(prompt.user, prompt.system) : null;
  return {
    tsMs: Date.parse(event.ts),
    account: event.account,
    tier: event.tier ?? 'default',
    model: event.model ?? 'unknown',
    inTok: Math.max(0, event.usage?.input_tokens ?? 0),
    outTok: Math.max(0, event.usage?.output_tokens ?? 0),
    userTurns: prompt ? prompt.userTurns : 1,
    assistantTurns: prompt ? prompt.assistantTurns : 0,
    text,
    logprobs: params.logprobs === true || (params.top_logprobs ?? 0) > 0,
    topLogprobs: Number(params.top_logprobs) || 0,
    logitBias: Number(params.logit_bias) || 0,
    n: Number(params.n) || 1,
    ua: client.user_agent ?? '',
    scriptClient: isScriptClient(client.user_agent),
    net: netPrefix(client.ip ?? ''),
    payment: client.payment_fp ?? '',
    signupMs: Number.isNaN(signup) ? null : signup,
  };
}
