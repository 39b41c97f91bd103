import { fmix32, hash32 } from './hash.js';
import type { MoatEvent } from '../core/event.js';

/** The parts of a request's text the signals look at, cut to a bounded size. */
export interface PromptText {
  /** The last user turn (or the whole prompt), head and tail kept when long. */
  user: string;
  /** The system prompt, if any, cut to a bounded size. */
  system: string;
  /** Number of user turns in the request. */
  userTurns: number;
  /** Number of assistant turns in the request (earlier answers sent back). */
  assistantTurns: number;
}

const HEAD = 900;
const TAIL = 300;
const SYSTEM_MAX = 600;
const MAX_WORDS = 160;

/** Text of a message content that may be a string or a list of parts (`{type, text}`). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const part of content) {
    if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') {
      out += `${(part as { text: string }).text} `;
    }
  }
  return out;
}

/** Keeps the head and the tail of a long text: templates sit at either end. */
function clip(text: string): string {
  if (text.length <= HEAD + TAIL) return text;
  return `${text.slice(0, HEAD)} ${text.slice(text.length - TAIL)}`;
}

/**
 * Extracts the prompt text of an event, or null when the log kept no text. Per-event work is
 * bounded: only the last user turn and the start of the system prompt are read.
 */
export function promptText(event: MoatEvent): PromptText | null {
  const input = event.input;
  if (!input) return null;
  if (typeof input.prompt === 'string' && input.prompt !== '') {
    return { user: clip(input.prompt), system: '', userTurns: 1, assistantTurns: 0 };
  }

  const messages = Array.isArray(input.messages) ? input.messages : [];
  let user = '';
  let system = '';
  let userTurns = 0;
  let assistantTurns = 0;
  for (const m of messages) {
    if (!m || typeof m !== 'object') continue;
    if (m.role === 'user') {
      userTurns++;
      user = contentText(m.content);
    } else if (m.role === 'assistant') {
      assistantTurns++;
    } else if (m.role === 'system' || m.role === 'developer') {
      system = contentText(m.content).slice(0, SYSTEM_MAX);
    }
  }
  if (user === '' && system === '') return null;
  return { user: clip(user), system, userTurns, assistantTurns };
}

const FNV_SEED = 0x811c9dc5;
const scratch = new Uint32Array(MAX_WORDS);

/**
 * Hashes of the text's lower-case word tokens, with every word holding a digit hashed as `0`,
 * so prompts built from one template with different numbers share a skeleton. Equal to
 * `hash32(word)` of each lower-cased word; no substring is allocated. At most MAX_WORDS words;
 * the returned view is reused by the next call.
 */
export function skeletonHashes(text: string): Uint32Array {
  let n = 0;
  let h = FNV_SEED;
  let inWord = false;
  let digits = false;
  const len = text.length;
  for (let i = 0; i <= len; i++) {
    let c = i < len ? text.charCodeAt(i) : 32;
    if (c >= 65 && c <= 90) c += 32;
    const isDigit = c >= 48 && c <= 57;
    if (isDigit || (c >= 97 && c <= 122) || c > 127 || c === 39) {
      inWord = true;
      digits ||= isDigit;
      h = Math.imul(h ^ c, 0x01000193);
      continue;
    }
    if (!inWord) continue;
    scratch[n++] = digits ? ZERO : fmix32(h);
    if (n >= MAX_WORDS) break;
    h = FNV_SEED;
    inWord = false;
    digits = false;
  }
  return scratch.subarray(0, n);
}

const ZERO = hash32('0');

const WORD = /[a-z0-9'\u0080-\uffff]+/g;
const DIGIT = /[0-9]/;

/**
 * Lower-case word tokens with every word holding a digit replaced by `0`: the same skeleton as
 * `skeletonHashes`, as strings, for callers that need the words themselves.
 */
export function skeletonWords(text: string): string[] {
  const found = text.toLowerCase().match(WORD);
  if (!found) return [];
  const words = found.length > MAX_WORDS ? found.slice(0, MAX_WORDS) : found;
  for (let i = 0; i < words.length; i++) if (DIGIT.test(words[i])) words[i] = '0';
  return words;
}
