import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { MoatError } from '../core/errors.js';
import { loadCorpus, loadTraces } from '../data/load.js';
import { createSimulation, resolveScenario } from '../sim/index.js';
import { harvestedShare } from '../sim/campaigns.js';
import { flag, parseArgs } from './args.js';
import type { Command } from './commands.js';

const USAGE =
  'usage: moat simulate --scenario S --out EVENTS.jsonl --labels LABELS.jsonl [--seed N]\n' +
  '  S is a preset (ci, standard, large, hydra-1000) or a .yaml/.json scenario file.\n';

async function write(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

async function close(out: WriteStream): Promise<void> {
  out.end();
  await once(out, 'finish');
}

/** `moat simulate`: writes a labelled traffic log of a scenario in virtual time. */
export const command: Command = {
  async run(argv) {
    const args = parseArgs(argv, ['scenario', 'out', 'labels', 'seed'], ['help']);
    if (args.flags.has('help')) {
      process.stdout.write(USAGE);
      return 0;
    }
    const scenarioArg = flag(args, 'scenario');
    const outPath = flag(args, 'out');
    const labelsPath = flag(args, 'labels');
    if (!scenarioArg || !outPath || !labelsPath) {
      throw new MoatError('MOAT_ERR_USAGE', 'Needs --scenario, --out and --labels.');
    }
    const seed = flag(args, 'seed', '1') as string;

    const t0 = Date.now();
    const scenario = resolveScenario(scenarioArg);
    let skipped = 0;
    const onIssue = () => void skipped++;
    await Promise.all([loadCorpus({ onIssue }), loadTraces({ onIssue })]);
    if (skipped) process.stderr.write(`skipped ${skipped} malformed line(s) of the data\n`);
    const sim = await createSimulation(scenario, { seed });
    const out = createWriteStream(outPath);
    for (const event of sim) await write(out, `${JSON.stringify(event)}\n`);
    await close(out);

    const labels = createWriteStream(labelsPath);
    const sorted = [...sim.labels].sort((a, b) => (a.account < b.account ? -1 : 1));
    for (const l of sorted) await write(labels, `${JSON.stringify(l)}\n`);
    await close(labels);

    const attack = sorted.filter((l) => l.label === 'attack').length;
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    process.stdout.write(
      `${sim.events} events, ${sorted.length} accounts (${attack} attacking) ` +
        `over ${sim.scenario.days} days in ${secs} s\n`,
    );
    for (const c of sim.campaigns) {
      const share = (harvestedShare(c) * 100).toFixed(1);
      const events = String(c.events).padStart(7);
      const line = `  ${c.spec.name.padEnd(18)} ${events} events, ${share}% of ${c.targets.length}`;
      process.stdout.write(`${line} targets\n`);
    }
    return 0;
  },
};
