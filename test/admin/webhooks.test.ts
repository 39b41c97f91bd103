import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseWebhooksConfig } from '../../src/admin/config.js';
import { signBody, WebhookSender } from '../../src/admin/webhooks.js';
import type { PolicyChange } from '../../src/policy/engine.js';

const CHANGE: PolicyChange = {
  kind: 'escalated',
  entry: {
    id: 'aud_1',
    ts: '2026-12-01T00:00:00.000Z',
    account: 'acct_1',
    cluster: 'c_1',
    verdict: 'block',
    risk: 0.97,
    reasons: [],
    rule: 'tier:standard/block',
    actions: ['block'],
    by: 'engine',
  },
};

async function receiver(failFirst: number) {
  const got: { body: string; signature: string }[] = [];
  let calls = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls++;
      if (calls <= failFirst) {
        res.writeHead(500);
        res.end();
        return;
      }
      got.push({
        body: Buffer.concat(chunks).toString(),
        signature: String(req.headers['x-moat-signature']),
      });
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, got, calls: () => calls, close: () => server.close() };
}

test('a webhook is retried with exponential backoff and arrives signed', async () => {
  const r = await receiver(2);
  const waits: number[] = [];
  try {
    const [hook] = parseWebhooksConfig([{ url: r.url, secret: 's3cret', backoff_ms: 10 }]);
    const sender = new WebhookSender([hook], async (ms) => {
      waits.push(ms);
    });
    sender.send(CHANGE);
    await sender.idle();

    assert.equal(r.calls(), 3);
    assert.deepEqual(waits, [10, 20]);
    assert.equal(r.got.length, 1);
    assert.equal(r.got[0].signature, signBody('s3cret', r.got[0].body));
    const body = JSON.parse(r.got[0].body);
    assert.equal(body.type, 'policy.escalated');
    assert.equal(body.account, 'acct_1');
    assert.equal(sender.delivered, 1);
  } finally {
    r.close();
  }
});

test('a webhook that never answers well is given up after max_attempts', async () => {
  const r = await receiver(1000);
  try {
    const [hook] = parseWebhooksConfig([
      { url: r.url, secret: 'k', max_attempts: 3, backoff_ms: 1 },
    ]);
    const sender = new WebhookSender([hook]);
    sender.send(CHANGE);
    sender.send({ ...CHANGE, kind: 'relaxed' });
    await sender.idle();
    assert.equal(r.calls(), 3, 'relaxed is not subscribed; escalated tried 3 times');
    assert.equal(sender.failed, 1);
  } finally {
    r.close();
  }
});

test('webhook config errors name the key', () => {
  assert.throws(() => parseWebhooksConfig([{ url: 'ftp://x', secret: 'k' }]), /webhooks\[0\]\.url/);
  assert.throws(() => parseWebhooksConfig([{ url: 'http://x' }]), /needs secret or secret_env/);
  assert.throws(
    () => parseWebhooksConfig([{ url: 'http://x', secret: 'k', on: ['nope'] }]),
    /webhooks\[0\]\.on/,
  );
});
