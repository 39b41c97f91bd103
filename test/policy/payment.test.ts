import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterVerdict, VerdictLevel } from '../../src/core/verdict.js';
import { DetectionEngine } from '../../src/detect/engine.js';
import { parsePolicyConfig } from '../../src/policy/config.js';
import { PolicyEngine, type PolicyChange } from '../../src/policy/engine.js';
import { MemoryRecords } from '../../src/policy/records.js';
import { T0, harvestAccount, merge } from '../detect/fixtures.js';

const CONFIG = parsePolicyConfig({
  relax_after_s: 600,
  relax_margin: 0.1,
  tiers: {
    default: {
      thresholds: { watch: 0.5, review: 0.7, block: 0.9 },
      actions: { watch: ['watermark'], review: ['degrade', 'review'], block: ['block'] },
    },
  },
});

const BLOCKED = 'MOAT_ERR_ACCOUNT_BLOCKED';

/** A cluster of h1..h3 whose verdict lists the card h1 and h2 share (h3 pays with its own). */
function hydra(risk = 0.95, verdict: VerdictLevel = 'block'): ClusterVerdict {
  return {
    id: 'c7',
    accounts: ['h1', 'h2', 'h3'],
    risk,
    verdict,
    reasons: [],
    ts: '2026-12-01T00:00:00Z',
    paymentFps: ['pm_shared'],
  };
}

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

test('a new account paying like a blocked cluster is refused on its first decide', async () => {
  const records = new MemoryRecords();
  const engine = new PolicyEngine(CONFIG, { records });
  const changes: PolicyChange[] = [];
  engine.onChange((c) => changes.push(c));
  engine.applyVerdict(hydra());
  changes.length = 0;

  const d = engine.decide('fresh', 'standard', 'pm_shared');
  assert.equal(d.deny?.code, BLOCKED);
  assert.equal(engine.view('fresh')?.cluster, 'c7');

  assert.equal(changes.length, 1, 'one audited change');
  assert.equal(changes[0].kind, 'joined');
  assert.equal(changes[0].entry.account, 'fresh');
  assert.equal(changes[0].entry.cluster, 'c7');
  assert.equal(changes[0].entry.rule, 'cluster:c7/block/payment');

  // Later requests take the ordinary path, without a second audit entry.
  assert.equal(engine.decide('fresh', 'standard').deny?.code, BLOCKED);
  assert.equal(engine.decide('fresh', 'standard', 'pm_shared').deny?.code, BLOCKED);
  assert.equal(changes.length, 1);
  await engine.flush();
  const audit = await records.listAudit({ account: 'fresh' });
  assert.equal(audit.length, 1);
});

test('another fingerprint, or none, leaves a new account alone', () => {
  const engine = new PolicyEngine(CONFIG);
  engine.applyVerdict(hydra());
  assert.equal(engine.decide('other', 'standard', 'pm_other').deny, undefined);
  assert.equal(engine.decide('none', 'standard').deny, undefined);
  assert.equal(engine.view('other')?.cluster, undefined);
});

test("through the detector: a card only one of the cluster's accounts pays with is no key", () => {
  // 50 accounts linked by template and client; 40 pay with 10 cards (4 each), 10 with their own.
  const events = merge(
    ...Array.from({ length: 50 }, (_, i) =>
      harvestAccount(`h${i}`, 15, 500 + i, {
        startMs: T0 + i * 60_000,
        gapMs: 20 * 60_000,
        payment: i < 40 ? `pm_card${i % 10}` : `pm_own${i}`,
        ip: `100.${64 + i}.${i}.9`,
      }),
    ),
  );
  const detector = new DetectionEngine();
  const engine = new PolicyEngine(CONFIG);
  const listed: string[][] = [];
  detector.onVerdict((v) => {
    if ('accounts' in v) listed.push(v.paymentFps ?? []);
    engine.applyVerdict(v);
  });
  for (const e of events) detector.ingest(e);

  const [cluster] = detector.report().clusters;
  assert.equal(cluster.accounts.length, 50);
  assert.ok(listed.length > 0, 'the cluster reached a verdict');
  const cards = Array.from({ length: 10 }, (_, i) => `pm_card${i}`);
  assert.deepEqual([...listed.at(-1)!].sort(), cards);

  assert.equal(engine.decide('n1', 'standard', 'pm_card3').rule.startsWith('tier:'), true);
  assert.equal(engine.view('n1')?.cluster, cluster.id, 'a shared card joins the cluster');
  engine.decide('n2', 'standard', 'pm_own42');
  assert.equal(engine.view('n2')?.cluster, undefined, "one member's own card does not");
});

test('an account already in another cluster keeps its own cluster', () => {
  const engine = new PolicyEngine(CONFIG);
  engine.applyVerdict(hydra());
  engine.applyVerdict({ ...hydra(0.2, 'allow'), id: 'c8', accounts: ['x1', 'x2'], paymentFps: [] });
  assert.equal(engine.decide('x1', 'standard', 'pm_shared').deny, undefined);
  assert.equal(engine.view('x1')?.cluster, 'c8');
});

test('a cluster below every threshold indexes nothing', () => {
  const engine = new PolicyEngine(CONFIG);
  engine.applyVerdict(hydra(0.3, 'allow'));
  assert.equal(engine.decide('fresh', 'standard', 'pm_shared').rule, 'tier:standard/allow');
  assert.equal(engine.view('fresh')?.cluster, undefined);
});

test("a cluster's lower level applies too: review degrades the new account", () => {
  const engine = new PolicyEngine(CONFIG);
  engine.applyVerdict(hydra(0.75, 'review'));
  const d = engine.decide('fresh', 'standard', 'pm_shared');
  assert.equal(d.deny, undefined);
  assert.equal(d.rule, 'tier:standard/review');
  assert.ok(d.degrade);
});

test('a later verdict replaces the fingerprints of its cluster', () => {
  const engine = new PolicyEngine(CONFIG);
  engine.applyVerdict(hydra());
  engine.applyVerdict({ ...hydra(), paymentFps: ['pm_next'] });
  assert.equal(engine.decide('a', 'standard', 'pm_shared').deny, undefined);
  assert.equal(engine.decide('b', 'standard', 'pm_next').deny?.code, BLOCKED);
});

test('a cluster relaxed to allow no longer refuses accounts by their payment', () => {
  const c = clock();
  const engine = new PolicyEngine(CONFIG, { now: c.now });
  engine.applyVerdict(hydra());
  engine.applyVerdict(hydra(0.1, 'allow'));
  assert.equal(engine.decide('h1', 'standard').deny?.code, BLOCKED, 'not before the period');

  c.t += 601_000;
  assert.equal(engine.decide('h1', 'standard').rule, 'tier:standard/allow', 'relaxed');
  assert.equal(engine.decide('late', 'standard', 'pm_shared').deny, undefined);
  assert.equal(engine.view('late')?.cluster, undefined);
});

test("a reset cluster's fingerprints are no longer a key", () => {
  const engine = new PolicyEngine(CONFIG);
  engine.applyVerdict(hydra());
  engine.resetCluster('c7', 'ana');
  assert.equal(engine.decide('late', 'standard', 'pm_shared').deny, undefined);
  assert.equal(engine.view('late')?.cluster, undefined);
});

test("another replica's cluster verdict indexes its fingerprints here", () => {
  const engine = new PolicyEngine(CONFIG);
  engine.applyRemote({ type: 'verdict', verdict: hydra() });
  assert.equal(engine.decide('fresh', 'standard', 'pm_shared').deny?.code, BLOCKED);
});

test('a restart on the same records restores the fingerprints of a blocked cluster', async () => {
  const records = new MemoryRecords();
  const before = new PolicyEngine(CONFIG, { records });
  before.applyVerdict(hydra());
  await before.flush();
  const [entry] = (await records.listAudit({ account: '*' })).filter((e) => e.cluster === 'c7');
  assert.deepEqual(entry.paymentFps, ['pm_shared']);

  const after = new PolicyEngine(CONFIG, { records });
  await after.restoreLevels();
  assert.equal(after.decide('fresh', 'standard', 'pm_shared').deny?.code, BLOCKED);
  assert.equal(after.decide('other', 'standard', 'pm_other').deny, undefined);
});
