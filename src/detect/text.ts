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

/**
 * Lower-case word tokens with every digit run replaced by `0`, so that prompts built from one
 * template with different numbers share a skeleton. At most MAX_WORDS words.
 */
export function skeletonWords(text: string): string[] {
  const lower = text.toLowerCase();
  const words: string[] = [];
  let start = -1;
  let digits = false;
  for (let i = 0; i <= lower.length; i++) {
    const c = i < lower.length ? lower.charCodeAt(i) : 32;
    const isDigit = c >= 48 && c <= 57;
    const isLetter = (c >= 97 && c <= 122) || c > 127 || c === 39;
    if (isDigit || isLetter) {
      if (start < 0) start = i;
      digits ||= isDigit;
      continue;
    }
    if (start >= 0) {
      words.push(digits ? '0' : lower.slice(start, i));
      if (words.length >= MAX_WORDS) break;
    }
    start = -1;
    digits = false;
  }
  return words;
}
