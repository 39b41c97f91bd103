import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/index.js';
import type { Decider } from '../../../src/core/decision.js';
import type { Limiter } from '../../../src/core/limits.js';
import type { ResponseMarker } from '../../../src/core/marker.js';
import { startGateway, type Gateway } from '../../../src/gateway/index.js';
import { openStore, type SqliteStore } from '../../../src/store/sqlite.js';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';

export interface TestGateway {
  gw: Gateway;
  fake: FakeUpstream;
  store: SqliteStore;
  home: string;
  /** A fresh key of account `acct_<tier>` per configured tier. */
  keys: Record<string, string>;
  close(): Promise<void>;
}

/**
 * A gateway on a random port in front of the fake upstream, with a store in a temporary
 * MOAT_HOME and one key per tier. `yaml` is merged over a config with `standard` and `tight`
 * tiers; the store is owned by the test, so events can be read after `flushEvents()`.
 */
export async function startTestGateway(
  yaml: Record<string, unknown> = {},
  extra: { decider?: Decider; marker?: ResponseMarker; limiter?: Limiter } = {},
): Promise<TestGateway> {
  const home = mkdtempSync(join(tmpdir(), 'moat-gw-'));
  process.env.MOAT_HOME = home;
  const fake = await startFakeUpstream();
  const config = parseConfig({
    server: { port: 0, max_body_bytes: 64 * 1024, shutdown_grace_ms: 2_000 },
    tiers: {
      standard: {},
      tight: {
        requests_per_minute: 2,
        tokens_per_minute: 100_000,
        max_concurrent: 1,
        logprobs: false,
        logit_bias: false,
      },
    },
    ...yaml,
    upstream: {
      url: fake.url,
      headers_timeout_ms: 5_000,
      body_timeout_ms: 5_000,
      ...(yaml.upstream as object),
    },
  });
  const store = openStore(join(home, 'moat.db'));
  const keys: Record<string, string> = {};
  for (const tier of Object.keys(config.tiers))
    keys[tier] = store.keys.create(`acct_${tier}`, tier).secret;
  const gw = await startGateway({ config, store, ...extra });
  return {
    gw,
    fake,
    store,
    home,
    keys,
    async close() {
      await gw.close();
      await fake.close();
      store.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
