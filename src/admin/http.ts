import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MoatError } from '../core/errors.js';

const MAX_BODY = 64 * 1024;

/** Sends a JSON body with a status. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** Sends a MoatError in the admin API's shape: `{ "error": { "code", "message" } }`. */
export function sendError(res: ServerResponse, err: unknown): void {
  const e = err instanceof MoatError ? err : new MoatError('MOAT_ERR_STORE', String(err));
  sendJson(res, e.status, { error: { code: e.code, message: e.message } });
}

/** Compares a request's bearer token with the configured one in constant time. */
export function authorised(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return false;
  const header = req.headers.authorization ?? '';
  const given = header.startsWith('Bearer ') ? header.slice(7) : '';
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/** Reads a JSON object body of at most 64 KB; anything else is a 400 or 413 naming why. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new MoatError('MOAT_ERR_BODY_TOO_LARGE', 'Admin bodies: 64 KB.');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};

  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new MoatError('MOAT_ERR_MALFORMED_REQUEST', 'The body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MoatError('MOAT_ERR_MALFORMED_REQUEST', 'The body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** A required string field of a body, or a 400 naming it. */
export function field(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (typeof v !== 'string' || v === '') {
    throw new MoatError(
      'MOAT_ERR_MALFORMED_REQUEST',
      `Field "${name}" must be a non-empty string.`,
    );
  }
  return v;
}

/** An optional string field, or a 400 when present with another type. */
export function optional(body: Record<string, unknown>, name: string): string | undefined {
  return body[name] === undefined ? undefined : field(body, name);
}
