import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MoatError } from '../core/errors.js';

/** The media type of every TAXII 2.1 resource (discovery, collections, envelopes, status). */
export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
/** The media type of STIX 2.1 content, as collections and manifests announce it. */
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

interface MediaRange {
  type: string;
  version?: string;
}

function parseMedia(value: string): MediaRange[] {
  return value
    .split(',')
    .map((part) => {
      const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const version = params
        .find((p) => p.startsWith('version='))
        ?.slice(8)
        .replace(/"/g, '');
      const q = params.find((p) => p.startsWith('q='));
      return { type, version, q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((r) => r.type !== '' && r.q > 0);
}

/** True when the Accept header admits TAXII 2.1 JSON (no header admits anything). */
export function acceptsTaxii(accept: string | undefined): boolean {
  if (!accept) return true;
  return parseMedia(accept).some((r) => {
    if (r.type === '*/*' || r.type === 'application/*') return true;
    return r.type === 'application/taxii+json' && (r.version === undefined || r.version === '2.1');
  });
}

/** True when a request body's Content-Type is TAXII 2.1 JSON. */
export function isTaxiiContent(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [r] = parseMedia(contentType);
  return r?.type === 'application/taxii+json' && (r.version === undefined || r.version === '2.1');
}

/** Compares a bearer token with the configured one in constant time. */
export function tokenMatches(header: string | undefined, token: string | null): boolean {
  if (!token || !header) return false;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!m) return false;
  const a = createHash('sha256').update(m[1]).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/** Writes a TAXII JSON answer with the TAXII media type. */
export function sendTaxii(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': TAXII_MEDIA_TYPE,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** Writes an error as a TAXII error message (title, description, http_status, error_code). */
export function sendTaxiiError(res: ServerResponse, err: unknown): void {
  const e =
    err instanceof MoatError ? err : new MoatError('MOAT_ERR_UNAVAILABLE', 'internal error');
  const headers: Record<string, string> = {};
  if (e.status === 401) headers['www-authenticate'] = 'Bearer realm="taxii"';
  if (e.status === 405 && e.extra.param) headers.allow = e.extra.param;
  // The unread rest of a refused body would be taken for the next request: end the connection.
  if (e.status === 413) headers.connection = 'close';
  const title = e.message.split('. ')[0].replace(/\.$/, '');
  sendTaxii(
    res,
    e.status,
    { title, description: e.message, http_status: String(e.status), error_code: e.code },
    headers,
  );
}

/** Reads a request body up to `limit` bytes; more is MOAT_ERR_BODY_TOO_LARGE (413). */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    throw new MoatError('MOAT_ERR_BODY_TOO_LARGE', `The limit is ${limit} bytes.`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit)
      throw new MoatError('MOAT_ERR_BODY_TOO_LARGE', `The limit is ${limit} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
