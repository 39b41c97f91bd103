import { defaultConfig, loadConfig, type MoatConfig } from '../config/index.js';
import { checkUpstreamUrl } from '../config/sections/upstream.js';
import { log } from '../core/log.js';
import { startStack } from '../app/stack.js';
import { flag, intFlag, parseArgs } from './args.js';
import type { Command } from './commands.js';

/** Applies `--upstream`, `--port` and `--events-out` over the config file's values. */
export function withOverrides(
  config: MoatConfig,
  o: { upstream?: string; port?: number; eventsOut?: string },
): MoatConfig {
  const out = { ...config };
  if (o.upstream)
    out.upstream = { ...config.upstream, url: checkUpstreamUrl(o.upstream, '--upstream') };
  if (o.port !== undefined) out.server = { ...config.server, port: o.port };
  if (o.eventsOut) out.events = { ...config.events, out: o.eventsOut };
  return out;
}

/** `moat serve --config moat.yaml [--upstream URL] [--port N] [--events-out FILE]` */
export const command: Command = {
  async run(argv) {
    const args = parseArgs(argv, ['config', 'upstream', 'port', 'events-out']);
    const file = flag(args, 'config');
    const port = args.flags.has('port') ? intFlag(args, 'port', 0) : undefined;
    const config = withOverrides(file ? loadConfig(file) : defaultConfig(), {
      upstream: flag(args, 'upstream'),
      port,
      eventsOut: flag(args, 'events-out'),
    });

    const stack = await startStack(config);
    process.stdout.write(`moat gateway on ${stack.url} -> ${config.upstream.url}\n`);

    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log.info({ signal }, 'shutting down');
        stack.close().then(resolve, (err: unknown) => {
          log.error({ err: (err as Error).message }, 'shutdown failed');
          resolve();
        });
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    return 0;
  },
};
