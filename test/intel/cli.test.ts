import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { createTaxiiHandler } from '../../src/intel/taxii.js';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { writeFixture } from './fixture.js';

const fx = writeFixture();
after(() => rmSync(fx.dir, { recursive: true, force: true }));

const ENV = {
  ...process.env,
  MOAT_HOME: join(fx.dir, 'home'),
  MOAT_INTEL_SALT: 'cli-test-community-salt-01234567',
  MOAT_TAXII_TOKEN: 'cli-test-taxii-token-0123456789',
  MOAT_LOG_LEVEL: 'warn',
};
const BIN = join(PACKAGE_ROOT, 'bin', 'moat.js');

function moat(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'intel', ...args], { env: ENV, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Runs the CLI without blocking this process, so an in-process server can answer it. */
function moatAsync(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'intel', ...args], { env: ENV }, (err, out, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, out, err: stderr }),
    );
  });
}

test('moat intel export, import --json and match --json work end to end', () => {
  const bundle = join(fx.dir, 'bundle.json');
  const exp = moat('export', '--report', fx.report, '--events', fx.events, '--out', bundle);
  assert.equal(exp.code, 0, exp.err);
  assert.match(exp.out, /2 campaign\(s\)/);
  assert.equal(JSON.parse(readFileSync(bundle, 'utf8')).type, 'bundle');

  const imp = moat('import', bundle, '--json');
  assert.equal(imp.code, 0, imp.err);
  assert.deepEqual(JSON.parse(imp.out), {
    objects: 12,
    signatures: 2,
    added: 2,
    updated: 0,
    unchanged: 0,
    stored: 2,
  });

  const m = moat('match', fx.events, '--json');
  assert.equal(m.code, 0, m.err);
  const accounts = (JSON.parse(m.out) as { matches: { account: string }[] }).matches.map(
    (x) => x.account,
  );
  assert.deepEqual([...new Set(accounts)].sort(), ['acct_h1', 'acct_h2', 'acct_h3', 'acct_lone']);
});

test('bad input gets a coded error and a non-zero exit', () => {
  const notBundle = moat('import', fx.report);
  assert.equal(notBundle.code, 1);
  assert.match(notBundle.err, /MOAT_ERR_INTEL_BUNDLE/);

  const notReport = moat('export', '--report', fx.events, '--out', join(fx.dir, 'x.json'));
  assert.equal(notReport.code, 1);
  assert.match(notReport.err, /MOAT_ERR_INTEL_INPUT/);

  const usage = moat('export', '--out', join(fx.dir, 'x.json'));
  assert.equal(usage.code, 2);
  assert.match(usage.err, /--report is required/);
});

test('moat intel push and pull --import talk to a TAXII server', async () => {
  const handler = createTaxiiHandler({ token: ENV.MOAT_TAXII_TOKEN, db: new Database(':memory:') });
  const srv = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const port = (srv.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}/taxii2/moat/collections/campaigns/`;
    const bundle = join(fx.dir, 'push.json');
    assert.equal(
      moat('export', '--report', fx.report, '--events', fx.events, '--out', bundle).code,
      0,
    );

    const push = await moatAsync('push', '--url', url, '--bundle', bundle);
    assert.equal(push.code, 0, push.err);
    assert.match(push.out, /complete: 12 accepted, 0 refused/);

    const pulled = join(fx.dir, 'pulled.json');
    const pull = await moatAsync('pull', '--url', url, '--out', pulled, '--import');
    assert.equal(pull.code, 0, pull.err);
    assert.match(pull.out, /12 object\(s\) in 1 page\(s\)/);
    assert.equal(JSON.parse(readFileSync(pulled, 'utf8')).objects.length, 12);

    const wrong = await moatAsync('pull', '--url', url, '--token', 'a-wrong-token-0123456789');
    assert.equal(wrong.code, 1);
    assert.match(wrong.err, /MOAT_ERR_TAXII_REMOTE.*401/);
  } finally {
    await new Promise<void>((r) => srv.close(() => r()));
  }
});
