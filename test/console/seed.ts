import { parseConfig, type MoatConfig } from '../../src/config/index.js';
import type { MoatEvent } from '../../src/core/event.js';
import { DetectionEngine } from '../../src/detect/engine.js';
import { SqliteSink } from '../../src/gateway/event-sinks.js';
import { GatewayMetrics } from '../../src/gateway/metrics.js';
import { parsePolicyConfig } from '../../src/policy/config.js';
import { PolicyEngine } from '../../src/policy/engine.js';
import type { ReviewItem } from '../../src/policy/records.js';
import { SqliteRecords } from '../../src/policy/sqlite-records.js';
import { openStore, type SqliteStore } from '../../src/store/sqlite.js';
import { mixedLog } from '../detect/scenario.js';

/** The admin token the console tests sign in with. */
export const TOKEN = 'console-test-token-0123456789';

/** A store, policy engine and config seeded through the real paths. */
export interface Seeded {
  config: MoatConfig;
  store: SqliteStore;
  engine: PolicyEngine;
  events: MoatEvent[];
}

/**
 * Seeds a small world the way a running gateway would: the mixed detection log (20 legitimate
 * accounts, a bulk harvester, a 10-account hydra) is written through the gateway's store sink
 * (which strips text unless the tier retains it) and fed to the detection engine, whose verdicts
 * go to the policy engine (audit trail, review queue). One legitimate account is on a tier that
 * retains text, so its prompts may be shown.
 */
export async function seed(): Promise<Seeded> {
  const config = parseConfig({
    server: { port: 0, host: '127.0.0.1' },
    // Never called: the console tests send no inference request.
    upstream: { url: 'http://127.0.0.1:9' },
    tiers: { standard: {}, research: { retain_text: true } },
  });
  const store = openStore(':memory:');
  const engine = new PolicyEngine(parsePolicyConfig({}), { records: new SqliteRecords(store.db) });
  const events = mixedLog().map((e) => (e.account === 'legit0' ? { ...e, tier: 'research' } : e));

  new SqliteSink(store.events, config.tiers, new GatewayMetrics()).write(events);
  const detector = new DetectionEngine();
  detector.onVerdict((v) => engine.applyVerdict(v));
  for (const e of events) detector.ingest(e);
  await engine.flush();
  return { config, store, engine, events };
}

/**
 * The riskiest account with an open review item of its own, and that item: the account the
 * console tests work on, chosen from what the detector concluded rather than by name.
 */
export async function reviewTarget(s: Seeded): Promise<{ account: string; item: ReviewItem }> {
  const open = await s.engine.records.listReviews({ status: 'open' });
  const own = open.filter((r) => r.account !== '*').sort((a, b) => b.risk - a.risk);
  if (own.length === 0) throw new Error('the seeded log yields no account to review');
  return { account: own[0].account, item: own[0] };
}

/** An account with events that the policy engine holds nothing about. */
export function quietAccount(s: Seeded): string {
  const known = new Set(s.engine.accountIds());
  const quiet = s.events.find((e) => !known.has(e.account) && e.tier === 'standard');
  if (!quiet) throw new Error('the seeded log has no account without a verdict');
  return quiet.account;
}
