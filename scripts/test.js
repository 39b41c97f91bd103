#!/usr/bin/env node
// The project's one test command (`npm test`, also run by .ci/run): type-checks and builds,
// checks formatting, then runs every test under test/ with node's test runner.
// `npm test -- test/detect` runs only the tests under the given folders or files.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);

function step(label, cmd, args) {
  process.stdout.write(`\n== ${label}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stdout.write(`${label} failed\n`);
    process.exit(r.status ?? 1);
  }
}

function collectAll(path, out) {
  for (const name of readdirSync(path).sort()) {
    const full = join(path, name);
    if (statSync(full).isDirectory()) collectAll(full, out);
    else if (full.endsWith('.ts')) out.push(full);
  }
  return out;
}

function collect(path, out) {
  if (!existsSync(path)) return out;
  if (statSync(path).isFile()) {
    if (path.endsWith('.test.ts')) out.push(path);
    return out;
  }
  for (const name of readdirSync(path).sort()) collect(join(path, name), out);
  return out;
}

step('type-check and build', 'npx', ['tsc', '-p', 'tsconfig.json']);
step('format check', 'npx', ['prettier', '--check', '--log-level', 'warn', '.']);

// Prettier wraps code at 100 columns but leaves comments and long strings alone.
const wide = collectAll('src', []).flatMap((f) =>
  readFileSync(f, 'utf8')
    .split('\n')
    .flatMap((line, i) => (line.length > 100 ? [`${f}:${i + 1}`] : [])),
);
if (wide.length > 0) {
  process.stdout.write(`lines over 100 columns:\n  ${wide.join('\n  ')}\n`);
  process.exit(1);
}

const targets = process.argv.slice(2);
const sources = (targets.length ? targets : ['test']).flatMap((t) => collect(t, []));
const compiled = sources.map((s) =>
  join('dist', relative(root, join(root, s))).replace(/\.ts$/, '.js'),
);
if (compiled.length === 0) {
  process.stdout.write('no test files found\n');
  process.exit(1);
}

// Fleet tests measure shared rates and failover across several server processes; they run on
// their own afterwards, so that other test files do not compete with them for the two cores.
const isolated = (f) => f.includes(`${join('dist', 'test', 'fleet')}/`);
const phases = [
  { label: 'tests', files: compiled.filter((f) => !isolated(f)), concurrency: '2' },
  { label: 'fleet tests, one file at a time', files: compiled.filter(isolated), concurrency: '1' },
];

const totals = { pass: 0, fail: 0, skipped: 0 };
let failed = false;
for (const phase of phases) {
  if (phase.files.length === 0) continue;
  process.stdout.write(`\n== ${phase.label}\n`);
  const concurrency = process.env.MOAT_TEST_CONCURRENCY ?? phase.concurrency;
  const r = spawnSync(
    process.execPath,
    ['--test', `--test-concurrency=${concurrency}`, ...phase.files],
    { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 512 * 1024 * 1024 },
  );
  const out = r.stdout.toString();
  process.stdout.write(out);
  for (const key of Object.keys(totals)) {
    const m = new RegExp(`^# ${key} (\\d+)$`, 'm').exec(out);
    if (m) totals[key] += Number(m[1]);
  }
  if (r.status !== 0) failed = true;
}

process.stdout.write(
  `\ntests: ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped\n`,
);
process.exit(failed || totals.fail > 0 ? 1 : 0);
