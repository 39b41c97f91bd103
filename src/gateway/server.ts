import type { IncomingMessage, ServerResponse } from 'node:http';
import { MoatError } from '../core/errors.js';
import { log } from '../core/log.js';
import { sendError } from './errors.js';
import { proxyCall, type ProxyDeps } from './proxy.js';
import { relayJson } from './relay.js';
import { apiOfPath, ROUTE_TABLE } from './routes.js';
import { upstreamError } from './upstream.js';

/** A handler mounted under a path prefix (admin API, console, TAXII). */
export type MountHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** The mutable state the router shares with `startGateway`. */
export interface RouterState {
  deps: ProxyDeps;
  mounts: { prefix: string; handler: MountHandler }[];
  draining: boolean;
  inflight: number;
  /** Resolves waiters when `inflight` drops to zero. */
  idle?: () => void;
}

/**
 * Routes one HTTP request: health and metrics, mounted handlers, the proxied API routes. Never
 * throws; anything unexpected becomes a coded error response and a log line.
 */
export function route(state: RouterState, req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);

  const spec = req.method === 'POST' ? ROUTE_TABLE.get(path) : undefined;
  if (spec) {
    if (state.draining) return unavailable(res, spec.api);
    track(state, proxyCall(state.deps, spec, req, res), res);
    return;
  }

  if (req.method === 'GET') {
    if (path === '/healthz') return plain(res, 200, 'ok\n');
    if (path === '/readyz')
      return plain(res, state.draining ? 503 : 200, state.draining ? 'draining\n' : 'ready\n');
    if (path === '/metrics')
      return plain(res, 200, state.deps.metrics.render(), 'text/plain; version=0.0.4');
    if (path === '/v1/models') return track(state, models(state.deps, req, res), res);
  }

  for (const m of state.mounts) {
    if (path !== m.prefix && !path.startsWith(m.prefix.endsWith('/') ? m.prefix : `${m.prefix}/`))
      continue;
    track(
      state,
      Promise.resolve().then(() => m.handler(req, res)),
      res,
    );
    return;
  }
  sendError(res, apiOfPath(path), new MoatError('MOAT_ERR_NOT_FOUND', `${req.method} ${path}`));
}

function track(state: RouterState, work: Promise<void>, res: ServerResponse): void {
  state.inflight++;
  work
    .catch((err: unknown) => {
      log.error({ err: (err as Error)?.message }, 'request handler failed');
      sendError(res, 'openai', new MoatError('MOAT_ERR_INTERNAL'));
    })
    .finally(() => {
      state.inflight--;
      if (state.inflight === 0) state.idle?.();
    });
}

function plain(res: ServerResponse, status: number, body: string, type = 'text/plain'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function unavailable(res: ServerResponse, api: 'openai' | 'anthropic'): void {
  res.setHeader('connection', 'close');
  sendError(res, api, new MoatError('MOAT_ERR_UNAVAILABLE', undefined, { retryAfterS: 1 }));
}

/** `GET /v1/models`: authenticated, relayed as is, no event (it is not an inference call). */
async function models(deps: ProxyDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    deps.keys.identify(req.headers);
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    const up = await deps.upstream.request({
      method: 'GET',
      path: '/v1/models',
      headers: deps.upstream.headers('openai', req.headers),
      signal: abort.signal,
    });
    await relayJson(
      { api: 'openai', route: 'chat.completions', res, maxTextChars: 0, clientGone: () => false },
      up,
    );
  } catch (err) {
    sendError(res, 'openai', err instanceof MoatError ? err : upstreamError(err));
  }
}
