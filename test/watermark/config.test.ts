import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, sectionOf } from '../../src/config/index.js';
import { MoatError } from '../../src/core/errors.js';
import { parseWatermarkConfig, watermarkSection } from '../../src/watermark/config.js';
import { watermarkerFromConfig } from '../../src/watermark/from-config.js';
import { createWatermarker } from '../../src/watermark/marker.js';

const SECRET = 'a secret of at least sixteen bytes';

function configError(fn: () => unknown, path: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MoatError);
    assert.equal(err.name, 'MOAT_ERR_CONFIG');
    assert.match(err.message, path);
    return true;
  });
}

test('the watermark section parses keys, the active key and the strength', () => {
  process.env.MOAT_TEST_WM_SECRET = 'another secret, from the environment';
  const config = parseConfig({
    watermark: {
      active_key: 'old',
      strength: 0.5,
      keys: [
        { id: 'old', secret: SECRET },
        { id: 'new', secret: 'env:MOAT_TEST_WM_SECRET' },
      ],
    },
  });
  const wm = sectionOf(config, watermarkSection);
  assert.equal(wm.activeKey, 'old');
  assert.equal(wm.strength, 0.5);
  assert.deepEqual(
    wm.keys.map((k) => [k.id, k.secret.toString()]),
    [
      ['old', SECRET],
      ['new', 'another secret, from the environment'],
    ],
  );
});

test('the last key listed is active by default; no section means no keys', () => {
  const wm = parseWatermarkConfig({
    keys: [
      { id: 'a', secret: SECRET },
      { id: 'b', secret: SECRET },
    ],
  });
  assert.equal(wm.activeKey, 'b');
  assert.deepEqual(parseWatermarkConfig(undefined), {
    activeKey: undefined,
    keys: [],
    strength: 1,
  });
});

test('bad watermark settings name the key at fault', () => {
  configError(
    () => parseWatermarkConfig({ keys: [{ id: 'a', secret: 'short' }] }),
    /watermark\.keys\[0\]\.secret/,
  );
  configError(
    () => parseWatermarkConfig({ keys: [{ id: 'a', secret: 'env:MOAT_NOT_SET_X' }] }),
    /MOAT_NOT_SET_X/,
  );
  configError(
    () => parseWatermarkConfig({ keys: [{ id: 'a b', secret: SECRET }] }),
    /keys\[0\]\.id/,
  );
  configError(
    () =>
      parseWatermarkConfig({
        keys: [
          { id: 'a', secret: SECRET },
          { id: 'a', secret: SECRET },
        ],
      }),
    /duplicate/,
  );
  configError(
    () => parseWatermarkConfig({ keys: [{ id: 'a', secret: SECRET }], active_key: 'z' }),
    /active_key/,
  );
  configError(() => parseWatermarkConfig({ strength: 0 }), /watermark\.strength/);
  configError(() => parseWatermarkConfig({ strength: 2 }), /watermark\.strength/);
  configError(() => parseWatermarkConfig({ keys: {} }), /watermark\.keys/);
  configError(() => parseWatermarkConfig({ key: [] }), /watermark\.key/);
});

test('a watermarker cannot be built without a key', () => {
  configError(() => createWatermarker(parseWatermarkConfig(undefined)), /watermark\.keys/);
});

test('the gateway gets a watermark from config, and a tier that must mark needs a key', () => {
  const keys = [{ id: 'a', secret: SECRET }];
  const marked = parseConfig({ watermark: { keys }, tiers: { free: { watermark: 'always' } } });
  assert.equal(watermarkerFromConfig(marked)?.keyring.activeId, 'a');

  const policyOnly = parseConfig({ tiers: { free: { watermark: 'policy' } } });
  assert.equal(watermarkerFromConfig(policyOnly), undefined);

  const broken = parseConfig({ tiers: { free: { watermark: 'always' }, paid: {} } });
  configError(() => watermarkerFromConfig(broken), /tiers free set watermark: always/);
});
