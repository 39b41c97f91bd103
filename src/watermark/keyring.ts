import { createHmac, randomBytes } from 'node:crypto';
import { MoatError } from '../core/errors.js';

/** One watermark key: a public id (printed by the verifier) and its secret. */
export interface WatermarkKey {
  id: string;
  secret: Buffer;
}

/**
 * The watermark keys: the active one marks new responses; older ones stay so that texts marked
 * before a rotation still verify.
 */
export class Keyring {
  private readonly byId = new Map<string, WatermarkKey>();

  constructor(
    keys: WatermarkKey[],
    readonly activeId: string,
  ) {
    for (const k of keys) this.byId.set(k.id, k);
    if (!this.byId.has(activeId)) {
      throw new MoatError('MOAT_ERR_CONFIG', `watermark.active_key: no key with id "${activeId}"`);
    }
  }

  /** The key that marks new responses. */
  active(): WatermarkKey {
    return this.byId.get(this.activeId)!;
  }

  /** A key by id, or a usage error naming the known ids. */
  get(id: string): WatermarkKey {
    const k = this.byId.get(id);
    if (k) return k;
    const known = [...this.byId.keys()].join(', ');
    throw new MoatError('MOAT_ERR_USAGE', `No watermark key "${id}" (known: ${known}).`);
  }

  /** Every key, active first. */
  all(): WatermarkKey[] {
    return [this.active(), ...[...this.byId.values()].filter((k) => k.id !== this.activeId)];
  }
}

/** A fresh random key (benchmarks and tests; production keys come from config). */
export function randomKey(id: string): WatermarkKey {
  return { id, secret: randomBytes(32) };
}

function digest(secret: Buffer, setId: string, context: string, round: number): Buffer {
  return createHmac('sha256', secret)
    .update(`moat-watermark-v1\x1f${setId}\x1f${context}\x1f${round}`)
    .digest();
}

/**
 * The member (0..k-1) the key picks for a set in a context: HMAC-SHA256 of the set and context,
 * reduced by rejection so that every member is exactly equally likely for an unknown key.
 */
export function keyedChoice(secret: Buffer, setId: string, context: string, k: number): number {
  const limit = Math.floor(0x1_0000_0000 / k) * k;
  for (let round = 0; ; round++) {
    const d = digest(secret, setId, context, round);
    for (let i = 0; i + 4 <= 24; i += 4) {
      const v = d.readUInt32BE(i);
      if (v < limit) return v % k;
    }
  }
}

/**
 * A keyed number in [0, 1) for a set and context, independent of the choice bits; used to mark
 * only a share of the opportunities when the strength is below 1.
 */
export function keyedUnit(secret: Buffer, setId: string, context: string): number {
  return digest(secret, setId, context, 0).readUInt32BE(28) / 0x1_0000_0000;
}
