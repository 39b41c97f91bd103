import { writeFileSync } from 'node:fs';
import { flag, intFlag, parseArgs } from '../cli/args.js';
import { runDetectBench } from './detect.js';
import { detectTable } from './detect-table.js';

/**
 * `moat bench detect [--json F] [--scenario S[,S2]] [--seed N] [--calibration-seed N]
 * [--calibration-scenario S] [--fpr X]`.
 */
export async function runDetectCli(argv: string[]): Promise<number> {
  const valued = ['json', 'scenario', 'seed', 'calibration-seed', 'calibration-scenario', 'fpr'];
  const args = parseArgs(argv, valued);
  const scenarios = (flag(args, 'scenario') ?? 'standard,hydra-1000').split(',');
  const seed = intFlag(args, 'seed', 1);
  const result = await runDetectBench({
    scenarios,
    seed,
    calibrationSeed: intFlag(args, 'calibration-seed', seed + 1000),
    calibrationScenario: flag(args, 'calibration-scenario'),
    targetFpr: Number(flag(args, 'fpr') ?? 0.001),
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${detectTable(result)}\n`);
  const out = flag(args, 'json');
  if (out) writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  return 0;
}
