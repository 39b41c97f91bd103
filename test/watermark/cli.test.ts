import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { createWatermarker } from '../../src/watermark/marker.js';
import { generatedAnswers, MIXED } from './helpers/samples.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'moat.js');
const SECRET = 'cli test secret, thirty-two bytes';
let dir: string;
let config: string;
const wm = createWatermarker({
  keys: [{ id: 'cli-key', secret: Buffer.from(SECRET) }],
  activeKey: 'cli-key',
  strength: 1,
});

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'moat-wm-'));
  config = join(dir, 'moat.yaml');
  writeFileSync(config, `watermark:\n  keys:\n    - id: cli-key\n      secret: "${SECRET}"\n`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function moat(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, MOAT_LOG_LEVEL: 'silent' },
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    proc.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('verify --texts --json prints the contract fields; bad lines are skipped', async () => {
  const texts = generatedAnswers(80, 21).map((t) => wm.markText(t));
  const lines = [
    ...texts.slice(0, 40).map((t) => JSON.stringify(t)),
    'this line is not JSON',
    ...texts.slice(40).map((t) => JSON.stringify({ text: t, id: 1 })),
    '',
  ];
  const file = join(dir, 'marked.jsonl');
  writeFileSync(file, lines.join('\n'));

  const r = await moat(['watermark', 'verify', '--texts', file, '--json', '--config', config]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.key_id, 'cli-key');
  assert.ok(out.p_value < 1e-10, `p = ${out.p_value}`);
  assert.ok(out.opportunities > 20);
  assert.equal(out.texts, 80);
  assert.equal(out.skipped, 1);
  assert.match(r.stderr, /marked\.jsonl:41: not a JSON string/);
});

test('verify without --json prints a readable summary', async () => {
  const file = join(dir, 'clean.jsonl');
  writeFileSync(file, MIXED.map((t) => JSON.stringify(t)).join('\n'));
  const r = await moat(['watermark', 'verify', '--texts', file, '--config', config]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /key cli-key: p = /);
  assert.match(r.stdout, /distinct opportunities/);
});

test('verify refuses a missing file and a missing key source with usage errors', async () => {
  const missing = await moat([
    'watermark',
    'verify',
    '--texts',
    join(dir, 'nope'),
    '--config',
    config,
  ]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /Cannot read/);
  const both = await moat(['watermark', 'verify', '--config', config]);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /--texts FILE or --endpoint URL/);
});

function startModel(mark: boolean): Promise<Server> {
  const answers = generatedAnswers(200, 33);
  let i = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const text = answers[i++ % answers.length];
      const content = mark ? wm.markText(text) : text;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content } }] }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('verify --endpoint finds the watermark only in a marked model', async () => {
  for (const mark of [true, false]) {
    const server = await startModel(mark);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const args = ['--endpoint', url, '--model', 'copy', '--probes', '120', '--api-key', 'k'];
      const r = await moat(['watermark', 'verify', ...args, '--json', '--config', config]);
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.answered, 120);
      if (mark) assert.ok(out.p_value < 1e-10, `p = ${out.p_value}`);
      else assert.ok(out.p_value > 1e-3, `p = ${out.p_value} for an unmarked model`);
    } finally {
      server.close();
    }
  }
});
