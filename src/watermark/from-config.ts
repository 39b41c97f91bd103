import type { MoatConfig } from '../config/index.js';
import { MoatError } from '../core/errors.js';
import { log } from '../core/log.js';
import { watermarkSection } from './config.js';
import { createWatermarker, type Watermarker } from './marker.js';
import { sectionOf } from '../config/index.js';

/**
 * The watermark for `startGateway({ marker })` from a loaded config, or undefined when no key is
 * configured. A tier with `watermark: always` and no key is a config error, so a deployment never
 * relays unmarked text it promised to mark; `policy` tiers without a key only get a warning.
 */
export function watermarkerFromConfig(config: MoatConfig): Watermarker | undefined {
  const section = sectionOf(config, watermarkSection);
  const tiers = Object.entries(config.tiers);
  if (section.keys.length > 0) return createWatermarker(section);

  const always = tiers.filter(([, t]) => t.watermark === 'always').map(([name]) => name);
  if (always.length > 0) {
    throw new MoatError(
      'MOAT_ERR_CONFIG',
      `tiers ${always.join(', ')} set watermark: always, but watermark.keys is empty`,
    );
  }
  const policy = tiers.filter(([, t]) => t.watermark === 'policy').map(([name]) => name);
  if (policy.length > 0) {
    log.warn({ tiers: policy }, 'no watermark keys; policy decisions to watermark are not applied');
  }
  return undefined;
}
