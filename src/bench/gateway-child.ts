import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../config/index.js';
import { startGateway } from '../gateway/index.js';
import { openStore } from '../store/sqlite.js';
import { startBareProxy, startBenchUpstream } from './gateway-servers.js';

/**
 * One server of the gateway benchmark, run in its own process so the load generator, the
 * backend and the proxy under test do not share an event loop. Prints one JSON line
 * (`{"port": N, "key": "..."}`) when ready, then serves until killed.
 */
async function main(role: string, upstreamUrl: string | undefined): Promise<void> {
  // CPU time used so far, by all threads and by the main thread (the event loop), so the runner
  // can compute both per request for each proxy.
  process.on('message', (msg) => {
    if (msg === 'cpu') process.send?.({ cpu: process.cpuUsage(), mainUs: mainThreadUs() });
  });
  if (role !== 'moat') process.once('SIGTERM', () => process.exit(0));
  if (role === 'upstream') return ready({ port: await startBenchUpstream() });
  if (!upstreamUrl) throw new Error('upstream URL required');
  if (role === 'bare') return ready({ port: await startBareProxy(upstreamUrl) });

  // Moat with event capture on: every call becomes an event written to SQLite in batches.
  const home = mkdtempSync(join(tmpdir(), 'moat-bench-'));
  process.env.MOAT_HOME = home;
  const config = parseConfig({
    server: { port: 0 },
    upstream: { url: upstreamUrl },
    tiers: {
      bench: {
        requests_per_minute: 100_000_000,
        tokens_per_minute: 2_000_000_000,
        max_concurrent: 10_000,
      },
    },
  });
  const store = openStore(join(home, 'moat.db'));
  const key = store.keys.create('acct_bench', 'bench').secret;
  const gw = await startGateway({ config, store });
  let events = 0;
  gw.onEvent(() => events++);
  process.on('message', async (msg) => {
    if (msg !== 'stats') return;
    await gw.flushEvents();
    process.send?.({ events, stored: store.events.count() });
  });
  process.once('SIGTERM', () => {
    gw.close().then(() => process.exit(0));
  });
  ready({ port: gw.port, key });
}

/** CPU microseconds of the main thread (Linux: its /proc stat, 10 ms ticks); NaN elsewhere. */
function mainThreadUs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
  } catch {
    return NaN;
  }
}

function ready(info: object): void {
  process.stdout.write(`${JSON.stringify(info)}\n`);
}

main(process.argv[2] ?? '', process.argv[3]).catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
