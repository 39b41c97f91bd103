import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { PgKeys } from '../../src/fleet/pg-keys.js';
import { migrate } from '../../src/fleet/postgres.js';
import { hashKey } from '../../src/store/keys.js';
import { needServices, PG_URL, uniqueName } from './services.js';

test('Postgres keys carry payment and sign-up facts, and an older table gains them', async (t) => {
  if (!(await needServices(t, { pg: true }))) return;
  const schema = uniqueName('moat_keys');
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
  try {
    // The table as it was before keys had facts, with one key in it.
    await pool.query(`CREATE SCHEMA ${schema}`);
    await pool.query(`CREATE TABLE ${schema}.api_keys (
      id text PRIMARY KEY, hash text NOT NULL UNIQUE, account text NOT NULL,
      tier text NOT NULL, created_at timestamptz NOT NULL, revoked_at timestamptz)`);
    await pool.query(
      `INSERT INTO ${schema}.api_keys VALUES ('key_old', 'h_old', 'acct_old', 'free', now())`,
    );
    await migrate(pool, schema);

    const keys = new PgKeys(pool, schema);
    const { secret } = await keys.create('acct_new', 'free', {
      payment_fp: 'pm_pg',
      signup_ts: '2026-12-01T00:00:00Z',
    });
    await assert.rejects(keys.create('acct_bad', 'free', { signup_ts: 'never' }), /signup_ts/);

    // A second replica reads both from the table.
    const other = new PgKeys(pool, schema);
    await other.start(60_000);
    other.stop();
    assert.deepEqual(other.findActive(hashKey(secret))?.client, {
      payment_fp: 'pm_pg',
      signup_ts: '2026-12-01T00:00:00Z',
    });
    assert.equal(other.findActive('h_old')?.client, undefined);
    assert.equal(other.active().length, 2);
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await pool.end();
  }
});
