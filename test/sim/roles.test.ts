import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MoatEvent } from '../../src/core/event.js';
import { builtinCorpus } from '../../src/data/builtin/prompts.js';
import { builtinTraces } from '../../src/data/builtin/traces.js';
import { Simulation } from '../../src/sim/engine.js';
import { validateScenario } from '../../src/sim/scenario.js';

const scenario = validateScenario({
  name: 'roles',
  days: 1,
  release: { model: 'frontier-2', day: 0.3 },
  tenants: [
    { profile: 'chat-app', accounts: 5, per_day: 200 },
    { profile: 'batch-classifier', accounts: 2, per_day: 400 },
    { profile: 'eval-harness', accounts: 2, per_day: 200 },
    { profile: 'tutoring-app', accounts: 3, per_day: 100 },
    { profile: 'logprob-classifier', accounts: 2, per_day: 200 },
  ],
  campaigns: [
    { name: 'cot', kind: 'cot', target: ['gsm8k'], per_day: 500 },
    { name: 'lp', kind: 'logprob', target: ['arena-hard'], per_day: 500 },
    {
      name: 'pivot',
      kind: 'pivot',
      target: ['code-alpaca'],
      accounts: 2,
      per_day: 1000,
      start_day: 0.1,
    },
    { name: 'mimic', kind: 'mimic', target: ['arena-hard'], accounts: 3, per_day: 600 },
  ],
});

const sim = new Simulation(scenario, {
  seed: 11,
  corpus: builtinCorpus(),
  traces: builtinTraces(),
});
const events = [...sim];
const roleOf = new Map(sim.labels.map((l) => [l.account, l.profile ?? l.campaign]));
const of = (role: string): MoatEvent[] => events.filter((e) => roleOf.get(e.account) === role);
const releaseMs = Date.parse(scenario.start) + 0.3 * 86_400_000;
const user = (e: MoatEvent) => e.input?.messages?.at(-1)?.content ?? e.input?.prompt ?? '';

test('hard negatives look like harvesting: temperature 0, templates, logprobs, CoT', () => {
  const batch = of('batch-classifier');
  assert.ok(batch.length > 100);
  assert.ok(batch.every((e) => e.params.temperature === 0 && /^Classify/.test(user(e))));

  const evals = of('eval-harness');
  assert.ok(evals.length > 50);
  assert.ok(evals.every((e) => Date.parse(e.ts) > releaseMs && e.model === 'frontier-2'));
  assert.ok(evals.every((e) => /step by step/i.test(JSON.stringify(e.input))));

  const lp = of('logprob-classifier');
  assert.ok(lp.every((e) => e.params.logprobs && (e.params.logit_bias ?? 0) >= 2));
  assert.ok(lp.every((e) => e.params.max_tokens === 1));
});

test('tutoring conversations run over several turns', () => {
  const tutor = of('tutoring-app');
  const deep = tutor.filter((e) => (e.input?.messages?.length ?? 0) >= 5);
  assert.ok(deep.length > tutor.length * 0.2, `${deep.length} of ${tutor.length} deep`);
});

test('campaigns carry their tells: CoT wrappers, logprob extraction, a pivot, a mimic', () => {
  assert.ok(of('cot').every((e) => /reason|step|thinking/i.test(user(e))));

  const lp = of('lp');
  assert.ok(lp.every((e) => e.params.top_logprobs === 20 && (e.params.logit_bias ?? 0) >= 50));

  const pivot = of('pivot');
  const after = pivot.filter((e) => Date.parse(e.ts) >= releaseMs + 0.1 * 86_400_000);
  assert.ok(after.length > 0 && after.every((e) => e.model === 'frontier-2'));
  assert.ok(
    pivot.some((e) => e.model === 'frontier-large'),
    'ordinary traffic before the pivot',
  );

  const mimic = of('mimic');
  const residential = /^(24|67|68|71|73|76|86|90|98|174|185|188)\./;
  assert.ok(mimic.every((e) => residential.test(e.client.ip)));
  assert.ok(
    mimic.some((e) => (e.input?.messages?.length ?? 0) > 1),
    'fake follow-ups',
  );
  assert.ok(new Set(mimic.map((e) => user(e).split(' ')[0])).size > 3, 'varied wrappers');
  const ages = mimic.map((e) => Date.parse(e.ts) - Date.parse(e.client.signup_ts ?? ''));
  assert.ok(
    ages.every((ms) => ms > 20 * 86_400_000),
    'aged accounts',
  );
});
