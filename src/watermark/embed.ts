import { keyedChoice, keyedUnit, type WatermarkKey } from './keyring.js';
import { PhraseRewriter, type Chooser } from './rewriter.js';

/** How the watermark writes: which key, and the share of opportunities it marks (0, 1]. */
export interface EmbedOptions {
  key: WatermarkKey;
  strength: number;
}

/**
 * The chooser that marks: the keyed member for each opportunity, or no change for the share of
 * opportunities left out when the strength is below 1 (also chosen by the key).
 */
export function markingChooser(opts: EmbedOptions): Chooser {
  const { key, strength } = opts;
  return (op) => {
    const k = op.set.variants.length;
    if (strength < 1 && keyedUnit(key.secret, op.set.id, op.context) >= strength) return null;
    return keyedChoice(key.secret, op.set.id, op.context, k);
  };
}

/** A rewriter that marks one text incrementally (`push` chunks, then `end`). */
export function textMarker(opts: EmbedOptions): PhraseRewriter {
  return new PhraseRewriter(markingChooser(opts));
}

/** Marks a complete text. Equal to pushing it through `textMarker` in any chunks. */
export function markText(text: string, opts: EmbedOptions): string {
  const r = textMarker(opts);
  return r.push(text) + r.end();
}
