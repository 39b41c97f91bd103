import { createHash } from 'node:crypto';
import { log } from '../core/log.js';
import type { PromptItem } from '../data/corpus.js';
import { createWatermarker, type Watermarker } from '../watermark/marker.js';
import { protectedParts, markWithStats } from '../watermark/quality.js';
import { collectObservations, verifyObservations } from '../watermark/verify.js';
import { benchCorpus } from './watermark-corpus.js';
import { harvestThroughGateway } from './watermark-harvest.js';
import { NgramModel, seeded, type Rng } from './watermark-ngram.js';

/** Settings of one benchmark run. */
export interface WatermarkBenchOptions {
  seed: number;
  /** Watermarked shares of the imitation's training data. */
  shares: number[];
  /** Probe counts at which each imitation is verified (the largest is sampled). */
  probes: number[];
  /** Cap on harvested training answers. */
  maxTrain: number;
}

export const DEFAULT_WATERMARK_BENCH: WatermarkBenchOptions = {
  seed: 1,
  shares: [1, 0.5, 0.1, 0.05],
  probes: [100, 250, 500, 1000],
  maxTrain: 12_000,
};

/** One imitation verified with one number of probes. */
export interface SurrogatePoint {
  watermarked_share: number;
  probes: number;
  p_value: number;
  log10_p: number;
  opportunities: number;
  matches: number;
}

/** The result, as written by `--json`. */
export interface WatermarkBenchResult {
  data: 'real' | 'builtin';
  harvest: { answers: number; via: 'gateway'; streamed: number; stream_mismatches: number };
  /** Share of harvested words the watermark changed. */
  words_changed: number;
  /** Harvested answers whose numbers, final answers, code, URLs and quotes changed (must be 0). */
  protected_changed: number;
  surrogates: SurrogatePoint[];
  clean: SurrogatePoint;
  clean_curve: SurrogatePoint[];
  imitation: string;
  /** Probe prompts are never in the imitation's training data. */
  held_out: boolean;
  probe_set: string;
  key_id: string;
  seconds: number;
}

/** The set the probe prompts are drawn from (held out from training). */
const PROBE_SET = 'gsm8k';

function shuffle<T>(items: T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function benchKeySecret(seed: number): Buffer {
  return createHash('sha256').update(`moat-watermark-bench-${seed}`).digest();
}

/**
 * Trains an imitation on the given share of watermarked answers and verifies samples drawn with
 * the held-out probe prompts, at every probe count.
 */
function imitate(
  share: number,
  train: PromptItem[],
  marked: string[],
  probes: PromptItem[],
  opts: WatermarkBenchOptions,
  marker: Watermarker,
): SurrogatePoint[] {
  const pickRng = seeded(opts.seed * 7919 + Math.round(share * 1000));
  const model = new NgramModel(4);
  train.forEach((item, i) =>
    model.train(item.prompt, pickRng() < share ? marked[i] : item.answer!),
  );

  const sampleRng = seeded(opts.seed * 104_729 + Math.round(share * 1000));
  const samples = probes.map((p) => model.generate(p.prompt, sampleRng));
  return opts.probes.map((n) => {
    const v = verifyObservations(collectObservations(samples.slice(0, n)), marker.keyring);
    return {
      watermarked_share: share,
      probes: n,
      p_value: v.p_value,
      log10_p: v.log10_p,
      opportunities: v.opportunities,
      matches: v.matches,
    };
  });
}

/**
 * Proof of transfer: harvests answers through the gateway with the watermark on, trains n-gram
 * imitations with several watermarked shares (and one on clean text only), samples them with
 * held-out probe prompts and verifies the samples.
 */
export async function runWatermarkBench(
  opts: WatermarkBenchOptions = DEFAULT_WATERMARK_BENCH,
  progress: (line: string) => void = () => undefined,
): Promise<WatermarkBenchResult> {
  const started = Date.now();
  const rng = seeded(opts.seed);
  const bc = await benchCorpus(rng);
  const maxProbes = Math.max(...opts.probes);
  // Probes are held-out word problems: the verifier picks prompts that draw prose, as the
  // endpoint probes do; code prompts draw answers with almost no opportunities.
  const all = shuffle(bc.pairs, rng);
  const probes = all.filter((p) => p.set === PROBE_SET).slice(0, maxProbes);
  const held = new Set(probes);
  const train = all.filter((p) => !held.has(p)).slice(0, opts.maxTrain);
  const secret = benchKeySecret(opts.seed);
  const marker = createWatermarker({
    keys: [{ id: 'bench', secret }],
    activeKey: 'bench',
    strength: 1,
  });

  progress(`harvesting ${train.length} answers through the gateway (${bc.source} data)`);
  const harvest = await harvestThroughGateway(bc, train, marker);
  let words = 0;
  let changed = 0;
  let protectedChanged = 0;
  train.forEach((item, i) => {
    const stats = markWithStats(item.answer!, { key: marker.keyring.active(), strength: 1 });
    words += stats.words;
    changed += stats.changed;
    const same =
      protectedParts(item.answer!).join('\x00') === protectedParts(harvest.marked[i]).join('\x00');
    if (!same) protectedChanged++;
  });

  const surrogates: SurrogatePoint[] = [];
  for (const share of opts.shares) {
    progress(`training and probing the imitation with ${share * 100}% watermarked data`);
    surrogates.push(...imitate(share, train, harvest.marked, probes, opts, marker));
  }
  progress('training and probing the imitation on clean data only');
  const cleanCurve = imitate(0, train, harvest.marked, probes, opts, marker);

  const result: WatermarkBenchResult = {
    data: bc.source,
    harvest: {
      answers: train.length,
      via: 'gateway',
      streamed: harvest.streamed,
      stream_mismatches: harvest.mismatches,
    },
    words_changed: words > 0 ? changed / words : 0,
    protected_changed: protectedChanged,
    surrogates,
    clean: cleanCurve[cleanCurve.length - 1],
    clean_curve: cleanCurve,
    imitation: 'word 4-gram language model, sampled at temperature 1',
    held_out: true,
    probe_set: PROBE_SET,
    key_id: marker.keyring.activeId,
    seconds: (Date.now() - started) / 1000,
  };
  log.info({ seconds: result.seconds, data: result.data }, 'watermark bench done');
  return result;
}
