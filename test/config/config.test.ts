import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { mapping, onlyKeys } from '../../src/config/check.js';
import {
  defaultConfig,
  loadConfig,
  parseConfig,
  registerSection,
  sectionOf,
} from '../../src/config/index.js';
import { MoatError } from '../../src/core/errors.js';

function refuses(doc: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseConfig(doc, 'moat.yaml'),
    (err: unknown) =>
      err instanceof MoatError && err.name === 'MOAT_ERR_CONFIG' && pattern.test(err.message),
  );
}

test('defaults give one standard tier and sane limits', () => {
  const c = defaultConfig();
  assert.deepEqual(Object.keys(c.tiers), ['standard']);
  assert.equal(c.server.port, 8080);
  assert.equal(c.events.onFull, 'spill');
  assert.equal(c.tiers.standard.watermark, 'policy');
});

test('a full file is read with every key mapped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moat-cfg-'));
  const file = join(dir, 'moat.yaml');
  writeFileSync(
    file,
    `server:
  port: 9000
  max_body_bytes: 2048
upstream:
  url: http://127.0.0.1:8000/
  headers_timeout_ms: 1000
auth:
  trusted_header:
    account: X-Account
    default_tier: free
tiers:
  free:
    requests_per_minute: 10
    logprobs: false
    watermark: always
    retain_text: true
    retain_text_hours: 48
events:
  on_full: drop
  out: /tmp/e.jsonl
`,
  );
  try {
    const c = loadConfig(file);
    assert.equal(c.server.port, 9000);
    assert.equal(c.upstream.url, 'http://127.0.0.1:8000');
    assert.equal(c.auth.trustedHeader?.account, 'x-account');
    assert.equal(c.tiers.free.requestsPerMinute, 10);
    assert.equal(c.tiers.free.logprobs, false);
    assert.equal(c.tiers.free.watermark, 'always');
    assert.equal(c.tiers.free.retainTextHours, 48);
    assert.equal(c.events.onFull, 'drop');
    assert.equal(c.source, file);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a wrong key is named with its full path', () => {
  refuses(
    { tiers: { free: { request_per_minute: 5 } } },
    /tiers\.free\.request_per_minute: unknown key/,
  );
  refuses({ server: { prot: 1 } }, /server\.prot: unknown key/);
});

test('a wrong value is named with what is expected', () => {
  refuses(
    { tiers: { free: { max_concurrent: 0 } } },
    /tiers\.free\.max_concurrent: must be a whole number >= 1 \(got 0\)/,
  );
  refuses(
    { tiers: { free: { watermark: 'sometimes' } } },
    /tiers\.free\.watermark: must be one of always, policy, never/,
  );
  refuses({ upstream: { url: 'ftp://x' } }, /upstream\.url: must use http/);
  refuses({ events: { on_full: 'ignore' } }, /events\.on_full/);
  refuses({ tiers: {} }, /tiers: must define at least one tier/);
  refuses({ server: 'fast' }, /server: must be a mapping/);
});

test('an unknown top-level section is refused, naming the known ones', () => {
  refuses({ gatway: {} }, /gatway: unknown section in moat\.yaml \(known: server, upstream/);
});

test('cross-section checks: the trusted header default tier must exist', () => {
  refuses(
    { auth: { trusted_header: { default_tier: 'gold' } } },
    /default_tier: names tier "gold"/,
  );
  refuses({ auth: { keys: false } }, /nobody could call/);
});

test('YAML syntax errors and missing files stop start-up with the file named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moat-cfg-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'server:\n  port: [1,\n');
  try {
    assert.throws(() => loadConfig(file), /bad\.yaml is not valid YAML/);
    assert.throws(() => loadConfig(join(dir, 'none.yaml')), /cannot read .*none\.yaml/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('another area registers its own section and reads it typed', () => {
  const section = registerSection({
    name: 'example_area',
    parse(raw, path) {
      const m = mapping(raw, path);
      onlyKeys(m, path, ['level']);
      return { level: typeof m.level === 'number' ? m.level : 1 };
    },
  });
  const c = parseConfig({ example_area: { level: 3 } });
  assert.deepEqual(sectionOf(c, section), { level: 3 });
  assert.deepEqual(sectionOf(defaultConfig(), section), { level: 1 });
  refuses({ example_area: { lvl: 3 } }, /example_area\.lvl: unknown key/);
});
