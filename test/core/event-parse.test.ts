import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventLineError, parseEventLine } from '../../src/core/event-parse.js';

const good = {
  v: 1,
  id: 'evt_1',
  ts: '2026-11-30T14:03:07.412Z',
  account: 'acct_42',
  client: { ip: '198.51.100.7' },
  route: 'chat.completions',
  model: 'm',
  params: { temperature: 0 },
  usage: { input_tokens: 3, output_tokens: 9 },
  status: 200,
  extra_field: 'ignored',
};

test('a well-formed line parses and keeps its fields', () => {
  const e = parseEventLine(JSON.stringify(good), 1);
  assert.equal(e.account, 'acct_42');
  assert.equal(e.route, 'chat.completions');
  assert.equal(e.usage.output_tokens, 9);
  assert.equal(e.params.temperature, 0);
});

test('broken JSON is reported with its line number', () => {
  assert.throws(
    () => parseEventLine('{"account": ', 17),
    (err: unknown) =>
      err instanceof EventLineError && err.line === 17 && /line 17/.test(err.message),
  );
});

test('a missing account or an unknown route is rejected by name', () => {
  assert.throws(() => parseEventLine(JSON.stringify({ ...good, account: '' }), 2), /account/);
  assert.throws(() => parseEventLine(JSON.stringify({ ...good, route: 'images' }), 3), /route/);
});

test('missing optional parts get safe defaults', () => {
  const { usage, client, status, ...rest } = good;
  void usage;
  void client;
  void status;
  const e = parseEventLine(JSON.stringify(rest), 4);
  assert.deepEqual(e.usage, { input_tokens: 0, output_tokens: 0 });
  assert.equal(e.client.ip, '');
  assert.equal(e.status, 200);
});
