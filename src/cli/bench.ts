import { writeFileSync } from 'node:fs';
import { MoatError } from '../core/errors.js';
import { flag, intFlag, parseArgs } from './args.js';
import type { Command } from './commands.js';

/** A benchmark: runs with its own flags (every one takes `--json FILE`), returns an exit code. */
interface Bench {
  summary: string;
  run(argv: string[]): Promise<number>;
}

/** The benchmarks by name; each area adds its own with one line. */
const BENCHES: Record<string, Bench> = {
  console: {
    summary: 'per-account totals: event writer cost and console ranked-list time',
    run: (argv) => import('../bench/console.js').then((m) => m.runConsoleCli(argv)),
  },
  detect: {
    summary: 'closed-loop detection quality on simulated tenants and campaigns',
    run: (argv) => import('../bench/detect-cli.js').then((m) => m.runDetectCli(argv)),
  },
  detector: {
    summary: 'detection engine speed per core and memory per active account',
    run: (argv) => import('../bench/detector.js').then((m) => m.runDetectorCli(argv)),
  },
  gateway: {
    summary: 'Moat against a bare proxy: throughput and added latency',
    run: benchGateway,
  },
  watermark: {
    summary: 'proof that the watermark transfers to a model trained on the harvest',
    run: (argv) => import('../bench/watermark-cli.js').then((m) => m.runWatermarkCli(argv)),
  },
};

/** `moat bench <console|detect|gateway|detector|watermark> [--json FILE] ...` */
export const command: Command = {
  async run(argv) {
    const [name, ...rest] = argv;
    const bench = name ? BENCHES[name] : undefined;
    if (!bench) {
      const list = Object.entries(BENCHES).map(
        ([n, b]) => `  moat bench ${n.padEnd(10)} ${b.summary}`,
      );
      throw new MoatError('MOAT_ERR_USAGE', `Which benchmark?\n${list.join('\n')}`);
    }
    return bench.run(rest);
  },
};

async function benchGateway(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['json', 'seconds', 'rounds', 'connections', 'rate']);
  const { runGatewayBench, gatewayTable } = await import('../bench/gateway.js');
  const rate = intFlag(args, 'rate', 0);
  const result = await runGatewayBench(
    {
      seconds: intFlag(args, 'seconds', 2),
      rounds: intFlag(args, 'rounds', 6),
      connections: intFlag(args, 'connections', 32),
      rate: rate > 0 ? rate : undefined,
    },
    (line) => process.stderr.write(`${line}\n`),
  );

  process.stdout.write(`${gatewayTable(result)}\n`);
  process.stdout.write(
    `events captured ${result.events.captured}, stored ${result.events.stored}; ` +
      `${result.machine.cpus} cpus, node ${result.machine.node}\n`,
  );
  const out = flag(args, 'json');
  if (out) writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  return 0;
}
