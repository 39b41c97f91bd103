/**
 * Exact one-sided tail probabilities for the verifier. Under the null (a text written without the
 * key) each distinct opportunity agrees with the keyed pick with probability exactly 1/k, where k
 * is its set's size, independently of the others; the number of agreements is therefore a sum of
 * binomials, one per set size. Everything is computed in log space so that thousands of
 * opportunities and p-values far below 1e-300 stay exact to floating-point precision.
 */

const logFactorials: number[] = [0];

function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++)
    logFactorials[i] = logFactorials[i - 1] + Math.log(i);
  return logFactorials[n];
}

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const hi = Math.max(a, b);
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}

/** log P(X = x) for X ~ Binomial(n, p), for every x in 0..n. */
export function binomialLogPmf(n: number, p: number): number[] {
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  const out = new Array<number>(n + 1);
  for (let x = 0; x <= n; x++) {
    out[x] = logFactorial(n) - logFactorial(x) - logFactorial(n - x) + x * lp + (n - x) * lq;
  }
  return out;
}

/** Adds `w * X` to a distribution over sums, X with log pmf `pmf`. */
function convolveScaled(a: number[], pmf: number[], w: number): number[] {
  const out = new Array<number>(a.length + w * (pmf.length - 1)).fill(-Infinity);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === -Infinity) continue;
    for (let x = 0; x < pmf.length; x++) out[i + w * x] = logAdd(out[i + w * x], a[i] + pmf[x]);
  }
  return out;
}

/** log P(X >= t) for every t in 0..n+1, summed from the top so no term is lost. */
function logSurvival(pmf: number[]): number[] {
  const out = new Array<number>(pmf.length + 1).fill(-Infinity);
  for (let t = pmf.length - 1; t >= 0; t--) out[t] = logAdd(out[t + 1], pmf[t]);
  return out;
}

/** A group of opportunities sharing one null agreement probability and one weight. */
export interface Group {
  /** Number of distinct opportunities. */
  n: number;
  /** Agreement probability under the null (1/k). */
  p: number;
  /** Whole-number weight of an agreement (default 1). */
  w?: number;
}

/**
 * log P(S >= m) where S is the sum of independent w_i * Binomial(n_i, p_i), w_i whole numbers.
 * The largest group enters through its survival function and the others by exact convolution,
 * so no term is dropped and the cost stays near (sum of the other groups' weights)^2.
 */
export function logUpperTail(groups: Group[], m: number): number {
  if (m <= 0) return 0;
  const used = groups.filter((g) => g.n > 0).sort((a, b) => b.n - a.n);
  if (used.length === 0) return -Infinity;

  const big = used[0];
  const bigW = big.w ?? 1;
  const survival = logSurvival(binomialLogPmf(big.n, big.p));
  let rest = [0];
  for (const g of used.slice(1)) rest = convolveScaled(rest, binomialLogPmf(g.n, g.p), g.w ?? 1);

  let tail = -Infinity;
  for (let s = 0; s < rest.length; s++) {
    if (rest[s] === -Infinity) continue;
    const need = Math.max(0, Math.ceil((m - s) / bigW));
    if (need < survival.length) tail = logAdd(tail, rest[s] + survival[need]);
  }
  return Math.min(0, tail);
}
