import { MINHASH_K, VEC_DIM, type EventFeatures } from './features.js';

/** Numbers stored per event in a packed batch. */
const NUMS = 17;

/**
 * A batch of event features packed into a few flat arrays, so that a parsing thread can hand
 * them to the engine's thread cheaply (the typed arrays are transferred, not copied).
 */
export interface PackedBatch {
  count: number;
  /** Per event: account, tier, model, user agent, network, payment fingerprint, ISO time. */
  strings: string[];
  nums: Float64Array;
  minhash: Uint32Array;
  vec: Int8Array;
}

/** Packs features (with their ISO times) into one batch. */
export function pack(items: { f: EventFeatures; ts: string }[]): PackedBatch {
  const n = items.length;
  const strings: string[] = new Array(n * 7);
  const nums = new Float64Array(n * NUMS);
  const minhash = new Uint32Array(n * MINHASH_K);
  const vec = new Int8Array(n * VEC_DIM);
  items.forEach(({ f, ts }, i) => {
    const s = i * 7;
    strings[s] = f.account;
    strings[s + 1] = f.tier;
    strings[s + 2] = f.model;
    strings[s + 3] = f.ua;
    strings[s + 4] = f.net;
    strings[s + 5] = f.payment;
    strings[s + 6] = ts;
    const t = f.text;
    const o = i * NUMS;
    nums[o] = f.tsMs;
    nums[o + 1] = f.inTok;
    nums[o + 2] = f.outTok;
    nums[o + 3] = f.userTurns;
    nums[o + 4] = f.assistantTurns;
    nums[o + 5] = f.logprobs ? 1 : 0;
    nums[o + 6] = f.topLogprobs;
    nums[o + 7] = f.logitBias;
    nums[o + 8] = f.n;
    nums[o + 9] = f.scriptClient ? 1 : 0;
    nums[o + 10] = f.signupMs ?? NaN;
    nums[o + 11] = t ? 1 : 0;
    nums[o + 12] = t ? t.head : 0;
    nums[o + 13] = t ? t.tail : 0;
    nums[o + 14] = t ? t.topic : -1;
    nums[o + 15] = t?.cot ? 1 : 0;
    nums[o + 16] = t?.rubric ? 1 : 0;
    if (t) {
      minhash.set(t.minhash, i * MINHASH_K);
      vec.set(t.vec, i * VEC_DIM);
    }
  });
  return { count: n, strings, nums, minhash, vec };
}

/** Unpacks one event of a batch; the typed arrays of its text are views into the batch. */
export function unpack(b: PackedBatch, i: number): { f: EventFeatures; ts: string } {
  const s = i * 7;
  const o = i * NUMS;
  const nums = b.nums;
  const hasText = nums[o + 11] === 1;
  const f: EventFeatures = {
    tsMs: nums[o],
    account: b.strings[s],
    tier: b.strings[s + 1],
    model: b.strings[s + 2],
    inTok: nums[o + 1],
    outTok: nums[o + 2],
    userTurns: nums[o + 3],
    assistantTurns: nums[o + 4],
    logprobs: nums[o + 5] === 1,
    topLogprobs: nums[o + 6],
    logitBias: nums[o + 7],
    n: nums[o + 8],
    scriptClient: nums[o + 9] === 1,
    ua: b.strings[s + 3],
    net: b.strings[s + 4],
    payment: b.strings[s + 5],
    signupMs: Number.isNaN(nums[o + 10]) ? null : nums[o + 10],
    text: hasText
      ? {
          head: nums[o + 12],
          tail: nums[o + 13],
          topic: nums[o + 14],
          cot: nums[o + 15] === 1,
          rubric: nums[o + 16] === 1,
          minhash: b.minhash.subarray(i * MINHASH_K, (i + 1) * MINHASH_K),
          vec: b.vec.subarray(i * VEC_DIM, (i + 1) * VEC_DIM),
        }
      : null,
  };
  return { f, ts: b.strings[s + 6] };
}
