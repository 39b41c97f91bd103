import Anthropic from '@anthropic-ai/sdk';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

let t: TestGateway;

before(async () => {
  t = await startTestGateway({
    auth: {
      trusted_header: {
        account: 'X-Provider-Account',
        tier: 'x-provider-tier',
        default_tier: 'standard',
      },
    },
    tiers: { standard: {}, gold: {} },
  });
});
after(() => t.close());

const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

async function lastEvent() {
  await t.gw.flushEvents();
  return t.store.events.list().at(-1)!;
}

test('a trusted identity header names the account and tier, no key needed', async () => {
  const client = new OpenAI({
    apiKey: 'unused',
    baseURL: `${t.gw.url}/v1`,
    maxRetries: 0,
    defaultHeaders: { 'x-provider-account': 'acct_sso_9', 'x-provider-tier': 'gold' },
  });
  await client.chat.completions.create(ask);
  const e = await lastEvent();
  assert.equal(e.account, 'acct_sso_9');
  assert.equal(e.tier, 'gold');
  assert.equal(e.key_id, null);
});

test('without the tier header the default tier applies', async () => {
  const client = new OpenAI({
    apiKey: 'unused',
    baseURL: `${t.gw.url}/v1`,
    maxRetries: 0,
    defaultHeaders: { 'x-provider-account': 'acct_sso_10' },
  });
  await client.chat.completions.create(ask);
  assert.equal((await lastEvent()).tier, 'standard');
});

test('a tier header naming an unknown tier is refused with 401', async () => {
  const client = new OpenAI({
    apiKey: 'unused',
    baseURL: `${t.gw.url}/v1`,
    maxRetries: 0,
    defaultHeaders: { 'x-provider-account': 'acct_sso_11', 'x-provider-tier': 'platinum' },
  });
  await assert.rejects(client.chat.completions.create(ask), (err: unknown) => {
    return (
      err instanceof OpenAI.AuthenticationError &&
      /Tier "platinum" is not configured/.test(err.message)
    );
  });
});

test('without the header, Moat keys still work, via x-api-key for Anthropic', async () => {
  const anthropic = new Anthropic({ apiKey: t.keys.gold, baseURL: t.gw.url, maxRetries: 0 });
  await anthropic.messages.create({
    model: 'c',
    max_tokens: 8,
    messages: [{ role: 'user', content: 'x' }],
  });
  const e = await lastEvent();
  assert.equal(e.account, 'acct_gold');
  assert.match(e.key_id ?? '', /^key_/);
});

test('no header and no key: 401 in the Anthropic shape on /v1/messages', async () => {
  const r = await fetch(`${t.gw.url}/v1/messages`, { method: 'POST', body: '{}' });
  assert.equal(r.status, 401);
  const body = (await r.json()) as { type: string; error: { type: string } };
  assert.deepEqual([body.type, body.error.type], ['error', 'authentication_error']);
});
