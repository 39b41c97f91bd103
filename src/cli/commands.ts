/** A CLI command: `run` gets the arguments after its name and returns the exit code. */
export interface Command {
  run(args: string[]): Promise<number>;
}

interface Entry {
  summary: string;
  load(): Promise<Command>;
}

/**
 * The command table. Each command lives in its own module under src/cli/ and is imported only
 * when used, so `moat keys create` does not load the detector.
 */
export const COMMANDS: Record<string, Entry> = {
  analyze: {
    summary: 'offline detection over an event log',
    load: () => import('./analyze.js').then((m) => m.command),
  },
  calibrate: {
    summary: 'set detection thresholds on legitimate traffic',
    load: () => import('./calibrate.js').then((m) => m.command),
  },
  bench: {
    summary: 'benchmarks (gateway, ...); each prints a table and takes --json FILE',
    load: () => import('./bench.js').then((m) => m.command),
  },
  demo: {
    summary: 'replay model, gateway and simulated customers',
    load: () => import('./demo.js').then((m) => m.command),
  },
  simulate: {
    summary: 'write a labelled traffic log of a scenario',
    load: () => import('./simulate.js').then((m) => m.command),
  },
  serve: { summary: 'run the gateway', load: () => import('./serve.js').then((m) => m.command) },
  intel: {
    summary: 'share campaign signatures (STIX 2.1, TAXII 2.1)',
    load: () => import('./intel.js').then((m) => m.command),
  },
  watermark: {
    summary: 'verify texts or a suspect endpoint for the watermark',
    load: () => import('./watermark.js').then((m) => m.command),
  },
  keys: {
    summary: 'create, revoke, list API keys',
    load: () => import('./keys.js').then((m) => m.command),
  },
};
