import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { Dispatcher } from 'undici';
import type { Route } from '../core/event.js';
import { MoatError } from '../core/errors.js';
import type { ApiShape, ResponseMarker } from '../core/marker.js';
import { sseErrorEvent } from './errors.js';
import { SseTap, summariseJson, type OutputSummary } from './output.js';
import { upstreamError } from './upstream.js';
import { UsageChunkFilter } from './usage.js';

/** Response headers passed back to the client from the backend. */
const RETURNED = ['x-request-id', 'request-id', 'openai-version', 'openai-processing-ms'];

/** Cap on a non-streamed backend response held for the event and the marker. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** How one relay ended: the status the client got and what the response said. */
export interface RelayResult {
  status: number;
  summary?: OutputSummary;
  /** The error that ended the relay, if any (already reported to the client). */
  error?: MoatError;
}

interface RelayContext {
  api: ApiShape;
  route: Route;
  res: ServerResponse;
  marker?: ResponseMarker;
  maxTextChars: number;
  /** Moat asked the backend for usage the caller did not ask for: take it out of the stream. */
  hideUsage?: boolean;
  /** True once the client has gone away. */
  clientGone(): boolean;
}

function baseHeaders(up: Dispatcher.ResponseData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of RETURNED) {
    const v = up.headers[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

/** Whether the backend answered with an event stream. */
export function isEventStream(up: Dispatcher.ResponseData): boolean {
  const type = up.headers['content-type'];
  return typeof type === 'string' && type.includes('text/event-stream');
}

/**
 * Relays an SSE stream chunk by chunk as it arrives, with `Cache-Control: no-transform`. With no
 * marker the bytes go out untouched (no decode, no re-encode); the tap reads a copy for the
 * event. Usage Moat asked for is taken out first (the tap still sees it). A backend failure
 * after the first byte ends the stream with an error event in the API's shape; a client that
 * leaves stops the loop (the caller aborts the upstream call).
 */
export async function relayStream(
  ctx: RelayContext,
  up: Dispatcher.ResponseData,
): Promise<RelayResult> {
  const { res } = ctx;
  res.writeHead(up.statusCode, {
    ...baseHeaders(up),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
  });
  // The headers leave with the first chunk when it is already here (one write, not two), or on
  // the next turn of the event loop, so a client still sees them before a slow first token.
  let headers: NodeJS.Immediate | undefined = setImmediate(() => res.flushHeaders());

  const tap = new SseTap(ctx.route, ctx.maxTextChars);
  const filter = ctx.hideUsage ? new UsageChunkFilter() : undefined;
  const rewriter = ctx.marker?.sse(ctx.api, ctx.route);
  const decoder = rewriter ? new StringDecoder('utf8') : undefined;
  try {
    for await (const chunk of up.body as AsyncIterable<Buffer>) {
      let ok = true;
      const pass = filter ? filter.push(chunk) : chunk;
      const out = rewriter ? rewriter.push(decoder!.write(pass)) : pass;
      if (out.length > 0) {
        if (headers) clearImmediate(headers);
        headers = undefined;
        ok = res.write(out);
      }
      tap.push(chunk);
      if (!ok && !ctx.clientGone()) await drained(res);
      if (ctx.clientGone()) break;
    }
    if ((filter || rewriter) && !ctx.clientGone()) {
      const rest = filter ? filter.end() : undefined;
      const out = rewriter ? rewriter.push(decoder!.end(rest)) + rewriter.end() : rest!;
      if (out.length > 0) res.write(out);
    }
  } catch (err) {
    if (ctx.clientGone()) return { status: 499, summary: tap.end() };
    const error = upstreamError(err);
    res.end(sseErrorEvent(ctx.api, error));
    return { status: error.status, summary: tap.end(), error };
  } finally {
    if (headers) clearImmediate(headers);
  }

  if (ctx.clientGone()) return { status: 499, summary: tap.end() };
  res.end();
  return { status: up.statusCode, summary: tap.end() };
}

function drained(res: ServerResponse): Promise<unknown> {
  return Promise.race([once(res, 'drain'), once(res, 'close')]);
}

/**
 * Relays a complete JSON response. With no marker the backend's bytes are sent as received; the
 * body is parsed once for the event's text and usage. A backend error status passes through
 * unchanged (it is already in the API's own shape).
 */
export async function relayJson(
  ctx: RelayContext,
  up: Dispatcher.ResponseData,
): Promise<RelayResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of up.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BYTES)
      throw new MoatError('MOAT_ERR_UPSTREAM_FAILED', 'Response too large.');
    chunks.push(chunk);
  }
  let out: Buffer | string = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);

  let summary: OutputSummary | undefined;
  const type = up.headers['content-type'];
  const json = typeof type === 'string' && type.includes('json');
  if (json && up.statusCode < 300) {
    try {
      const body = JSON.parse(out.toString('utf8'));
      summary = summariseJson(ctx.route, body, ctx.maxTextChars);
      if (ctx.marker) out = JSON.stringify(ctx.marker.markJson(ctx.api, ctx.route, body));
    } catch {
      summary = undefined;
    }
  }

  if (ctx.clientGone()) return { status: 499, summary };
  ctx.res.writeHead(up.statusCode, {
    ...baseHeaders(up),
    'content-type': typeof type === 'string' ? type : 'application/json',
    'content-length': Buffer.byteLength(out),
  });
  ctx.res.end(out);
  return { status: up.statusCode, summary };
}

/** Applies two markers in turn (the watermark, then reasoning removal, or either alone). */
export function chainMarkers(a?: ResponseMarker, b?: ResponseMarker): ResponseMarker | undefined {
  if (!a || !b) return a ?? b;
  return {
    markJson: (api, route, body) => b.markJson(api, route, a.markJson(api, route, body)),
    sse(api, route) {
      const first = a.sse(api, route);
      const second = b.sse(api, route);
      return {
        push: (chunk) => second.push(first.push(chunk)),
        end: () => second.push(first.end()) + second.end(),
      };
    },
  };
}
