import { MoatError } from '../core/errors.js';
import { calibrateFile } from '../detect/calibrate.js';
import { loadDetectConfig } from '../detect/load-config.js';
import { flag, parseArgs } from './args.js';
import type { Command } from './commands.js';

const USAGE =
  'usage: moat calibrate EVENTS.jsonl [--labels LABELS.jsonl] [--target-fpr F] ' +
  '[--config moat.yaml]';

/**
 * `moat calibrate`: sets the verdict thresholds on legitimate traffic to a target false-positive
 * rate and prints them as the `detect:` section to paste into moat.yaml.
 */
export const command: Command = {
  async run(argv) {
    const args = parseArgs(argv, ['labels', 'target-fpr', 'config']);
    const file = args.positional[0];
    if (!file || args.positional.length > 1) throw new MoatError('MOAT_ERR_USAGE', USAGE);
    const config = loadDetectConfig(flag(args, 'config'));
    const fpr = Number(flag(args, 'target-fpr') ?? config.targetFpr);
    if (!(fpr > 0 && fpr < 1)) {
      throw new MoatError('MOAT_ERR_USAGE', '--target-fpr takes a rate between 0 and 1.');
    }

    const cal = await calibrateFile(file, {
      labelsFile: flag(args, 'labels'),
      targetFpr: fpr,
      config,
    });
    const t = cal.thresholds;
    process.stderr.write(
      `calibrated on ${cal.legitAccounts} legitimate accounts (${cal.events} events) ` +
        `at a target false-positive rate of ${fpr}\n`,
    );
    process.stdout.write(
      `detect:\n  target_fpr: ${fpr}\n  thresholds:\n    watch: ${t.watch.toFixed(4)}\n` +
        `    review: ${t.review.toFixed(4)}\n    block: ${t.block.toFixed(4)}\n`,
    );
    return 0;
  },
};
