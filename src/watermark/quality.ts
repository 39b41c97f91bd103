import { markingChooser, type EmbedOptions } from './embed.js';
import { PhraseRewriter } from './rewriter.js';

/** A marked text with how many of its words the watermark changed. */
export interface MarkedWithStats {
  text: string;
  /** Whitespace-separated words of the original. */
  words: number;
  /** Words of the original inside phrases the watermark replaced. */
  changed: number;
}

/** Marks a text like `markText` and counts the words it changed. */
export function markWithStats(text: string, opts: EmbedOptions): MarkedWithStats {
  const choose = markingChooser(opts);
  let changed = 0;
  const r = new PhraseRewriter((op) => {
    const choice = choose(op);
    if (choice !== null && choice !== op.index)
      changed += op.set.variants[op.index].split(' ').length;
    return choice;
  });
  const out = r.push(text) + r.end();
  const words = text.split(/\s+/).filter((w) => w !== '').length;
  return { text: out, words, changed };
}

/**
 * The parts of a text the watermark must never change, in order: numbers, `#### N` final answer
 * lines, fenced and indented code, inline code, URLs and double-quoted strings. Comparing these
 * for a text and its marked version proves they are byte-identical.
 */
export function protectedParts(text: string): string[] {
  const parts: string[] = [];
  const grab = (re: RegExp): void => {
    for (const m of text.matchAll(re)) parts.push(m[0]);
  };
  grab(/\d+(?:[.,]\d+)*/g);
  grab(/^####.*$/gm);
  grab(/^(```|~~~)[\s\S]*?^\1/gm);
  grab(/^(?: {4}|\t).*$/gm);
  grab(/`[^`\n]+`/g);
  grab(/\b(?:https?:\/\/|www\.)\S+/g);
  grab(/"[^"\n]*"/g);
  return parts;
}
