import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { PACKAGE_ROOT } from '../core/paths.js';

/** Where the console is served. */
export const CONSOLE_PREFIX = '/console';

/** The folder holding the console's page, styles and scripts (plain files, no build step). */
export const CONSOLE_ASSETS = join(PACKAGE_ROOT, 'src', 'console', 'static');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Same-origin only: the page loads nothing from elsewhere and cannot be framed. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache',
};

interface Asset {
  type: string;
  body: Buffer;
}

/**
 * Reads the console's files once into memory. Only plain names with a known extension are
 * served, so a request path never reaches the file system and cannot climb out of the folder.
 */
export function loadAssets(dir = CONSOLE_ASSETS): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (!type || !/^[a-z0-9-]+\.[a-z]+$/.test(name)) continue;
    assets.set(name, { type, body: readFileSync(join(dir, name)) });
  }
  return assets;
}

/**
 * The analyst console as a request handler the gateway mounts at `/console`: it answers every
 * path under it (returns true) and leaves other paths alone (false). The page itself holds no
 * data; it asks for the admin token and drives the admin API from the browser.
 */
export function consoleHandler(
  options: { dir?: string } = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const assets = loadAssets(options.dir);
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== CONSOLE_PREFIX && !path.startsWith(`${CONSOLE_PREFIX}/`)) return false;

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
      return true;
    }
    if (path === CONSOLE_PREFIX) {
      send(res, 308, '', { location: `${CONSOLE_PREFIX}/` });
      return true;
    }

    const name = path.slice(CONSOLE_PREFIX.length + 1) || 'index.html';
    const asset = assets.get(name);
    if (!asset) {
      send(res, 404, 'not found\n');
      return true;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': asset.type,
      'content-length': asset.body.length,
    });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
    return true;
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...headers,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
