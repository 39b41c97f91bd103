import { Rng } from '../../sim/rng.js';
import type { ArrivalWindow, TokenSize, TraceBank } from '../traces.js';

const WINDOWS = 14 * 144;

/**
 * Synthetic arrival traces and token sizes for a fresh clone, shaped like the real ones:
 * a diurnal cycle with a per-client phase, quieter weekends, idle days, and bursts, with
 * heavy-tailed Gamma gaps. Deterministic for the seed.
 */
export function builtinTraces(seed = 'moat-builtin-traces', clients = 48): TraceBank {
  const rng = new Rng(seed);
  const list: ArrivalWindow[][] = [];
  for (let c = 0; c < clients; c++) list.push(syntheticClient(rng));
  const chatSizes = sizes(rng, 4000, 900, 0.9, 180, 0.8);
  const longSizes = sizes(rng, 4000, 7000, 0.6, 350, 0.7);
  return { source: 'builtin', clients: list, chatSizes, longSizes };
}

function syntheticClient(rng: Rng): ArrivalWindow[] {
  const base = rng.logNormal(0.5, 0.8);
  const phase = rng.next() * 24;
  const weekend = 0.3 + rng.next() * 0.6;
  const cv = 1 + rng.next() * 6;
  const idleDays = new Set([rng.int(14), rng.chance(0.4) ? rng.int(14) : -1]);
  const out: ArrivalWindow[] = [];

  for (let w = 0; w < WINDOWS; w++) {
    const day = Math.floor(w / 144);
    const hour = ((w % 144) / 6 + phase) % 24;
    const diurnal = 0.15 + 0.85 * Math.max(0, Math.sin(((hour - 6) / 24) * 2 * Math.PI)) ** 2;
    const week = day % 7 >= 5 ? weekend : 1;
    const burst = rng.chance(0.01) ? 4 + rng.next() * 8 : 1;
    let rate = base * diurnal * week * burst * (0.8 + rng.next() * 0.4);
    if (idleDays.has(day) || rng.chance(0.03)) rate = 0;
    const shape = 1 / (cv * cv);
    out.push({
      start: w * 600,
      rate,
      cv,
      dist: rate > 0 ? 'Gamma' : '',
      shape,
      scale: 1 / (rate * shape || 1),
    });
  }
  return out;
}

function sizes(rng: Rng, n: number, inMed: number, inSig: number, outMed: number, outSig: number) {
  const out: TokenSize[] = [];
  for (let i = 0; i < n; i++) {
    const input = Math.max(8, Math.round(rng.logNormal(inMed, inSig)));
    const output = Math.max(1, Math.round(rng.logNormal(outMed, outSig)));
    out.push({ input, output });
  }
  return out;
}
