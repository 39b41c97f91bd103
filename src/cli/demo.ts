import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminSection } from '../admin/config.js';
import { startStack, type Stack } from '../app/stack.js';
import { parseConfig, type MoatConfig } from '../config/index.js';
import { log } from '../core/log.js';
import { moatHome } from '../core/paths.js';
import { loadCorpus } from '../data/load.js';
import { startReplayUpstream } from '../upstream/replay.js';
import { intFlag, parseArgs } from './args.js';
import type { Command } from './commands.js';
import { demoActors, promptSource, type Actor } from './demo-actors.js';
import { reportLive } from './demo-output.js';
import { runTraffic } from './demo-traffic.js';

/** The demo's deployment: two tiers watermarked by policy, trusted headers for the hydra. */
function demoConfig(port: number, upstream: string): MoatConfig {
  return parseConfig(
    {
      server: { port, trust_forwarded_for: true },
      upstream: { url: upstream },
      auth: {
        keys: true,
        trusted_header: {
          account: 'x-moat-account',
          tier: 'x-moat-tier',
          default_tier: 'trial',
          payment_fp: 'x-moat-payment-fp',
          signup_ts: 'x-moat-signup-ts',
        },
      },
      tiers: {
        standard: {
          requests_per_minute: 600,
          tokens_per_minute: 2_000_000,
          max_concurrent: 8,
          watermark: 'policy',
        },
        trial: {
          requests_per_minute: 60,
          tokens_per_minute: 200_000,
          max_concurrent: 2,
          logprobs: false,
          watermark: 'policy',
        },
      },
      watermark: { keys: [{ id: 'demo-1', secret: demoWatermarkSecret() }] },
      store: { path: 'demo.db' },
    },
    '(demo)',
  );
}

/** The demo's watermark secret, kept under MOAT_HOME so later verification can use it. */
function demoWatermarkSecret(): string {
  const file = join(moatHome(), 'demo-watermark.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(moatHome(), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * `moat demo [--port N] [--duration S]`: the replay model, the whole stack from `startStack`,
 * and simulated customers and attackers in real time; prints the console URL and each
 * detection and refusal as it happens. Stops on Ctrl-C or after `--duration` seconds.
 */
export const command: Command = {
  async run(argv) {
    const args = parseArgs(argv, ['port', 'duration']);
    const port = intFlag(args, 'port', 8080);
    const durationS = intFlag(args, 'duration', 0);
    // The demo's own lines are the output; logs show only failures unless asked for.
    if (!process.env.MOAT_LOG_LEVEL) log.level = 'error';
    const token = process.env.MOAT_ADMIN_TOKEN || randomBytes(18).toString('base64url');

    const corpus = await loadCorpus();
    const upstream = await startReplayUpstream({ corpus, tokensPerSecond: 120 });
    // Each run tells the story from the start: no blocks or keys left over from the last one.
    for (const suffix of ['', '-wal', '-shm'])
      rmSync(join(moatHome(), `demo.db${suffix}`), { force: true });
    let stack: Stack;
    try {
      const config = demoConfig(port, upstream.url);
      config.sections.set(adminSection.name, { token });
      stack = await startStack(config);
    } catch (err) {
      await upstream.close();
      throw err;
    }

    const actors = demoActors();
    const keys = new Map<string, string>();
    for (const a of actors) {
      if (a.identity.kind !== 'key') continue;
      keys.set(a.account, stack.store.keys.create(a.account, a.tier).secret);
    }
    const yours = stack.store.keys.create('acct_you', 'standard').secret;
    const write = (line: string) => process.stdout.write(`${line}\n`);
    printHeader(write, { url: stack.url, token, yours, corpus: corpus.source, actors });

    const live = reportLive(stack, actors, write);
    const stop = new AbortController();
    const target = { url: stack.url, keys, prompts: promptSource(corpus.sets) };
    const traffic = runTraffic(actors, target, stop.signal);
    await waitForStop(durationS);

    stop.abort();
    await traffic;
    await stack.close();
    live.stop();
    await upstream.close();
    const t = live.tally;
    const blocked = [...t.blocked].join(', ') || 'none';
    write(
      `demo stopped: ${t.calls} calls, ${t.detections} policy changes, ` +
        `${t.refusals} refusals; blocked: ${blocked}`,
    );
    return 0;
  },
};

function printHeader(
  write: (line: string) => void,
  h: { url: string; token: string; yours: string; corpus: string; actors: Actor[] },
): void {
  const describe = (role: Actor['role']) =>
    h.actors
      .filter((a) => a.role === role)
      .map((a) => `    ${a.account.padEnd(15)} ${a.tier.padEnd(9)} ${a.describe}`);
  write(`moat demo: gateway ${h.url}/v1 in front of a replay model (${h.corpus} corpus)`);
  write(`  console   ${h.url}/console   admin token: ${h.token}`);
  write(`  metrics   ${h.url}/metrics   TAXII ${h.url}/taxii2/`);
  write(`  try it    OPENAI_BASE_URL=${h.url}/v1 OPENAI_API_KEY=${h.yours}`);
  write('  customers:');
  for (const line of describe('customer')) write(line);
  write('  attackers:');
  for (const line of describe('attacker')) write(line);
  write('  Detections and refusals appear below as they happen; Ctrl-C stops.');
}

function waitForStop(durationS: number): Promise<void> {
  return new Promise((resolve) => {
    if (durationS > 0) setTimeout(resolve, durationS * 1000);
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
