import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../../src/core/paths.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'moat.js');

test('moat demo --duration runs the stack, prints the console and a live detection', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'moat-demo-cwd-'));
  const home = join(cwd, 'state');
  const env: NodeJS.ProcessEnv = { ...process.env, MOAT_HOME: home, MOAT_LOG_LEVEL: 'silent' };
  delete env.MOAT_ADMIN_TOKEN;
  const proc = spawn(process.execPath, [BIN, 'demo', '--port', '0', '--duration', '45'], {
    cwd,
    env,
  });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  let err = '';
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const killer = setTimeout(() => proc.kill('SIGKILL'), 58_000);
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  clearTimeout(killer);

  try {
    assert.equal(code, 0, err);
    assert.match(out, /console\s+http:\/\/127\.0\.0\.1:\d+\/console\s+admin token: \S{16,}/);
    const detections = out.split('\n').filter((l) => /DETECTED acct_\w+ .*-> \w+ \[/.test(l));
    assert.ok(detections.length >= 1, `no detection printed:\n${out}`);
    assert.ok(
      !detections.some((l) => /acct_(helpdesk|codeshop|search|evalrun)/.test(l)),
      'no customer is flagged',
    );
    assert.match(out, /demo stopped: \d+ calls/);
    assert.ok(existsSync(join(home, 'demo.db')), 'the store is under MOAT_HOME');
    assert.ok(!existsSync(join(cwd, 'demo.db')), 'nothing is written in the working directory');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
