import type { ArrivalWindow } from '../data/traces.js';
import type { Rng } from './rng.js';

/** When an account sends its next request: virtual seconds since the scenario start. */
export interface Arrivals {
  /** The next arrival strictly after `t`, or null when the process has ended. */
  next(t: number): number | null;
}

const WINDOW_S = 600;
const MIN_GAP_S = 0.05;

function logGamma(x: number): number {
  const g = [
    676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  let a = 0.99999999999980993;
  const t = x + 6.5;
  for (let i = 0; i < 8; i++) a += g[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x - 0.5) * Math.log(t) - t + Math.log(a);
}

/** A gap drawn from the window's law, rescaled to mean 1 so only its shape is kept. */
function unitGap(w: ArrivalWindow, rng: Rng): number {
  const shape = Math.max(0.05, w.shape || 1);
  if (w.dist === 'Weibull') return rng.weibull(shape, 1) / Math.exp(logGamma(1 + 1 / shape));
  return rng.gamma(shape, 1) / shape;
}

/**
 * Arrivals that follow a real ServeGen client: its 10-minute rates (diurnal rhythm, bursts,
 * quiet days) and the shape of its gap distribution, scaled so the account sends about
 * `perDay` requests a day on average over the first `spanS` seconds. `offsetS` picks where in
 * the trace the scenario starts.
 */
export class TraceArrivals implements Arrivals {
  private readonly scale: number;
  private readonly span: number;

  constructor(
    private readonly windows: ArrivalWindow[],
    perDay: number,
    private readonly rng: Rng,
    private readonly offsetS = 0,
    spanS = windows.length * WINDOW_S,
  ) {
    const first = Math.floor(offsetS / WINDOW_S);
    const count = Math.max(1, Math.min(windows.length, Math.ceil(spanS / WINDOW_S)));
    let sum = 0;
    for (let i = 0; i < count; i++) sum += windows[(first + i) % windows.length].rate;
    const mean = sum / count;
    this.scale = mean > 0 ? perDay / 86_400 / mean : 0;
    this.span = windows.length * WINDOW_S;
  }

  /**
   * Draws a gap of unit mean in expected-arrival units and walks the windows until the rate
   * has accumulated that much (time rescaling), so heavy-tailed gaps carry across idle
   * windows and the long-run volume matches the trace's.
   */
  next(t: number): number | null {
    if (this.scale <= 0) return null;
    const w0 = this.windowAt(t);
    let need = unitGap(w0, this.rng);
    let now = t;
    for (let guard = 0; guard < this.windows.length * 2; guard++) {
      const tt = (now + this.offsetS) % this.span;
      const w = this.windows[Math.floor(tt / WINDOW_S)];
      const left = WINDOW_S - (tt % WINDOW_S);
      const rate = w.rate * this.scale;
      if (rate * left >= need) return Math.max(t + MIN_GAP_S, now + need / rate);
      need -= rate * left;
      now += left;
    }
    return null;
  }

  private windowAt(t: number): ArrivalWindow {
    const tt = (t + this.offsetS) % this.span;
    return this.windows[Math.floor(tt / WINDOW_S)];
  }
}

/**
 * A whole-day offset into a trace at which the client is active during the scenario, so that
 * an account drawn onto a client that sleeps for days still sends something; tries each start
 * day in random order and keeps the busiest if none reaches half the client's mean rate.
 */
export function activeOffset(windows: ArrivalWindow[], spanS: number, rng: Rng): number {
  const days = Math.max(1, Math.floor((windows.length * WINDOW_S) / 86_400));
  const mean = windows.reduce((s, w) => s + w.rate, 0) / Math.max(1, windows.length);
  const span = Math.ceil(spanS / WINDOW_S);
  let best = 0;
  let bestRate = -1;
  for (const day of rng.shuffle([...Array(days).keys()])) {
    let sum = 0;
    for (let i = 0; i < span; i++) sum += windows[(day * 144 + i) % windows.length].rate;
    const rate = sum / span;
    if (rate >= mean * 0.5) return day * 86_400;
    if (rate > bestRate) [best, bestRate] = [day * 86_400, rate];
  }
  return best;
}

/**
 * Scripted arrivals at a steady rate: gaps of mean 86400/perDay, spread by `jitter` (0 =
 * clockwork, 1 = Poisson). `diurnal` thins arrivals at night like a human-facing service.
 */
export class SteadyArrivals implements Arrivals {
  constructor(
    private readonly perDay: number,
    private readonly rng: Rng,
    private readonly jitter = 0.1,
    private readonly diurnal = false,
    private readonly phaseH = 0,
  ) {}

  next(t: number): number | null {
    const mean = 86_400 / Math.max(1e-6, this.perDay);
    let at = t;
    for (let guard = 0; guard < 10_000; guard++) {
      const spread = this.rng.exponential(mean);
      const fixed = mean * (1 + 0.2 * (this.rng.next() - 0.5));
      at += Math.max(MIN_GAP_S, this.jitter * spread + (1 - this.jitter) * fixed);
      if (!this.diurnal) return at;
      const hour = (at / 3600 + this.phaseH) % 24;
      const p = 0.1 + 0.9 * Math.max(0, Math.sin(((hour - 6) / 24) * 2 * Math.PI)) ** 2;
      if (this.rng.chance(p)) return at;
    }
    return null;
  }
}

/**
 * Batch jobs: at each job start the account sends `jobSize` requests back to back at
 * `perSecond`, then nothing until the next job. `starts` are the job start times.
 */
export class BatchArrivals implements Arrivals {
  private job = 0;
  private sent = 0;

  constructor(
    private readonly starts: number[],
    private readonly jobSize: number,
    private readonly perSecond: number,
    private readonly rng: Rng,
  ) {}

  next(t: number): number | null {
    while (this.job < this.starts.length) {
      if (this.sent >= this.jobSize) {
        this.job++;
        this.sent = 0;
        continue;
      }
      const start = this.starts[this.job];
      const at = Math.max(t, start) + this.rng.exponential(1 / this.perSecond);
      this.sent++;
      return at;
    }
    return null;
  }
}
