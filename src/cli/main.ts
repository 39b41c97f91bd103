import { MoatError } from '../core/errors.js';
import { COMMANDS } from './commands.js';

/** Dispatches `moat <command> ...` to the command's module, loaded on demand. */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`moat: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return (await command.load()).run(rest);
}

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  moat ${n.padEnd(10)} ${c.summary}`);
  return `usage: moat <command> [options]\n\n${lines.join('\n')}\n`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof MoatError ? `${err.name}: ${err.message}` : String(err);
    process.stderr.write(`moat: ${message}\n`);
    if (!(err instanceof MoatError) && err instanceof Error && err.stack) {
      process.stderr.write(`${err.stack}\n`);
    }
    process.exitCode = err instanceof MoatError && err.name === 'MOAT_ERR_USAGE' ? 2 : 1;
  },
);
