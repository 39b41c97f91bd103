import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { writeFixture } from './fixture.js';

const fx = writeFixture();
after(() => rmSync(fx.dir, { recursive: true, force: true }));

function moat(...args: string[]) {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'moat.js'), 'intel', ...args], {
    env: {
      ...process.env,
      MOAT_HOME: join(fx.dir, 'home'),
      MOAT_INTEL_SALT: 'cli-test-community-salt-01234567',
      MOAT_LOG_LEVEL: 'warn',
    },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
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
