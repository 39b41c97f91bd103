import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicyConfig } from '../../src/policy/config.js';
import { PolicyEngine } from '../../src/policy/engine.js';
import { falsePositiveLabels, resolveReview } from '../../src/policy/review.js';
import type { AccountVerdict, VerdictLevel } from '../../src/core/verdict.js';

const CONFIG = parsePolicyConfig({
  verification_link: 'https://provider.example/verify',
  relax_after_s: 600,
  relax_margin: 0.1,
  tiers: {
    default: {
      thresholds: { watch: 0.5, review: 0.7, block: 0.9 },
      actions: {
        watch: ['watermark'],
        review: ['watermark', 'degrade', 'throttle', 'review'],
        block: ['block'],
      },
    },
    free: { force: { watermark: 'always' }, actions: { review: ['verify', 'review'] } },
  },
});

function verdict(account: string, risk: number, level: VerdictLevel = 'allow'): AccountVerdict {
  return { account, risk, verdict: level, reasons: [], ts: '2026-12-01T00:00:00Z' };
}

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

test('an account escalates at once when its risk crosses a threshold', () => {
  const engine = new PolicyEngine(CONFIG);
  assert.deepEqual(engine.decide('a', 'standard'), {
    watermark: false,
    rule: 'tier:standard/allow',
  });

  engine.applyVerdict(verdict('a', 0.75));
  const d = engine.decide('a', 'standard');
  assert.equal(d.watermark, true);
  assert.equal(d.throttle, 0.25);
  assert.deepEqual(d.degrade, { maxTokens: 1024, maxN: 1, stripReasoning: true });
  assert.equal(d.rule, 'tier:standard/review');

  engine.applyVerdict(verdict('a', 0.95));
  assert.deepEqual(engine.decide('a', 'standard').deny, { code: 'MOAT_ERR_ACCOUNT_BLOCKED' });
});

test("the detector's verdict level counts even when the risk is below the thresholds", () => {
  const engine = new PolicyEngine(CONFIG);
  engine.applyVerdict(verdict('a', 0.2, 'block'));
  assert.equal(engine.decide('a', 'standard').deny?.code, 'MOAT_ERR_ACCOUNT_BLOCKED');
});

test('a risk hovering at a threshold does not flap; it relaxes only after the period', () => {
  const c = clock();
  const engine = new PolicyEngine(CONFIG, { now: c.now });
  const levels: string[] = [];

  for (const risk of [0.71, 0.69, 0.72, 0.66, 0.71, 0.68]) {
    engine.applyVerdict(verdict('a', risk));
    c.t += 30_000;
    levels.push(engine.decide('a', 'standard').rule);
  }
  assert.ok(
    levels.every((r) => r === 'tier:standard/review'),
    levels.join(','),
  );

  engine.applyVerdict(verdict('a', 0.55));
  c.t += 599_000;
  assert.equal(engine.decide('a', 'standard').rule, 'tier:standard/review');

  c.t += 2_000;
  assert.equal(engine.decide('a', 'standard').rule, 'tier:standard/watch');
});

test('evidence back above the relax margin restarts the relax period', () => {
  const c = clock();
  const engine = new PolicyEngine(CONFIG, { now: c.now });
  engine.applyVerdict(verdict('a', 0.8));
  engine.applyVerdict(verdict('a', 0.3));
  c.t += 500_000;
  engine.applyVerdict(verdict('a', 0.65));
  c.t += 200_000;
  assert.equal(engine.decide('a', 'standard').rule, 'tier:standard/review');

  engine.applyVerdict(verdict('a', 0.1));
  c.t += 600_000;
  assert.equal(engine.decide('a', 'standard').rule, 'tier:standard/allow');
});

test('a tier can force an action and map a level to verification', () => {
  const engine = new PolicyEngine(CONFIG);
  assert.equal(engine.decide('f', 'free').watermark, true);

  engine.applyVerdict(verdict('f', 0.8));
  assert.deepEqual(engine.decide('f', 'free').deny, {
    code: 'MOAT_ERR_VERIFICATION_REQUIRED',
    link: 'https://provider.example/verify',
  });
});

test("a cluster's verdict applies to its accounts, including one that joins later", () => {
  const engine = new PolicyEngine(CONFIG);
  engine.applyVerdict({
    id: 'c1',
    accounts: ['h1', 'h2'],
    risk: 0.95,
    verdict: 'block',
    reasons: [],
    ts: '2026-12-01T00:00:00Z',
  });
  assert.equal(engine.decide('h1', 'standard').deny?.code, 'MOAT_ERR_ACCOUNT_BLOCKED');
  assert.equal(engine.decide('h3', 'standard').deny, undefined);

  engine.applyVerdict({ ...verdict('h3', 0.1), cluster: 'c1' });
  assert.equal(engine.decide('h3', 'standard').deny?.code, 'MOAT_ERR_ACCOUNT_BLOCKED');
});

test('overrides win over the engine and are audited', async () => {
  const engine = new PolicyEngine(CONFIG);
  const ts = new Date().toISOString();
  engine.applyVerdict(verdict('a', 0.95));

  engine.setOverride({ account: 'a', kind: 'allow', reason: 'known customer', by: 'ana', ts });
  assert.deepEqual(engine.decide('a', 'standard'), { watermark: false, rule: 'override:allow' });

  engine.setOverride({ account: 'a', kind: 'unblock', reason: 'appeal', by: 'ana', ts });
  const unblocked = engine.decide('a', 'standard');
  assert.equal(unblocked.deny, undefined);
  assert.equal(unblocked.rule, 'tier:standard/block');

  engine.setOverride({ account: 'b', kind: 'block', reason: 'fraud', by: 'ana', ts });
  assert.equal(engine.decide('b', 'standard').deny?.code, 'MOAT_ERR_ACCOUNT_BLOCKED');

  engine.setOverride({ account: 'c', kind: 'tier', tier: 'free', reason: 'trial', by: 'ana', ts });
  const pinned = engine.decide('c', 'standard');
  assert.equal(pinned.tier, 'free');
  assert.equal(pinned.watermark, true);

  assert.equal(engine.removeOverride('b', 'ana'), true);
  assert.equal(engine.decide('b', 'standard').deny, undefined);

  await engine.flush();
  const audit = await engine.records.listAudit({});
  const rules = audit.map((e) => `${e.account}:${e.rule}:${e.by}`).reverse();
  assert.deepEqual(rules, [
    'a:tier:default/block:engine',
    'a:override:allow:ana',
    'a:override:unblock:ana',
    'b:override:block:ana',
    'c:override:tier:ana',
    'b:override:removed:ana',
  ]);
  assert.deepEqual(
    (await engine.records.listOverrides()).map((o) => o.account),
    ['a', 'c'],
  );
});

test('every escalation is audited with account, cluster, verdict, reasons and rule', async () => {
  const engine = new PolicyEngine(CONFIG);
  engine.decide('a', 'standard');
  const reasons = [{ signal: 'cot_elicitation', value: 0.8, detail: '80% ask for steps' }];
  engine.applyVerdict({ ...verdict('a', 0.75), reasons, cluster: 'c9' });
  await engine.flush();

  const [entry] = await engine.records.listAudit({ account: 'a' });
  assert.equal(entry.cluster, 'c9');
  assert.equal(entry.verdict, 'review');
  assert.deepEqual(entry.reasons, reasons);
  assert.equal(entry.rule, 'tier:standard/review');
  assert.ok(Date.parse(entry.ts) > 0);

  const [item] = await engine.records.listReviews({ status: 'open' });
  assert.equal(item.account, 'a');
  assert.deepEqual(item.actions, ['watermark', 'degrade', 'throttle', 'review']);
});

test('decide is a cache lookup: the same frozen decision comes back', () => {
  const engine = new PolicyEngine(CONFIG);
  engine.applyVerdict(verdict('a', 0.75));
  const first = engine.decide('a', 'standard');
  assert.equal(engine.decide('a', 'standard'), first);
  assert.ok(Object.isFrozen(first));
});

test('a dismissed cluster alert puts the cluster back to allow; labels name accounts', async () => {
  const engine = new PolicyEngine(CONFIG);
  const cluster = { id: 'c2', accounts: ['m1', 'm2'], risk: 0.8, verdict: 'review' as const };
  engine.applyVerdict({ ...cluster, reasons: [], ts: 't' });
  await engine.flush();
  assert.equal(engine.decide('m1', 'standard').rule, 'tier:standard/review');

  const [item] = await engine.records.listReviews({ status: 'open' });
  assert.equal(item.account, '*');
  assert.equal(item.cluster, 'c2');
  await resolveReview(engine, item.id, { decision: 'dismiss', analyst: 'ana' });
  assert.equal(engine.decide('m1', 'standard').rule, 'tier:standard/allow');
  assert.deepEqual(await falsePositiveLabels(engine.records), []);
});
