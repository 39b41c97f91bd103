import type { Route } from '../core/event.js';
import type { ApiShape } from '../core/marker.js';

/** One proxied API route. */
export interface RouteSpec {
  route: Route;
  api: ApiShape;
  path: string;
}

/** The POST routes Moat proxies, by URL path. */
export const ROUTE_TABLE: ReadonlyMap<string, RouteSpec> = new Map(
  (
    [
      ['chat.completions', 'openai', '/v1/chat/completions'],
      ['completions', 'openai', '/v1/completions'],
      ['responses', 'openai', '/v1/responses'],
      ['embeddings', 'openai', '/v1/embeddings'],
      ['messages', 'anthropic', '/v1/messages'],
    ] as const
  ).map(([route, api, path]) => [path, { route, api, path }]),
);

/** The API shape a path speaks, for errors on paths that are not proxied routes. */
export function apiOfPath(path: string): ApiShape {
  return path.startsWith('/v1/messages') ? 'anthropic' : 'openai';
}
