import { writeFileSync } from 'node:fs';
import { flag, intFlag, parseArgs } from '../cli/args.js';
import { MoatError } from '../core/errors.js';
import {
  DEFAULT_WATERMARK_BENCH,
  runWatermarkBench,
  type SurrogatePoint,
  type WatermarkBenchResult,
} from './watermark.js';

function numberList(text: string | undefined, name: string, fallback: number[]): number[] {
  if (text === undefined) return fallback;
  const list = text.split(',').map(Number);
  if (list.length === 0 || list.some((n) => !Number.isFinite(n) || n < 0)) {
    throw new MoatError('MOAT_ERR_USAGE', `--${name} takes a comma-separated list of numbers.`);
  }
  return list;
}

/**
 * `moat bench watermark [--json F] [--seed N] [--probes 100,1000] [--shares 1,0.1]
 * [--max-train N]`: proof that the watermark transfers to a model trained on the harvest.
 */
export async function runWatermarkCli(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['json', 'seed', 'probes', 'shares', 'max-train']);
  const d = DEFAULT_WATERMARK_BENCH;
  const shares = numberList(flag(args, 'shares'), 'shares', d.shares);
  if (shares.some((s) => s > 1)) throw new MoatError('MOAT_ERR_USAGE', '--shares are in [0, 1].');
  const opts = {
    seed: intFlag(args, 'seed', d.seed),
    shares,
    probes: numberList(flag(args, 'probes'), 'probes', d.probes).map(Math.round),
    maxTrain: intFlag(args, 'max-train', d.maxTrain),
  };
  if (opts.probes.some((n) => n < 1)) throw new MoatError('MOAT_ERR_USAGE', '--probes are >= 1.');

  const result = await runWatermarkBench(opts, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${watermarkTable(result)}\n`);
  const out = flag(args, 'json');
  if (out) writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  return 0;
}

/** The result as a table: p-values by watermarked share and number of probes. */
export function watermarkTable(r: WatermarkBenchResult): string {
  const counts = [...new Set(r.surrogates.map((s) => s.probes))];
  const head = ['share'.padEnd(8), ...counts.map((n) => `${n} probes`.padStart(14))].join(' ');
  const row = (label: string, points: SurrogatePoint[]): string =>
    [
      label.padEnd(8),
      ...counts.map((n) => fmtP(points.find((p) => p.probes === n)).padStart(14)),
    ].join(' ');
  const shares = [...new Set(r.surrogates.map((s) => s.watermarked_share))];
  const lines = [
    `data: ${r.data}; harvested ${r.harvest.answers} answers through the gateway ` +
      `(${r.harvest.streamed} streamed, ${r.harvest.stream_mismatches} mismatches)`,
    `words changed: ${(r.words_changed * 100).toFixed(2)}%; ` +
      `answers with changed numbers/code/final answers: ${r.protected_changed}`,
    `imitation: ${r.imitation}; probes: held-out ${r.probe_set} prompts`,
    '',
    head,
    ...shares.map((s) =>
      row(
        `${s * 100}%`,
        r.surrogates.filter((p) => p.watermarked_share === s),
      ),
    ),
    row('clean', r.clean_curve),
  ];
  return lines.join('\n');
}

function fmtP(p?: SurrogatePoint): string {
  if (!p) return '-';
  const v = p.p_value > 0 ? p.p_value.toExponential(1) : `1e${Math.floor(p.log10_p)}`;
  return `${v} (${p.opportunities})`;
}
