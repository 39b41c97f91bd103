import type { ServerResponse } from 'node:http';
import { MoatError } from '../core/errors.js';
import type { ApiShape } from '../core/marker.js';

const OPENAI_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'invalid_request_error',
  413: 'invalid_request_error',
  429: 'rate_limit_error',
};

const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  503: 'overloaded_error',
};

/** The JSON body of an error in one API's own shape, carrying the catalogue's stable code. */
export function errorBody(api: ApiShape, err: MoatError): object {
  if (api === 'anthropic') {
    const type = ANTHROPIC_TYPES[err.status] ?? 'api_error';
    return { type: 'error', error: { type, message: err.message, code: err.code } };
  }
  const type = OPENAI_TYPES[err.status] ?? 'api_error';
  return { error: { message: err.message, type, param: err.extra.param ?? null, code: err.code } };
}

/** Turns anything thrown into a MoatError (an unexpected error becomes a 500 without details). */
export function asMoatError(err: unknown): MoatError {
  if (err instanceof MoatError) return err;
  return new MoatError('MOAT_ERR_INTERNAL', undefined, { cause: err });
}

/**
 * Sends an error response in the API's shape, with `Retry-After` when the error carries one.
 * Does nothing if headers are already out (the stream relay reports mid-stream errors itself).
 */
export function sendError(res: ServerResponse, api: ApiShape, err: MoatError): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(errorBody(api, err));
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-moat-error': err.name,
  };
  if (err.extra.retryAfterS !== undefined) headers['retry-after'] = err.extra.retryAfterS;
  res.writeHead(err.status, headers);
  res.end(body);
}

/** One SSE event that reports an error after a stream has started, in the API's shape. */
export function sseErrorEvent(api: ApiShape, err: MoatError): string {
  const data = JSON.stringify(errorBody(api, err));
  return api === 'anthropic' ? `event: error\ndata: ${data}\n\n` : `data: ${data}\n\n`;
}
