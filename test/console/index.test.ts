import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONSOLE_ASSETS, consoleHandler, loadAssets } from '../../src/console/index.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Serves the console handler; anything it declines gets a 418 so the test can tell. */
async function serve(): Promise<{
  server: Server;
  get: (p: string, m?: string) => Promise<Reply>;
}> {
  const handle = consoleHandler();
  const server = createServer(async (req, res) => {
    if (!(await handle(req, res))) {
      res.writeHead(418);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  // node:http sends the path as given (no normalisation), so `..` reaches the handler.
  const get = (path: string, method = 'GET') =>
    new Promise<Reply>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  return { server, get };
}

test('the console page is served with its type and a same-origin security policy', async () => {
  const { server, get } = await serve();
  try {
    const redirect = await get('/console');
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.location, '/console/');

    const page = await get('/console/');
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(page.body, /<title>Moat console<\/title>/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal((await get('/console/index.html?x=1')).body, page.body);

    const css = await get('/console/console.css');
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    const js = await get('/console/app.js');
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.match(js.body, /import/);

    const head = await get('/console/app.js', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal((await get('/console/app.js', 'POST')).status, 405);
  } finally {
    server.close();
  }
});

test('every file the page and its modules import is served; none from elsewhere', async () => {
  const { server, get } = await serve();
  try {
    const page = (await get('/console/')).body;
    const refs = [...page.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]);
    for (const file of readdirSync(CONSOLE_ASSETS).filter((f) => f.endsWith('.js'))) {
      const text = readFileSync(join(CONSOLE_ASSETS, file), 'utf8');
      refs.push(...[...text.matchAll(/from '\.\/([^']+)'/g)].map((m) => m[1]));
    }
    assert.ok(refs.length > 10);
    for (const ref of new Set(refs)) {
      if (ref === 'data:,' || ref.startsWith('#')) continue;
      assert.doesNotMatch(ref, /^(https?:)?\/\//, `${ref} would load from another origin`);
      assert.equal((await get(`/console/${ref}`)).status, 200, `${ref} is served`);
    }
  } finally {
    server.close();
  }
});

test('no path climbs out of the folder; unknown files 404; other paths pass', async () => {
  const { server, get } = await serve();
  try {
    for (const path of [
      '/console/../package.json',
      '/console/..%2fpackage.json',
      '/console/%2e%2e/%2e%2e/package.json',
      '/console/static/index.html',
      '/console//etc/passwd',
      '/console/../../../../etc/passwd',
      '/console/index.ts',
      '/console/nothing.js',
      '/console/.env',
    ]) {
      const r = await get(path);
      assert.equal(r.status, 404, path);
      assert.doesNotMatch(r.body, /"name"|root:/, path);
    }
    assert.equal((await get('/consoles')).status, 418);
    assert.equal((await get('/admin/v1/accounts')).status, 418);
  } finally {
    server.close();
  }
});

test('only plain file names with a known type are loaded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moat-console-'));
  for (const name of ['page.html', 'notes.txt', '.hidden.js', 'UPPER.js', 'app.js']) {
    writeFileSync(join(dir, name), name);
  }
  assert.deepEqual([...loadAssets(dir).keys()].sort(), ['app.js', 'page.html']);
});

test('the page scripts never write markup from strings', () => {
  for (const file of readdirSync(CONSOLE_ASSETS).filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(join(CONSOLE_ASSETS, file), 'utf8');
    assert.doesNotMatch(
      text,
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/,
      file,
    );
  }
});
