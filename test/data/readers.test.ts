import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCsv } from '../../src/data/csv.js';
import { readJsonArray } from '../../src/data/json-array.js';
import { readJsonl, type ReadIssue } from '../../src/data/lines.js';
import { readServeGenClient } from '../../src/data/traces.js';

const dir = mkdtempSync(join(tmpdir(), 'moat-data-'));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test('JSONL: broken lines are reported by number and skipped, the rest is read', async () => {
  const path = file('a.jsonl', '{"a":1}\n{"a":"bad \\q escape"}\n\n[1,2]\n{"a":3}\n');
  const issues: ReadIssue[] = [];
  const rows = await collect(readJsonl(path, { onIssue: (i) => issues.push(i) }));
  assert.deepEqual(rows, [{ a: 1 }, { a: 3 }]);
  assert.deepEqual(
    issues.map((i) => i.line),
    [2, 4],
  );
  assert.match(issues[0].reason, /not valid JSON/);
});

test('CSV: quotes, doubled quotes and newlines inside fields', async () => {
  const path = file('b.csv', 'act,prompt\r\nPoet,"Say ""hi""\nthen, bye"\nChef,plain\n');
  const rows = await collect(readCsv(path));
  assert.deepEqual(rows, [
    { act: 'Poet', prompt: 'Say "hi"\nthen, bye' },
    { act: 'Chef', prompt: 'plain' },
  ]);
});

test('CSV: a short record and an oversized field are reported with their lines', async () => {
  const long = 'x'.repeat(50);
  const path = file('c.csv', `a,b\n1,2\nonly-one\n3,"${long}"\n4,5\n`);
  const issues: ReadIssue[] = [];
  const rows = await collect(readCsv(path, { maxField: 20, onIssue: (i) => issues.push(i) }));
  assert.deepEqual(rows, [
    { a: '1', b: '2' },
    { a: '4', b: '5' },
  ]);
  assert.deepEqual(
    issues.map((i) => i.line),
    [3, 4],
  );
});

test('CSV: a field longer than a read chunk survives intact', async () => {
  const big = 'y'.repeat(200_000);
  const path = file('d.csv', `a,b\n"${big}",z\n`);
  const rows = await collect(readCsv(path));
  assert.equal(rows[0].a.length, 200_000);
  assert.equal(rows[0].b, 'z');
});

test('JSON array: elements stream one by one and a broken one is skipped', async () => {
  const text = '[\n  {"i": "a, [b]", "n": 1},\n  {"i": oops},\n  {"i": "c \\" d"}\n]\n';
  const issues: ReadIssue[] = [];
  const rows = await collect(
    readJsonArray(file('e.json', text), { onIssue: (i) => issues.push(i) }),
  );
  assert.deepEqual(rows, [{ i: 'a, [b]', n: 1 }, { i: 'c " d' }]);
  assert.equal(issues.length, 1);
  assert.equal(issues[0].line, 3);
});

test('ServeGen trace: windows parse, a malformed window is reported', async () => {
  const text =
    '0,1.5,2.0,Weibull,0.4,0.5\n600,0,0,,0,0\n1200,x,1,Gamma,1,1\n1800,0.2,3,Gamma,0.1,50\n';
  const issues: ReadIssue[] = [];
  const w = await readServeGenClient(file('t.csv', text), { onIssue: (i) => issues.push(i) });
  assert.equal(w.length, 3);
  assert.equal(w[0].dist, 'Weibull');
  assert.equal(w[1].rate, 0);
  assert.equal(w[2].shape, 0.1);
  assert.equal(issues[0].line, 3);
});
