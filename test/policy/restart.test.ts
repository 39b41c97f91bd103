import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { parseConfig } from '../../src/config/index.js';
import type { AccountVerdict, ClusterVerdict } from '../../src/core/verdict.js';
import { startControlPlane } from '../../src/fleet/index.js';
import { startGateway } from '../../src/gateway/index.js';
import { parsePolicyConfig } from '../../src/policy/config.js';
import { PolicyEngine } from '../../src/policy/engine.js';
import { MemoryRecords } from '../../src/policy/records.js';
import { openStore } from '../../src/store/sqlite.js';
import { startFakeUpstream } from '../gateway/helpers/fake-upstream.js';

const POLICY = {
  relax_after_s: 600,
  tiers: {
    default: {
      thresholds: { watch: 0.5, review: 0.7, block: 0.9 },
      actions: { watch: ['watermark'], review: ['degrade', 'review'], block: ['block'] },
    },
  },
};

const account = (id: string, risk: number, cluster?: string): AccountVerdict => ({
  account: id,
  risk,
  verdict: 'allow',
  reasons: [{ signal: 'volume', value: risk, detail: `risk ${risk}` }],
  ts: '2026-12-01T00:00:00Z',
  cluster,
});

const cluster = (id: string, risk: number, accounts: string[]): ClusterVerdict => ({
  id,
  accounts,
  risk,
  verdict: 'allow',
  reasons: [],
  ts: '2026-12-01T00:00:00Z',
});

test('a new engine on the same records takes up the levels the last one reached', async () => {
  const records = new MemoryRecords();
  const before = new PolicyEngine(parsePolicyConfig(POLICY), { records });
  before.applyVerdict(account('blocked', 0.95));
  before.applyVerdict(account('reviewed', 0.75));
  before.applyVerdict(account('dismissed', 0.95));
  before.reset('dismissed', 'ana');
  before.applyVerdict(cluster('clu_1', 0.95, ['h1', 'h2']));
  before.applyVerdict(account('h1', 0.1, 'clu_1'));
  before.applyVerdict(account('quiet', 0.2));
  await before.flush();
  const audited = (await records.listAudit({ limit: 1000 })).length;

  const after = new PolicyEngine(parsePolicyConfig(POLICY), { records });
  const heard: string[] = [];
  after.onChange((c) => heard.push(c.kind));
  assert.deepEqual(await after.restoreLevels(), { accounts: 2, clusters: 1 });

  assert.equal(after.decide('blocked', 'standard').deny?.code, 'MOAT_ERR_ACCOUNT_BLOCKED');
  assert.equal(after.decide('reviewed', 'standard').rule, 'tier:standard/review');
  assert.equal(after.decide('dismissed', 'standard').rule, 'tier:standard/allow');
  assert.equal(after.decide('quiet', 'standard').rule, 'tier:standard/allow');
  // Both members are blocked through their cluster, h2 without an entry of its own.
  for (const member of ['h1', 'h2']) {
    assert.equal(after.decide(member, 'standard').deny?.code, 'MOAT_ERR_ACCOUNT_BLOCKED', member);
  }
  assert.equal(after.view('reviewed')?.risk, 0.75);
  assert.equal(after.view('reviewed')?.cluster, undefined);

  await after.flush();
  assert.equal((await records.listAudit({ limit: 1000 })).length, audited, 'nothing re-audited');
  assert.deepEqual(heard, [], 'no webhook or bus message for restored levels');

  // Restored levels move on as before: an analyst's cluster reset frees both members.
  after.resetCluster('clu_1', 'ana');
  assert.equal(after.decide('h2', 'standard').rule, 'tier:standard/allow');
  assert.equal(after.decide('h1', 'standard').rule, 'tier:standard/allow');
});

test('a gateway restarted on the same SQLite store still refuses a blocked account', async () => {
  const home = mkdtempSync(join(tmpdir(), 'moat-restart-'));
  const fake = await startFakeUpstream();
  const config = parseConfig({
    server: { port: 0 },
    upstream: { url: fake.url },
    tiers: { standard: {} },
    policy: POLICY,
  });
  const file = join(home, 'moat.db');
  try {
    let store = openStore(file);
    const secret = store.keys.create('acct_blk', 'standard').secret;
    let plane = await startControlPlane(config, { store });
    let gw = await startGateway({ config, store, ...plane.gateway });
    const client = () => new OpenAI({ apiKey: secret, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const ask = () =>
      client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'q' }] });

    await ask();
    plane.engine.applyVerdict(account('acct_blk', 0.97));
    const blocked = (err: any) =>
      err instanceof OpenAI.PermissionDeniedError && err.code === 'account_blocked';
    await assert.rejects(ask(), blocked);

    await gw.close();
    await plane.close();
    store.close();

    store = openStore(file);
    plane = await startControlPlane(config, { store });
    gw = await startGateway({ config, store, ...plane.gateway });
    try {
      await assert.rejects(ask(), blocked, 'still blocked after the restart');
      assert.equal(plane.engine.view('acct_blk')?.level, 'block');
    } finally {
      await gw.close();
      await plane.close();
      store.close();
    }
  } finally {
    await fake.close();
    rmSync(home, { recursive: true, force: true });
  }
});
