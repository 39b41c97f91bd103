import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { startFakeUpstream, type FakeUpstream } from '../gateway/helpers/fake-upstream.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'moat.js');
let home: string;
let fake: FakeUpstream;

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'moat-cli-'));
  fake = await startFakeUpstream();
});
after(async () => {
  await fake.close();
  rmSync(home, { recursive: true, force: true });
});

function moat(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, MOAT_HOME: home, MOAT_LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });
}

test('keys create prints the secret alone on the last line; list and revoke work', () => {
  const created = moat(['keys', 'create', '--account', 'acct_cli', '--tier', 'standard']);
  assert.equal(created.status, 0, created.stderr);
  const lines = created.stdout.trim().split('\n');
  assert.match(lines.at(-1)!, /^moat_sk_[A-Za-z0-9_-]{43}$/);
  const id = /key (key_\w+)/.exec(lines[0])![1];

  const listed = moat(['keys', 'list', '--account', 'acct_cli']);
  assert.match(listed.stdout, new RegExp(`${id}\\s+acct_cli\\s+standard .* active`));
  assert.ok(!listed.stdout.includes(lines.at(-1)!), 'list never shows secrets');

  assert.equal(moat(['keys', 'revoke', id]).status, 0);
  assert.match(moat(['keys', 'list']).stdout, /revoked/);
  assert.equal(moat(['keys', 'revoke', id]).status, 1);
});

test('keys create records payment and sign-up facts, and names a bad one', () => {
  const ok = moat([
    'keys',
    'create',
    '--account',
    'acct_paid',
    '--tier',
    'standard',
    '--payment-fp',
    'pm_cli',
    '--signup-ts',
    '2026-12-02T09:00:00Z',
  ]);
  assert.equal(ok.status, 0, ok.stderr);
  const bad = moat(['keys', 'create', '--account', 'a', '--tier', 'standard', '--signup-ts', 'x']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--signup-ts must be a date/);
});

test('keys create refuses a tier the config does not define', () => {
  const cfg = join(home, 'tiers.yaml');
  writeFileSync(cfg, 'tiers:\n  free: {}\n');
  const r = moat(['keys', 'create', '--account', 'a', '--tier', 'gold', '--config', cfg]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /Tier "gold" is not defined \(tiers: free\)/);
});

test('serve stops at start-up on a wrong config key, naming it', () => {
  const cfg = join(home, 'bad.yaml');
  writeFileSync(cfg, 'tiers:\n  free:\n    max_concurent: 3\n');
  const r = moat(['serve', '--config', cfg, '--upstream', fake.url]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /MOAT_ERR_CONFIG.*tiers\.free\.max_concurent: unknown key/);
});

test('serve with --upstream, --port, --events-out proxies, logs and stops cleanly', async () => {
  const secret = moat(['keys', 'create', '--account', 'acct_serve', '--tier', 'standard'])
    .stdout.trim()
    .split('\n')
    .at(-1)!;
  const out = join(home, 'events.jsonl');
  const proc = spawn(
    process.execPath,
    [BIN, 'serve', '--upstream', fake.url, '--port', '0', '--events-out', out],
    { env: { ...process.env, MOAT_HOME: home, MOAT_LOG_LEVEL: 'silent' } },
  );
  const first = await new Promise<string>((resolve) =>
    createInterface({ input: proc.stdout! }).once('line', resolve),
  );
  const url = /on (http:\/\/\S+)/.exec(first)![1];

  const client = new OpenAI({ apiKey: secret, baseURL: `${url}/v1`, maxRetries: 0 });
  await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });

  const code = await new Promise<number | null>((resolve) => {
    proc.once('exit', resolve);
    proc.kill('SIGTERM');
  });
  assert.equal(code, 0);
  const event = JSON.parse(readFileSync(out, 'utf8').trim().split('\n').at(-1)!);
  assert.equal(event.account, 'acct_serve');
  assert.equal(event.route, 'chat.completions');
  assert.equal(event.status, 200);
});
