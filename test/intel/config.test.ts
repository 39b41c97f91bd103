import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/index.js';
import { MoatError } from '../../src/core/errors.js';
import { parseIntelConfig } from '../../src/intel/config.js';

function fails(raw: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseIntelConfig(raw),
    (err: unknown) =>
      err instanceof MoatError && err.name === 'MOAT_ERR_CONFIG' && pattern.test(err.message),
  );
}

test('the intel section has safe defaults: no salt, no token (TAXII closed), TLP:GREEN', () => {
  const c = parseIntelConfig(undefined);
  assert.equal(c.salt, null);
  assert.equal(c.token, null);
  assert.equal(c.tlp, 'green');
  assert.equal(c.apiRoot, 'moat');
  assert.equal(c.producer, 'Moat');
});

test('salt and token take literals or env:NAME, and refuse short secrets', () => {
  process.env.MOAT_TEST_INTEL_SALT = 'a-salt-from-the-environment-0123';
  const c = parseIntelConfig({ salt: 'env:MOAT_TEST_INTEL_SALT', token: 'x'.repeat(20) });
  assert.equal(c.salt?.toString(), 'a-salt-from-the-environment-0123');
  assert.equal(c.token, 'x'.repeat(20));
  fails({ salt: 'short' }, /intel\.salt: must be at least 16 bytes/);
  fails({ token: 'env:MOAT_TEST_UNSET_VARIABLE' }, /intel\.token: environment variable/);
  fails({ tlp: 'purple' }, /intel\.tlp: must be one of/);
  fails({ api_root: 'Bad Root' }, /intel\.api_root/);
  fails({ colour: 'x' }, /intel\.colour: unknown key/);
});

test('the intel section is known to the config loader', () => {
  const config = parseConfig({ intel: { producer: 'Example Provider' } });
  const intel = config.sections.get('intel') as { producer: string };
  assert.equal(intel.producer, 'Example Provider');
});
