import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { startStack, type Stack } from '../../src/app/stack.js';
import { parseConfig } from '../../src/config/index.js';
import { builtinCorpus } from '../../src/data/builtin/prompts.js';
import { COT_WRAPPERS } from '../../src/sim/texts.js';
import { startReplayUpstream, type ReplayUpstream } from '../../src/upstream/replay.js';

const TOKEN = 'stack-test-admin-token-0123456789';
const corpus = builtinCorpus();
let home: string;
let upstream: ReplayUpstream;
let stack: Stack;

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'moat-stack-'));
  process.env.MOAT_HOME = home;
  process.env.MOAT_ADMIN_TOKEN = TOKEN;
  upstream = await startReplayUpstream({ corpus, tokensPerSecond: 0 });
  const config = parseConfig({
    server: { port: 0, trust_forwarded_for: true },
    upstream: { url: upstream.url },
    tiers: {
      standard: { requests_per_minute: 10_000, tokens_per_minute: 50_000_000 },
      trial: { requests_per_minute: 10_000, tokens_per_minute: 50_000_000 },
    },
    // A trial account normally sends about ten calls a day; a flat-out script is far above it.
    detect: { tier_daily_events: { trial: 10 } },
  });
  stack = await startStack(config);
});
after(async () => {
  await stack.close();
  await upstream.close();
  rmSync(home, { recursive: true, force: true });
});

function client(account: string, tier: string, headers: Record<string, string> = {}): OpenAI {
  const secret = stack.store.keys.create(account, tier).secret;
  return new OpenAI({
    apiKey: secret,
    baseURL: `${stack.url}/v1`,
    maxRetries: 0,
    defaultHeaders: headers,
  });
}

async function admin(path: string): Promise<Record<string, unknown>> {
  const r = await fetch(`${stack.url}/admin/v1/${path}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(r.status, 200, `admin ${path}`);
  return (await r.json()) as Record<string, unknown>;
}

const MAX_HARVEST_CALLS = 500;

test('a chain-of-thought harvester is detected live and refused; a customer is not', async (t) => {
  const harvester = client('acct_harvester', 'trial');
  const customer = client('acct_customer', 'standard', { 'x-forwarded-for': '198.51.100.23' });
  const math = corpus.sets.gsm8k.map((p) => p.prompt);
  const chat = [...corpus.sets['arena-hard'], ...corpus.sets.banking77].map((p) => p.prompt);

  let refusedAt = 0;
  let refusal: InstanceType<typeof OpenAI.APIError> | undefined;
  const history: OpenAI.Chat.ChatCompletionMessageParam[] = [];
  for (let i = 1; i <= MAX_HARVEST_CALLS && !refusedAt; i++) {
    const prompt = COT_WRAPPERS[0].replace('{p}', math[i % math.length]);
    try {
      // A scripted client behind a proxy pool: a new /24 network every few calls.
      const headers = {
        'x-forwarded-for': `203.0.${i % 16}.${(i * 13) % 250}`,
        'user-agent': 'python-requests/2.32.3',
      };
      await harvester.chat.completions.create(
        {
          model: 'frontier-large',
          messages: [{ role: 'user', content: prompt }],
          temperature: 0,
          max_tokens: 1024,
        },
        { headers },
      );
    } catch (err) {
      assert.ok(err instanceof OpenAI.PermissionDeniedError, `call ${i}: ${String(err)}`);
      refusedAt = i;
      refusal = err;
    }

    if (i % 4 !== 0) continue;
    // The customer keeps a conversation going with varied questions and follow-ups.
    history.push({ role: 'user', content: chat[(i * 7) % chat.length] });
    const r = await customer.chat.completions.create({
      model: 'frontier-large',
      messages: history.slice(-6),
      temperature: 0.8,
      max_tokens: 256,
    });
    history.push({ role: 'assistant', content: r.choices[0].message.content ?? '' });
  }

  await stack.detector!.flush();
  const v = stack.detector!.verdict('acct_harvester');
  assert.ok(refusedAt > 0, `still served after ${MAX_HARVEST_CALLS} calls: ${JSON.stringify(v)}`);
  assert.ok(
    refusal?.code === 'account_blocked' || refusal?.code === 'verification_required',
    `refusal code ${refusal?.code}`,
  );
  t.diagnostic(`harvester refused at call ${refusedAt}`);

  const seen = await admin('accounts/acct_harvester');
  assert.equal(seen.level, 'block');
  const decision = seen.decision as { deny?: { code: string } };
  assert.equal(decision.deny?.code, 'MOAT_ERR_ACCOUNT_BLOCKED');
  const reasons = seen.reasons as { signal: string }[] | undefined;
  const audit = seen.audit as { account: string }[];
  assert.ok(audit.length > 0, 'the automatic action is audited');
  assert.ok(
    (reasons ?? []).length > 0 || audit.length > 0,
    'the admin view carries the reasons or the audit',
  );

  const honest = await admin('accounts/acct_customer');
  assert.equal(honest.level ?? 'allow', 'allow', 'the customer stays allowed');
  const after = await customer.chat.completions.create({
    model: 'frontier-large',
    messages: [{ role: 'user', content: 'And one last question: what is a savings account?' }],
  });
  assert.ok(after.choices[0].message.content);
});
