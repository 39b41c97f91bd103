import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { builtinCorpus } from '../../src/data/builtin/prompts.js';
import { PgKeys } from '../../src/fleet/pg-keys.js';
import { migrate } from '../../src/fleet/postgres.js';
import { COT_WRAPPERS } from '../../src/sim/texts.js';
import { startReplayUpstream } from '../../src/upstream/replay.js';
import { freePort, needServices, PG_URL, REDIS_URL, uniqueName, spawnServe } from './services.js';

const MAX_CALLS = 600;

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not true after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function metric(url: string, name: string): Promise<number> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text());
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

// Three `moat serve` replicas share Postgres and Redis; replica 0 is the fleet's detector. A
// harvester's calls go round-robin over the three, so each replica serves a third of them.
test('one detector sees an account spread over three replicas whole', async (t) => {
  if (!(await needServices(t, { pg: true, redis: true }))) return;

  const schema = uniqueName('moat_shared');
  const prefix = uniqueName('moat-shared');
  const dir = mkdtempSync(join(tmpdir(), 'moat-shared-'));
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
  const corpus = builtinCorpus();
  const upstream = await startReplayUpstream({ corpus, tokensPerSecond: 0 });
  const children: ChildProcess[] = [];
  try {
    await migrate(pool, schema);
    const { secret } = await new PgKeys(pool, schema).create('acct_spread', 'trial');

    const urls: string[] = [];
    for (let i = 0; i < 3; i++) {
      const configFile = join(dir, `moat-${i}.yaml`);
      writeFileSync(
        configFile,
        JSON.stringify({
          server: { trust_forwarded_for: true },
          tiers: { trial: { requests_per_minute: 100_000, tokens_per_minute: 100_000_000 } },
          // A trial account normally sends about ten calls a day; a script is far above it.
          detect: { tier_daily_events: { trial: 10 } },
          fleet: {
            key_prefix: prefix,
            schema,
            replicas: 3,
            detection: 'shared',
            detector: i === 0,
          },
        }),
      );
      const port = await freePort();
      const env = {
        ...process.env,
        MOAT_HOME: join(dir, `r${i}`),
        MOAT_DATABASE_URL: PG_URL,
        MOAT_REDIS_URL: REDIS_URL,
        MOAT_LOG_LEVEL: 'warn',
      };
      children.push(
        spawnServe({ configFile, port, upstream: upstream.url, env, stderr: 'inherit' }),
      );
      urls.push(`http://127.0.0.1:${port}`);
    }
    for (const url of urls) {
      await until(
        () =>
          fetch(`${url}/readyz`).then(
            (r) => r.ok,
            () => false,
          ),
        15_000,
        url,
      );
    }

    const math = corpus.sets.gsm8k.map((p) => p.prompt);
    const call = (url: string, i: number) =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${secret}`,
          'content-type': 'application/json',
          // A scripted client behind a proxy pool: a new /24 network every few calls.
          'x-forwarded-for': `203.0.${i % 16}.${(i * 13) % 250}`,
          'user-agent': 'python-requests/2.32.3',
        },
        body: JSON.stringify({
          model: 'frontier-large',
          messages: [
            { role: 'user', content: COT_WRAPPERS[0].replace('{p}', math[i % math.length]) },
          ],
          temperature: 0,
          max_tokens: 1024,
        }),
      }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });

    // Calls go round-robin until one replica refuses the account.
    let calls = 0;
    let refusedBy = -1;
    while (calls < MAX_CALLS && refusedBy < 0) {
      const replica = calls % 3;
      const status = await call(urls[replica], calls);
      calls++;
      if (status === 403) refusedBy = replica;
      else assert.equal(status, 200, `call ${calls}`);
    }
    t.diagnostic(`refused at call ${calls} by replica ${refusedBy}`);

    // Every call was published once, and the detector read them all: it saw the account whole.
    await until(
      async () => (await metric(urls[0], 'moat_fleet_events_read')) === calls,
      10_000,
      `detector reads ${calls} events`,
    );
    const published = await Promise.all(urls.map((u) => metric(u, 'moat_fleet_events_published')));
    t.diagnostic(`published per replica ${published.join('/')}, read ${calls}`);
    assert.equal(
      published.reduce((a, b) => a + b, 0),
      calls,
    );
    assert.ok(
      published.every((n) => n >= Math.floor(calls / 3)),
      'each replica served a third',
    );
    assert.ok(
      (await Promise.all(urls.map((u) => metric(u, 'moat_fleet_events_local')))).every(
        (n) => n === 0,
      ),
      'nothing was detected locally',
    );

    assert.ok(refusedBy >= 0, `still served after ${MAX_CALLS} calls`);

    // The detector's verdict refuses the account on every replica.
    await until(
      async () => (await Promise.all(urls.map((u, i) => call(u, i)))).every((s) => s === 403),
      5000,
      'refused on every replica',
    );
  } finally {
    await Promise.all(children.map(stop));
    await upstream.close();
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => 0);
    await pool.end();
    const r = new Redis(REDIS_URL);
    const stale = await r.keys(`${prefix}:*`).catch(() => [] as string[]);
    if (stale.length) await r.del(...stale).catch(() => 0);
    r.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
});
