import { VEC_DIM } from './features.js';
import { Rng } from './hash.js';
import { RING, type Profile } from './profile.js';

const SCALE = 127 * 127;
const REF_SIZE = 64;
/** Most recent prompts of a profile used as the test window. */
const WINDOW = 32;

/** RBF kernel between two int8 unit vectors, with sigma^2 = 1. */
function kernel(a: Int8Array, ai: number, b: Int8Array, bi: number): number {
  let dot = 0;
  for (let k = 0; k < VEC_DIM; k++) dot += a[ai + k] * b[bi + k];
  return Math.exp(-(1 - dot / SCALE));
}

/** Mean kernel value over distinct pairs of one set (the within-set MMD term). */
function selfTerm(v: Int8Array, count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) {
    for (let j = i + 1; j < count; j++) sum += kernel(v, i * VEC_DIM, v, j * VEC_DIM);
  }
  return count > 1 ? (2 * sum) / (count * (count - 1)) : 0;
}

/**
 * A reservoir sample of prompt vectors from low-risk traffic seen so far: the benign reference
 * the distribution-shift test compares an account's window against. Deterministic (seeded).
 */
export class BenignReference {
  readonly vecs = new Int8Array(REF_SIZE * VEC_DIM);
  count = 0;
  seen = 0;
  private rng = new Rng(0x5eed);
  private cachedSelf = NaN;
  private changes = 0;

  /** Offers one benign prompt vector to the reservoir. */
  offer(vec: Int8Array): void {
    this.seen++;
    if (this.count < REF_SIZE) {
      this.vecs.set(vec, this.count++ * VEC_DIM);
      this.changes++;
      return;
    }
    const j = Math.floor(this.rng.next() * this.seen);
    if (j >= REF_SIZE) return;
    this.vecs.set(vec, j * VEC_DIM);
    this.changes++;
  }

  /** Whether the reference holds enough prompts to test against. */
  ready(): boolean {
    return this.count >= REF_SIZE;
  }

  /** The within-reference kernel mean, recomputed after 16 changes. */
  self(): number {
    if (Number.isNaN(this.cachedSelf) || this.changes >= 16) {
      this.cachedSelf = selfTerm(this.vecs, this.count);
      this.changes = 0;
    }
    return this.cachedSelf;
  }
}

/** Squared MMD (unbiased within-set terms) between a profile's recent prompts and the reference. */
export function mmdAgainst(p: Profile, ref: BenignReference): number {
  const kept = Math.min(p.ringCount, RING);
  const n = Math.min(kept, WINDOW);
  const window = new Int8Array(n * VEC_DIM);
  for (let i = 0; i < n; i++) {
    const slot = (p.ringCount - 1 - i) % RING;
    window.set(p.vecs.subarray(slot * VEC_DIM, (slot + 1) * VEC_DIM), i * VEC_DIM);
  }
  let cross = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < ref.count; j++) cross += kernel(window, i * VEC_DIM, ref.vecs, j * VEC_DIM);
  }
  return selfTerm(window, n) + ref.self() - (2 * cross) / (n * ref.count);
}

/** Inverse of the standard normal CDF (Acklam's rational approximation). */
export function normalQuantile(q: number): number {
  const a = [-39.6968302866538, 220.946098424521, -275.928510446969, 138.357751867269];
  const a2 = [-30.6647980661472, 2.50662827745924];
  const b = [-54.4760987982241, 161.585836858041, -155.698979859887, 66.8013118877197];
  const b2 = -13.2806815528857;
  const c = [-0.00778489400243029, -0.322396458041136, -2.40075827716184, -2.54973253934373];
  const c2 = [4.37466414146497, 2.93816398269878];
  const d = [0.00778469570904146, 0.32246712907004, 2.445134137143, 3.75440866190742];
  if (q < 0.02425) {
    const t = Math.sqrt(-2 * Math.log(q));
    return (
      (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c2[0]) * t + c2[1]) /
      ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1)
    );
  }
  if (q > 1 - 0.02425) return -normalQuantile(1 - q);
  const t = q - 0.5;
  const r = t * t;
  const num = ((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a2[0]) * r + a2[1];
  return (num * t) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b2) * r + 1);
}

/**
 * Shapiro-Francia W' of a sample: the squared correlation between the sorted values and normal
 * scores. Near 1 for normal data; NaN for fewer than 16 finite values or no spread.
 */
export function shapiroFrancia(values: ArrayLike<number>): number {
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) xs.push(values[i]);
  const n = xs.length;
  if (n < 16) return NaN;
  xs.sort((x, y) => x - y);

  let mx = 0;
  for (const x of xs) mx += x / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const m = normalQuantile((i + 1 - 0.375) / (n + 0.25));
    sxy += (xs[i] - mx) * m;
    sxx += (xs[i] - mx) ** 2;
    syy += m * m;
  }
  if (sxx < 1e-12) return NaN;
  return (sxy * sxy) / (sxx * syy);
}
