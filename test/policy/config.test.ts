import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAdminConfig } from '../../src/admin/config.js';
import { parseFleetConfig } from '../../src/fleet/config.js';
import { parsePolicyConfig } from '../../src/policy/config.js';

test('policy defaults: four levels with graduated actions, nothing forced', () => {
  const c = parsePolicyConfig(undefined);
  assert.deepEqual(c.tiers.default.thresholds, { watch: 0.5, review: 0.75, block: 0.92 });
  assert.deepEqual(c.tiers.default.force, []);
  assert.equal(c.degrade.reasoning, 'strip');
});

test('a tier entry starts from default and can force actions', () => {
  const c = parsePolicyConfig({
    tiers: { default: { thresholds: { watch: 0.3 } }, free: { force: ['watermark'] } },
  });
  assert.equal(c.tiers.free.thresholds.watch, 0.3);
  assert.deepEqual(c.tiers.free.force, ['watermark']);
});

test('wrong policy values are refused with the key named', () => {
  const cases: [unknown, RegExp][] = [
    [{ relax_margin: 2 }, /policy\.relax_margin: must be a number between 0 and 1/],
    [{ tiers: { x: { actions: { block: ['explode'] } } } }, /policy\.tiers\.x\.actions\.block/],
    [{ tiers: { x: { thresholds: { watch: 0.9, review: 0.5 } } } }, /must rise from watch/],
    [{ tiers: { x: { force: { watermark: 'sometimes' } } } }, /force\.watermark: must be/],
    [{ verification_link: 'mailto:x' }, /verification_link: must be an http/],
    [{ degrade: { reasoning: 'hide' } }, /degrade\.reasoning: must be one of strip, summarise/],
    [{ colour: 'red' }, /policy\.colour: unknown key/],
  ];
  for (const [raw, message] of cases) assert.throws(() => parsePolicyConfig(raw), message);
});

test('fleet: environment URLs win, wrong values name the key', () => {
  const c = parseFleetConfig({ redis_url: 'redis://file:1' }, 'fleet', {
    MOAT_REDIS_URL: 'redis://env:2',
    MOAT_DATABASE_URL: 'postgres://db/x',
  });
  assert.equal(c.redisUrl, 'redis://env:2');
  assert.equal(c.databaseUrl, 'postgres://db/x');
  assert.equal(c.onFailure, 'open');

  assert.throws(
    () => parseFleetConfig({}, 'fleet', { MOAT_REDIS_URL: 'http://x' }),
    /MOAT_REDIS_URL/,
  );
  assert.throws(() => parseFleetConfig({ on_failure: 'maybe' }, 'fleet', {}), /fleet\.on_failure/);
  assert.throws(() => parseFleetConfig({ schema: 'Drop Table' }, 'fleet', {}), /fleet\.schema/);
});

test('fleet: detection is local unless shared is asked for, and shared needs Redis', () => {
  const withRedis = parseFleetConfig({ redis_url: 'redis://r:1' }, 'fleet', {});
  assert.equal(withRedis.detection, 'local', 'prompt text goes to Redis only when asked');
  const shared = parseFleetConfig(
    { redis_url: 'redis://r:1', detection: 'shared', detector: true },
    'fleet',
    {},
  );
  assert.equal(shared.detection, 'shared');
  assert.equal(shared.detector, true);
  assert.equal(shared.streamMaxLen, 1_000_000);
  const alone = parseFleetConfig({}, 'fleet', {});
  assert.equal(alone.detection, 'local');
  assert.equal(alone.detector, false);
  const local = parseFleetConfig({ detection: 'local' }, 'fleet', { MOAT_REDIS_URL: 'redis://r' });
  assert.equal(local.detection, 'local');

  assert.throws(() => parseFleetConfig({ detection: 'shared' }, 'fleet', {}), /needs Redis/);
  assert.throws(() => parseFleetConfig({ detection: 'all' }, 'fleet', {}), /fleet\.detection/);
  assert.throws(() => parseFleetConfig({ detector: 'yes' }, 'fleet', {}), /fleet\.detector/);
  assert.throws(
    () => parseFleetConfig({ redis_url: 'redis://r:1', detector: true }, 'fleet', {}),
    /fleet\.detector: .*detection: shared/,
  );
  assert.throws(
    () => parseFleetConfig({ stream_max_len: 5 }, 'fleet', {}),
    /fleet\.stream_max_len/,
  );
});

test('admin: the token comes from the environment and must be long enough', () => {
  assert.equal(parseAdminConfig({}, 'admin', {}).token, undefined);
  assert.equal(
    parseAdminConfig({}, 'admin', { MOAT_ADMIN_TOKEN: 'x'.repeat(16) }).token,
    'x'.repeat(16),
  );
  assert.throws(
    () => parseAdminConfig({}, 'admin', { MOAT_ADMIN_TOKEN: 'short' }),
    /16 characters/,
  );
});
