import { MoatError } from '../core/errors.js';

/** Parsed command line: positional arguments and `--flag value` / `--flag` options. */
export interface Args {
  positional: string[];
  flags: Map<string, string | true>;
}

/**
 * Parses `args` against the allowed flag names. `valued` flags take the next argument;
 * the rest are booleans. An unknown flag is a usage error that names it.
 */
export function parseArgs(args: string[], valued: string[], booleans: string[] = []): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split('=', 2);
    if (valued.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new MoatError('MOAT_ERR_USAGE', `--${name} needs a value.`);
      flags.set(name, value);
    } else if (booleans.includes(name)) {
      flags.set(name, true);
    } else {
      throw new MoatError('MOAT_ERR_USAGE', `Unknown option --${name}.`);
    }
  }
  return { positional, flags };
}

/** A valued flag as a string, or the fallback. */
export function flag(args: Args, name: string, fallback?: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : fallback;
}

/** A valued flag as an integer; a non-integer is a usage error naming the flag. */
export function intFlag(args: Args, name: string, fallback: number): number {
  const v = flag(args, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n))
    throw new MoatError('MOAT_ERR_USAGE', `--${name} takes a whole number.`);
  return n;
}
