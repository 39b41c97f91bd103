import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

let t: TestGateway;

before(async () => {
  t = await startTestGateway({
    auth: {
      trusted_header: {
        account: 'x-provider-account',
        payment_fp: 'X-Provider-Payment',
        signup_ts: 'x-provider-signup',
      },
    },
  });
});
after(() => t.close());

const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

async function clientOf(account: string, headers: Record<string, string>) {
  const client = new OpenAI({
    apiKey: 'unused',
    baseURL: `${t.gw.url}/v1`,
    maxRetries: 0,
    defaultHeaders: { 'x-provider-account': account, ...headers },
  });
  await client.chat.completions.create(ask);
  await t.gw.flushEvents();
  return JSON.parse(t.store.events.list({ account }).at(-1)!.client) as Record<string, string>;
}

test('trusted headers put the payment fingerprint and sign-up time on the event', async () => {
  const client = await clientOf('acct_paid', {
    'x-provider-payment': 'pm_5f1c',
    'x-provider-signup': '2026-11-29T10:00:00Z',
  });
  assert.equal(client.payment_fp, 'pm_5f1c');
  assert.equal(client.signup_ts, '2026-11-29T10:00:00Z');
  assert.ok(client.ip, 'the address stays');
});

test('a sign-up time that is not a date is left out; absent headers add nothing', async () => {
  const bad = await clientOf('acct_odd', { 'x-provider-signup': 'yesterday' });
  assert.equal(bad.signup_ts, undefined);
  const none = await clientOf('acct_plain', {});
  assert.deepEqual(Object.keys(none).sort(), ['ip', 'user_agent']);
});

/** Calls with a Moat key of `account`, sending a forged payment header; the event's client. */
async function keyedCall(account: string, facts?: Record<string, string>) {
  const secret = t.store.keys.create(account, 'standard', facts).secret;
  const client = new OpenAI({
    apiKey: secret,
    baseURL: `${t.gw.url}/v1`,
    maxRetries: 0,
    defaultHeaders: { 'x-provider-payment': 'pm_forged' },
  });
  await client.chat.completions.create(ask);
  await t.gw.flushEvents();
  return JSON.parse(t.store.events.list({ account }).at(-1)!.client) as Record<string, string>;
}

test('a key holder cannot set them: the headers count only with a trusted identity', async () => {
  assert.equal((await keyedCall('acct_keyed')).payment_fp, undefined);
});

test('a key issued with a payment fingerprint and sign-up time puts them on its events', async () => {
  const facts = await keyedCall('acct_facts', {
    payment_fp: 'pm_keyed_77',
    signup_ts: '2026-11-30T08:00:00Z',
  });
  assert.equal(facts.payment_fp, 'pm_keyed_77', 'the fact of the key, not the header');
  assert.equal(facts.signup_ts, '2026-11-30T08:00:00Z');
  assert.ok(facts.ip, 'the address stays');
});

test('facts that cannot be kept are refused when the key is issued, naming the field', () => {
  assert.throws(
    () => t.store.keys.create('acct_bad', 'standard', { signup_ts: 'last week' }),
    /signup_ts must be a date/,
  );
  assert.throws(
    () => t.store.keys.create('acct_bad', 'standard', { payment_fp: '' }),
    /payment_fp must be a non-empty string/,
  );
  assert.equal(t.store.keys.list('acct_bad').length, 0, 'no key was issued');
});
