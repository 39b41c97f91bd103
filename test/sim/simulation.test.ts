import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { MoatEvent } from '../../src/core/event.js';
import { builtinCorpus } from '../../src/data/builtin/prompts.js';
import { builtinTraces } from '../../src/data/builtin/traces.js';
import type { SetName } from '../../src/data/corpus.js';
import { Simulation } from '../../src/sim/engine.js';
import { PRESETS } from '../../src/sim/presets.js';
import { validateScenario, type Scenario } from '../../src/sim/scenario.js';

const corpus = builtinCorpus();
const traces = builtinTraces();

/** A small scenario with one account group of each profile and a few campaigns. */
const small: Scenario = validateScenario({
  name: 'small',
  days: 1,
  release: { model: 'frontier-2', day: 0.5 },
  tenants: [
    { profile: 'chat-app', accounts: 6, per_day: 40 },
    { profile: 'support-bot', accounts: 3, per_day: 60 },
    { profile: 'rag-search', accounts: 3, per_day: 60 },
    { profile: 'coding-assistant', accounts: 4, per_day: 40 },
    { profile: 'reseller', accounts: 1, per_day: 400 },
    { profile: 'batch-classifier', accounts: 1, per_day: 300 },
    { profile: 'eval-harness', accounts: 1, per_day: 200 },
    { profile: 'tutoring-app', accounts: 2, per_day: 40 },
    { profile: 'logprob-classifier', accounts: 2, per_day: 60 },
  ],
  campaigns: [
    { name: 'bulk', kind: 'bulk', target: ['gsm8k'], per_day: 2000 },
    {
      name: 'hydra',
      kind: 'hydra',
      target: ['gpteacher-codegen'],
      accounts: 20,
      per_day: 2000,
      replacements: 10,
    },
    { name: 'mimic', kind: 'mimic', target: ['arena-hard'], accounts: 3, per_day: 300 },
  ],
});

function run(seed: number, isStopped?: (a: string) => boolean): Simulation {
  return new Simulation(small, { seed, corpus, traces, isStopped });
}

function digest(events: Iterable<MoatEvent>): string {
  const h = createHash('sha256');
  for (const e of events) h.update(JSON.stringify(e));
  return h.digest('hex');
}

test('the same seed gives the same events; another seed gives others', () => {
  assert.equal(digest(run(7)), digest(run(7)));
  assert.notEqual(digest(run(7)), digest(run(8)));
});

test('events come in time order within the scenario and every account has a label', () => {
  const sim = run(3);
  const events = [...sim];
  assert.ok(events.length > 1000, `only ${events.length} events`);
  for (let i = 1; i < events.length; i++) assert.ok(events[i].ts >= events[i - 1].ts);
  const end = Date.parse(small.start) + small.days * 86_400_000;
  assert.ok(Date.parse(events.at(-1)!.ts) < end);
  const labelled = new Set(sim.labels.map((l) => l.account));
  for (const e of events) assert.ok(labelled.has(e.account));
});

test('nothing in an event reveals its role: ids are opaque, names never appear', () => {
  const sim = run(4);
  const roles = ['bulk', 'hydra', 'mimic', 'attack', 'legit', 'chat-app', 'reseller', 'campaign'];
  for (const e of sim) {
    assert.match(e.account, /^acct_[0-9a-f]{12}$/);
    assert.match(e.key ?? '', /^key_[0-9a-f]{12}$/);
    assert.match(e.id, /^evt_[0-9a-f]{20}$/);
    const meta = JSON.stringify({ id: e.id, a: e.account, k: e.key, c: e.client, t: e.tier });
    for (const r of roles) assert.ok(!meta.includes(r), `${r} in ${meta}`);
  }
  const attack = sim.labels.filter((l) => l.label === 'attack').map((l) => l.account);
  const legit = sim.labels.filter((l) => l.label === 'legit').map((l) => l.account);
  const sorted = [...sim.labels].map((l) => l.account).sort();
  // Opaque ids: attacking accounts are spread over the id space, not grouped.
  const firstAttack = sorted.findIndex((a) => attack.includes(a));
  const lastAttack = sorted.findLastIndex((a) => attack.includes(a));
  assert.ok(legit.some((a) => a > sorted[firstAttack] && a < sorted[lastAttack]));
});

test('a stopped account sends nothing more and a hydra replaces it at once', () => {
  const stopped = new Set<string>();
  const seen = new Map<string, number>();
  const sim = new Simulation(small, {
    seed: 5,
    corpus,
    traces,
    isStopped: (a) => stopped.has(a),
  });
  const attack = () =>
    new Set(sim.labels.filter((l) => l.label === 'attack').map((l) => l.account));
  let afterStop = 0;
  for (const e of sim) {
    if (stopped.has(e.account)) afterStop++;
    const n = (seen.get(e.account) ?? 0) + 1;
    seen.set(e.account, n);
    if (n === 3 && attack().has(e.account)) stopped.add(e.account);
  }
  assert.equal(afterStop, 0);

  const hydra = sim.campaigns.find((c) => c.spec.name === 'hydra')!;
  assert.equal(hydra.accounts.length, 30, 'twenty accounts plus ten replacements');
  assert.equal(hydra.replacementsLeft, 0);
  assert.ok(hydra.events <= 30 * 3, `hydra sent ${hydra.events} events`);
  const bulk = sim.campaigns.find((c) => c.spec.name === 'bulk')!;
  assert.equal(bulk.events, 3);
  assert.equal(bulk.harvested.size, 3);
});

test('a hydra account refused on its first request logs one 403 and is replaced', () => {
  const cards = new Set<string>();
  const hydraEvents: MoatEvent[] = [];
  const sim = new Simulation(small, {
    seed: 5,
    corpus,
    traces,
    isStopped: (_account, card) => cards.has(card),
  });
  const hydra = sim.campaigns.find((c) => c.spec.name === 'hydra')!;
  for (const e of sim) {
    if (!hydra.accounts.includes(e.account)) continue;
    hydraEvents.push(e);
    // The operator's cards are blocked after the hydra's first few answers.
    if (hydraEvents.length <= 5) cards.add(e.client.payment_fp!);
  }

  const refused = hydraEvents.filter((e) => e.status === 403);
  assert.ok(refused.length > 0, 'some replacements pay with a blocked card');
  for (const r of refused) {
    const own = hydraEvents.filter((e) => e.account === r.account);
    assert.deepEqual(own, [r], 'refused on its first request, never tried again');
    assert.equal(r.output, undefined);
  }
  const answered = hydraEvents.filter((e) => e.status === 200);
  assert.equal(hydra.harvested.size, answered.length, 'a refused prompt is not harvested');
  assert.equal(hydra.events, hydraEvents.length);
});

test('hydra accounts share part of their infrastructure; customers do not', () => {
  const sim = run(6);
  const hydra = new Set(sim.campaigns.find((c) => c.spec.name === 'hydra')!.accounts);
  const cards = new Map<string, Set<string>>();
  for (const e of sim) {
    const set = cards.get(e.client.payment_fp ?? '') ?? new Set();
    set.add(e.account);
    cards.set(e.client.payment_fp ?? '', set);
  }
  const shared = [...cards.values()].filter((s) => s.size > 1);
  assert.ok(shared.length > 0);
  for (const s of shared) for (const a of s) assert.ok(hydra.has(a), 'only hydra accounts share');
});

test('every prompt set is used in a legitimate and in an attacking role in the presets', () => {
  const roles = new Map<SetName, Set<string>>();
  for (const name of ['ci', 'standard']) {
    const scenario = { ...PRESETS[name](), days: 1 };
    const sim = new Simulation(scenario, {
      seed: 1,
      corpus,
      traces,
      onCall: (call, event) => {
        if (!call.item) return;
        const role = sim.labels.find((l) => l.account === event.account)?.label ?? '?';
        const set = roles.get(call.item.set) ?? new Set();
        set.add(role);
        roles.set(call.item.set, set);
      },
    });
    let n = 0;
    for (const _ of sim) if (++n > 60_000) break;
  }
  for (const set of Object.keys(corpus.sets) as SetName[]) {
    assert.deepEqual([...(roles.get(set) ?? [])].sort(), ['attack', 'legit'], set);
  }
});
