import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hasher, networkOf, uuidv5 } from '../../src/intel/hashing.js';
import { simhashDistance } from '../../src/intel/templates.js';

test('uuidv5 follows RFC 4122 (the DNS namespace example)', () => {
  const dns = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
  assert.equal(uuidv5('www.example.com', dns), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  assert.match(
    uuidv5('anything'),
    /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
});

test('networks: IPv4 /24, IPv6 /48 in one spelling, mapped IPv4 as IPv4, junk as null', () => {
  assert.equal(networkOf('198.51.100.7'), '198.51.100.0/24');
  assert.equal(networkOf('::ffff:198.51.100.9'), '198.51.100.0/24');
  assert.equal(networkOf('2001:db8:aa:1::5'), '2001:db8:aa::/48');
  assert.equal(networkOf('2001:0db8:00aa:0002:0:0:0:9'), '2001:db8:aa::/48');
  assert.equal(networkOf('2001:db8::1'), '2001:db8:0::/48');
  assert.equal(networkOf('not an address'), null);
  assert.equal(networkOf(''), null);
});

test('hashes depend on the salt and the domain, and name the salt without showing it', () => {
  const a = new Hasher(Buffer.from('salt-number-one-0123456789abcdef'));
  const b = new Hasher(Buffer.from('salt-number-two-0123456789abcdef'));
  const plain = new Hasher(null);
  assert.notEqual(a.hash('net', '198.51.100.0/24'), b.hash('net', '198.51.100.0/24'));
  assert.notEqual(a.hash('net', 'x'), a.hash('ua', 'x'));
  assert.equal(a.hash('net', 'x'), a.hash('net', 'x'));
  assert.match(a.hash('net', 'x'), /^[0-9a-f]{32}$/);
  assert.equal(a.alg, 'hmac-sha256');
  assert.equal(plain.alg, 'sha256');
  assert.equal(plain.keyed, false);
  assert.equal(plain.saltId, null);
  assert.notEqual(a.saltId, b.saltId);
  assert.ok(!a.saltId!.includes('salt'));
});

test('SimHash distance counts differing bits', () => {
  assert.equal(simhashDistance('0000000000000000', '0000000000000000'), 0);
  assert.equal(simhashDistance('ffffffffffffffff', '0000000000000000'), 64);
  assert.equal(simhashDistance('0000000100000003', '0000000000000000'), 3);
});
