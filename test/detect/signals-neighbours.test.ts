import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DetectionEngine } from '../../src/detect/engine.js';
import { hash32 } from '../../src/detect/hash.js';
import { NetReputation } from '../../src/detect/netrep.js';
import type { Profile } from '../../src/detect/profile.js';
import { networkReputation } from '../../src/detect/signals/neighbours.js';
import { harvestAccount, legitAccount, merge } from './fixtures.js';

function profileOf(engine: DetectionEngine, id: string): Profile {
  return engine.accounts.get(id)?.profile as Profile;
}

test('NetReputation counts accounts and blocked accounts per network', () => {
  const engine = new DetectionEngine({ config: { link: false } });
  for (const e of merge(legitAccount('a', 30, 1), legitAccount('b', 30, 2))) engine.ingest(e);
  const rep = new NetReputation();
  const a = profileOf(engine, 'a');
  const b = profileOf(engine, 'b');
  rep.seen(a.nets[0]);
  rep.seen(a.nets[0]);
  rep.seen(b.nets[0]);
  rep.block(a);
  assert.deepEqual(rep.worst(a), { accounts: 2, blocked: 1 });
  assert.deepEqual(rep.worst(b), { accounts: 0, blocked: 0 });
  assert.notEqual(a.nets[0], hash32(''));
});

test('network_reputation fires when most accounts on the network were blocked', () => {
  const engine = new DetectionEngine({ config: { link: false } });
  for (const e of harvestAccount('h', 40, 3)) engine.ingest(e);
  const p = profileOf(engine, 'h');
  const ctx = { ...engine.signalContext, netStanding: () => ({ accounts: 12, blocked: 11 }) };
  const f = networkReputation.evaluate(p, ctx);
  assert.ok(f && f.score === 1, `score ${f?.score}`);
  assert.match(f.detail(), /^11 of 12 accounts seen on one of its networks were blocked \(92%\)$/);
});

test('network_reputation stays quiet on a busy network with a few blocked accounts', () => {
  const engine = new DetectionEngine({ config: { link: false } });
  for (const e of legitAccount('l', 40, 4)) engine.ingest(e);
  const p = profileOf(engine, 'l');
  const busy = { ...engine.signalContext, netStanding: () => ({ accounts: 400, blocked: 9 }) };
  assert.equal(networkReputation.evaluate(p, busy)?.score, 0);
  assert.equal(networkReputation.evaluate(p, engine.signalContext), null);
});

test('blocked accounts raise their neighbours in the engine', () => {
  const thresholds = { watch: 0.3, review: 0.4, block: 0.5 };
  const engine = new DetectionEngine({ config: { link: false, thresholds } });
  const ip = '192.0.2.7';
  const hydra = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) =>
    harvestAccount(`h${k}`, 40, 10 + k, { ip, userAgent: `ua-${k}`, payment: `pm-${k}` }),
  );
  for (const e of merge(...hydra)) engine.ingest(e);
  const standing = engine.signalContext.netStanding(profileOf(engine, 'h9'));
  assert.equal(standing.accounts, 9);
  assert.ok(standing.blocked >= 8, `blocked ${standing.blocked}`);
});
