import { Rng } from '../../sim/rng.js';
import type { PromptKind } from '../corpus.js';
import { FILLER, LANGS } from './words.js';

/** Guesses the kind of a prompt from its wording, to shape an answer that fits it. */
export function guessKind(prompt: string): PromptKind {
  const p = prompt.toLowerCase();
  if (/\b(function|code|program|script|class|sql|python|javascript|bug|compile)\b/.test(p)) {
    return 'code';
  }
  if (/\bhow (many|much)\b|\d+\s*(dollars|\$|apples|hours|minutes)|step[- ]by[- ]step/.test(p)) {
    return 'math';
  }
  if (/^(who|when|where|what year|which)\b/.test(p) && p.length < 120) return 'search';
  if (/\b(card|transfer|refund|account|pin|top up|payment)\b/.test(p)) return 'support';
  if (/\bact as\b|\byou are\b/.test(p)) return 'role';
  return 'chat';
}

/** Rough token count of a text (about four characters a token), as usage fields report it. */
export function countTokens(text: string): number {
  return Math.max(1, Math.round(text.length / 4));
}

/**
 * A plausible answer of about `tokens` tokens for a prompt the corpus does not know, shaped by
 * its kind (worked steps ending in `#### N` for maths, a code block for code, prose otherwise).
 * Deterministic for a given rng state.
 */
export function plausibleAnswer(
  prompt: string,
  kind: PromptKind,
  rng: Rng,
  tokens: number,
): string {
  const subject = prompt.replace(/\s+/g, ' ').trim().split(' ').slice(0, 8).join(' ');
  if (kind === 'math') return mathAnswer(rng, tokens);
  if (kind === 'code') return codeAnswer(subject, rng, tokens);
  if (kind === 'search') return searchAnswer(rng);
  if (kind === 'support') return supportAnswer(rng, tokens);
  return prose(`Here is a considered answer about "${subject}".`, rng, tokens);
}

/** Sentences from the filler list until the answer reaches its length. */
export function prose(lead: string, rng: Rng, tokens: number): string {
  const parts = [lead];
  let len = countTokens(lead);
  while (len < tokens) {
    const s = rng.pick(FILLER);
    parts.push(rng.chance(0.15) ? `\n\n${s}` : s);
    len += countTokens(s) + 1;
  }
  return parts.join(' ');
}

function mathAnswer(rng: Rng, tokens: number): string {
  const steps: string[] = [];
  let value = rng.range(2, 60);
  const lines = Math.max(2, Math.min(8, Math.round(tokens / 25)));
  for (let i = 0; i < lines; i++) {
    const k = rng.range(2, 9);
    const op = rng.pick(['+', '*', '-']);
    const next = op === '+' ? value + k : op === '*' ? value * k : Math.max(0, value - k);
    steps.push(`Step ${i + 1}: ${value} ${op} ${k} = <<${value}${op}${k}=${next}>>${next}.`);
    value = next;
  }
  return `${steps.join('\n')}\n#### ${value}`;
}

function codeAnswer(subject: string, rng: Rng, tokens: number): string {
  const lang = rng.pick(LANGS);
  const body: string[] = [];
  const lines = Math.max(3, Math.round(tokens / 12));
  for (let i = 0; i < lines; i++)
    body.push(`    step_${i} = transform(step_${i - 1 < 0 ? 'x' : i - 1})`);
  const code = ['def solve(x):', ...body, `    return step_${lines - 1}`].join('\n');
  const lead = `Here is one way to do it (${lang}-style pseudocode for "${subject}"):`;
  const fence = '```';
  const tail = 'Each step is small so it is easy to test on its own.';
  return `${lead}\n\n${fence}\n${code}\n${fence}\n\n${tail}`;
}

function searchAnswer(rng: Rng): string {
  const year = rng.range(1820, 2019);
  return rng.pick([`${year}`, `In ${year}.`, `It was around ${year}.`, `The answer is ${year}.`]);
}

function supportAnswer(rng: Rng, tokens: number): string {
  const lead = rng.pick([
    'I am sorry for the trouble.',
    'Thanks for reaching out.',
    'I can help with that.',
  ]);
  return prose(
    `${lead} Please open the app, go to Support, and follow the steps shown there.`,
    rng,
    tokens,
  );
}
