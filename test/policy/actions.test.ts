import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { parseConfig } from '../../src/config/index.js';
import { startControlPlane, type ControlPlane } from '../../src/fleet/index.js';
import { startGateway, type Gateway } from '../../src/gateway/index.js';
import { openStore, type SqliteStore } from '../../src/store/sqlite.js';

const THOUGHT = 'Step 1: read the question. Step 2: compute. Step 3: answer.';
const ADMIN = 'admin-token-for-action-tests';

/** A backend that records what it receives and always answers with a reasoning trace. */
async function reasoningUpstream() {
  const bodies: Record<string, any>[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
    bodies.push(body);
    const base = { id: 'c1', created: 1, model: body.model };
    if (!body.stream) {
      const message = { role: 'assistant', content: '42', reasoning_content: THOUGHT };
      const logprobs = body.logprobs
        ? { content: [{ token: '42', logprob: -0.1, bytes: null, top_logprobs: [] }] }
        : null;
      const text = JSON.stringify({
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message, finish_reason: 'stop', logprobs }],
        usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (delta: object, finish: string | null = null) => {
      const choices = [{ index: 0, delta, finish_reason: finish }];
      return `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices })}\n\n`;
    };
    res.write(chunk({ role: 'assistant', reasoning_content: THOUGHT.slice(0, 20) }));
    res.write(chunk({ reasoning_content: THOUGHT.slice(20) }));
    res.write(chunk({ content: '42' }));
    res.write(chunk({}, 'stop'));
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, server };
}

let up: Awaited<ReturnType<typeof reasoningUpstream>>;
let plane: ControlPlane;
let gw: Gateway;
let store: SqliteStore;
let home: string;
const keys: Record<string, string> = {};

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'moat-policy-'));
  process.env.MOAT_ADMIN_TOKEN = ADMIN;
  up = await reasoningUpstream();
  const config = parseConfig({
    server: { port: 0 },
    upstream: { url: up.url },
    tiers: { standard: {}, free: { requests_per_minute: 8 } },
    policy: {
      verification_link: 'https://provider.example/verify',
      throttle_factor: 0.25,
      degrade: { max_tokens: 256, max_n: 1 },
      tiers: {
        default: {
          actions: { review: ['degrade', 'review'], block: ['block'] },
        },
        free: { actions: { watch: ['throttle'], review: ['verify'] } },
      },
    },
  });
  store = openStore(join(home, 'moat.db'));
  for (const a of ['deg', 'blk', 'ver', 'thr', 'h1', 'h2', 'ovr']) {
    keys[a] = store.keys.create(a, ['ver', 'thr'].includes(a) ? 'free' : 'standard').secret;
  }
  plane = await startControlPlane(config, { store });
  gw = await startGateway({ config, store, ...plane.gateway });
  plane.attach(gw);
});

after(async () => {
  await gw.close();
  await plane.close();
  store.close();
  up.server.close();
  rmSync(home, { recursive: true, force: true });
  delete process.env.MOAT_ADMIN_TOKEN;
});

const client = (a: string) =>
  new OpenAI({ apiKey: keys[a], baseURL: `${gw.url}/v1`, maxRetries: 0 });
const verdict = (
  account: string,
  risk: number,
  level: 'watch' | 'review' | 'block',
  cluster?: string,
) => plane.engine.applyVerdict({ account, risk, verdict: level, reasons: [], ts: 't', cluster });

test('degrade: the upstream never sees logprobs, logit_bias, n or a large max_tokens', async () => {
  verdict('deg', 0.8, 'review');
  const r = await client('deg').chat.completions.create({
    model: 'm',
    messages: [{ role: 'user', content: 'q' }],
    logprobs: true,
    top_logprobs: 5,
    logit_bias: { '50256': -100 },
    n: 4,
    max_tokens: 4000,
  });
  const seen = up.bodies.at(-1)!;
  assert.equal(seen.logprobs, undefined);
  assert.equal(seen.top_logprobs, undefined);
  assert.equal(seen.logit_bias, undefined);
  assert.equal(seen.n, 1);
  assert.equal(seen.max_tokens, 256);
  assert.equal(r.choices[0].logprobs, null);
  assert.equal((r.choices[0].message as any).reasoning_content, undefined, 'reasoning removed');
  assert.equal(r.choices[0].message.content, '42');
});

test('degrade: reasoning is removed from a stream read by the SDK', async () => {
  verdict('deg', 0.8, 'review');
  const stream = await client('deg').chat.completions.create({
    model: 'm',
    messages: [{ role: 'user', content: 'q' }],
    stream: true,
  });
  let text = '';
  let reasoning = '';
  for await (const c of stream) {
    text += c.choices[0]?.delta?.content ?? '';
    reasoning += (c.choices[0]?.delta as any)?.reasoning_content ?? '';
  }
  assert.equal(text, '42');
  assert.equal(reasoning, '');
});

test('an allowed account keeps its logprobs and reasoning', async () => {
  const r = await client('ovr').chat.completions.create({
    model: 'm',
    messages: [{ role: 'user', content: 'q' }],
    logprobs: true,
  });
  assert.equal(up.bodies.at(-1)!.logprobs, true);
  assert.ok(r.choices[0].logprobs);
  assert.equal((r.choices[0].message as any).reasoning_content, THOUGHT);
});

test('block: the SDK gets 403 account_blocked', async () => {
  verdict('blk', 0.99, 'block');
  await assert.rejects(
    client('blk').chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'q' }],
    }),
    (err: any) => err instanceof OpenAI.PermissionDeniedError && err.code === 'account_blocked',
  );
});

test('verification: 403 verification_required with the provider link', async () => {
  verdict('ver', 0.8, 'review');
  await assert.rejects(
    client('ver').chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'q' }],
    }),
    (err: any) =>
      err.status === 403 &&
      err.code === 'verification_required' &&
      String(err.message).includes('https://provider.example/verify'),
  );
});

test('throttle: the tier limit shrinks by the configured factor', async () => {
  verdict('thr', 0.6, 'watch');
  const ask = () =>
    client('thr').chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'q' }],
    });
  const outcomes: number[] = [];
  for (let i = 0; i < 4; i++)
    outcomes.push(
      await ask().then(
        () => 200,
        (e: any) => e.status,
      ),
    );
  assert.equal(outcomes.filter((s) => s === 200).length, 2, `8 rpm * 0.25 = 2: ${outcomes}`);
  assert.ok(outcomes.includes(429));
});

test("a cluster's block reaches an account that joins it later", async () => {
  plane.engine.applyVerdict({
    id: 'c_9',
    accounts: ['h1'],
    risk: 0.99,
    verdict: 'block',
    reasons: [],
    ts: 't',
  });
  const ask = (a: string) =>
    client(a).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'q' }] });
  await assert.rejects(ask('h1'), { status: 403 });
  await ask('h2');
  verdict('h2', 0.1, 'watch', 'c_9');
  await assert.rejects(ask('h2'), { status: 403, code: 'account_blocked' });
});

test('an override set through the mounted admin API wins over a block', async () => {
  verdict('ovr', 0.99, 'block');
  const ask = () =>
    client('ovr').chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'q' }],
    });
  await assert.rejects(ask(), { status: 403 });

  const res = await fetch(`${gw.url}/admin/v1/overrides/ovr`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN}` },
    body: JSON.stringify({ kind: 'unblock', reason: 'appeal upheld' }),
  });
  assert.equal(res.status, 200);
  const r = await ask();
  assert.equal(r.choices[0].message.content, '42');

  const audit = await fetch(`${gw.url}/admin/v1/audit?account=ovr`, {
    headers: { authorization: `Bearer ${ADMIN}` },
  }).then((x) => x.json() as Promise<{ audit: { rule: string }[] }>);
  assert.deepEqual(audit.audit.map((e) => e.rule).slice(0, 2), [
    'override:unblock',
    'tier:standard/block',
  ]);
});

test('the console and its read endpoints are mounted beside the admin API', async () => {
  const page = await fetch(`${gw.url}/console/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  await page.arrayBuffer();

  const ranked = await fetch(`${gw.url}/admin/v1/console/accounts`, {
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  assert.equal(ranked.status, 200);
  await ranked.arrayBuffer();
});

test('a blocked account gets the documented error through the Anthropic SDK too', async () => {
  verdict('blk', 0.99, 'block');
  const anthropic = new Anthropic({ apiKey: keys.blk, baseURL: gw.url, maxRetries: 0 });
  await assert.rejects(
    anthropic.messages.create({
      model: 'm',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'q' }],
    }),
    (err: any) =>
      err instanceof Anthropic.PermissionDeniedError &&
      JSON.stringify(err.error).includes('account_blocked'),
  );
});
