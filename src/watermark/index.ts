/**
 * Moat's response watermark: keyed, meaning-preserving word choices written into relayed text,
 * and an exact statistical test that finds them in a suspect model's answers. See
 * docs/watermark.md.
 */
export { createWatermarker, type Watermarker } from './marker.js';
export { watermarkerFromConfig } from './from-config.js';
export { parseWatermarkConfig, watermarkSection, type WatermarkConfig } from './config.js';
export { Keyring, randomKey, keyedChoice, type WatermarkKey } from './keyring.js';
export { markText, textMarker, type EmbedOptions } from './embed.js';
export {
  collectObservations,
  scoreKey,
  verifyObservations,
  verifyTexts,
  type Observation,
  type Verification,
} from './verify.js';
export { PhraseRewriter, type Opportunity, type Chooser } from './rewriter.js';
