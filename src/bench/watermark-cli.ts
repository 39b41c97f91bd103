import { writeFileSync } from 'node:fs';
import { flag, intFlag, parseArgs } from '../cli/args.js';
import { MoatError } from '../core/errors.js';
import { DEFAULT_WATERMARK_BENCH, runWatermarkBench, watermarkTable } from './watermark.js';

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
