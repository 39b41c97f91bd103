import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { MoatEvent } from '../../src/core/event.js';
import { hashKey, KEY_PREFIX } from '../../src/store/keys.js';
import { openStore } from '../../src/store/sqlite.js';

function withStore(fn: (store: ReturnType<typeof openStore>) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'moat-store-'));
  const store = openStore(join(dir, 'moat.db'));
  try {
    fn(store);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the store runs in WAL mode', () => {
  withStore((s) => assert.equal(s.db.pragma('journal_mode', { simple: true }), 'wal'));
});

test('keys: only the hash is stored, revocation removes the key from the active set', () => {
  withStore((s) => {
    const { id, secret } = s.keys.create('acct_1', 'free');
    assert.ok(secret.startsWith(KEY_PREFIX));
    const dump = JSON.stringify(s.db.prepare('SELECT * FROM api_keys').all());
    assert.ok(!dump.includes(secret), 'the secret is not in the table');
    assert.ok(dump.includes(hashKey(secret)));

    assert.equal(s.keys.findActive(hashKey(secret))?.account, 'acct_1');
    assert.equal(s.keys.revoke(id), true);
    assert.equal(s.keys.revoke(id), false, 'revoking twice reports nothing to revoke');
    assert.equal(s.keys.findActive(hashKey(secret)), undefined);
    assert.equal(s.keys.active().length, 0);
    assert.ok(s.keys.list('acct_1')[0].revokedAt);
  });
});

test('events are written in one batch and read back in time order', () => {
  withStore((s) => {
    const base: MoatEvent = {
      v: 1,
      id: 'evt_b',
      ts: '2026-01-01T00:00:02.000Z',
      account: 'acct_1',
      tier: 'free',
      client: { ip: '127.0.0.1' },
      route: 'messages',
      model: 'm',
      params: { stream: true },
      usage: { input_tokens: 3, output_tokens: 4 },
      status: 200,
    };
    s.events.write([
      { event: base, expiresAt: null },
      { event: { ...base, id: 'evt_a', ts: '2026-01-01T00:00:01.000Z' }, expiresAt: null },
      { event: base, expiresAt: null },
    ]);
    assert.equal(s.events.count(), 2, 'a repeated id is stored once');
    const rows = s.events.list({ account: 'acct_1' });
    assert.deepEqual(
      rows.map((r) => r.id),
      ['evt_a', 'evt_b'],
    );
    assert.equal(rows[0].route, 'messages');
    assert.deepEqual(JSON.parse(rows[0].params), { stream: true });
  });
});

test('a store made with the old index on ts alone loses it on open and keeps its events', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moat-store-'));
  const file = join(dir, 'moat.db');
  try {
    const first = openStore(file);
    first.db.exec('CREATE INDEX events_ts ON events(ts)');
    const event = (id: string, ts: string): MoatEvent => ({
      v: 1,
      id,
      ts,
      account: 'acct_1',
      client: { ip: '203.0.113.9' },
      route: 'chat.completions',
      model: 'm',
      params: {},
      usage: { input_tokens: 1, output_tokens: 2 },
      status: 200,
    });
    first.events.write([
      { event: event('evt_b', '2026-12-03T10:00:02.000Z'), expiresAt: null },
      { event: event('evt_a', '2026-12-03T10:00:01.000Z'), expiresAt: null },
    ]);
    first.close();

    const again = openStore(file);
    const indexes = again.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'")
      .all()
      .map((r) => (r as { name: string }).name);
    assert.ok(!indexes.includes('events_ts'), `indexes left: ${indexes.join(', ')}`);
    assert.ok(indexes.includes('events_account_ts'));
    assert.deepEqual(
      again.events.list().map((r) => r.id),
      ['evt_a', 'evt_b'],
    );
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a store made before keys had facts gains the columns on open and keeps its keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moat-store-'));
  const file = join(dir, 'moat.db');
  try {
    const first = openStore(file);
    first.db.exec(`
      DROP TABLE api_keys;
      CREATE TABLE api_keys (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE,
        account TEXT NOT NULL REFERENCES accounts(id), tier TEXT NOT NULL,
        created_at TEXT NOT NULL, revoked_at TEXT);
      INSERT INTO accounts (id, tier, created_at) VALUES ('acct_old', 'free', '2026-11-01');
      INSERT INTO api_keys (id, hash, account, tier, created_at)
        VALUES ('key_old', 'h_old', 'acct_old', 'free', '2026-11-01');
    `);
    first.close();

    const again = openStore(file);
    assert.deepEqual(again.keys.findActive('h_old'), {
      id: 'key_old',
      hash: 'h_old',
      account: 'acct_old',
      tier: 'free',
    });
    const { secret } = again.keys.create('acct_new', 'free', { payment_fp: 'pm_1' });
    assert.deepEqual(again.keys.findActive(hashKey(secret))?.client, { payment_fp: 'pm_1' });
    assert.equal(again.keys.active().length, 2);
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
