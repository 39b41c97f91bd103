import { MoatError } from '../core/errors.js';
import type { StixBundle, StixObject } from './stix.js';
import { TAXII_MEDIA_TYPE } from './taxii-http.js';

/** A TAXII 2.1 status resource, as a server answers a POST. */
export interface TaxiiStatus {
  id: string;
  status: 'complete' | 'pending';
  total_count: number;
  success_count: number;
  failure_count: number;
  pending_count: number;
  failures?: { id: string; message?: string }[];
}

/** Options of a pull. */
export interface PullOptions {
  /** Only objects added after this timestamp (the last pull's `lastAdded`). */
  addedAfter?: string;
  /** Objects per page asked for (the server may send fewer). */
  limit?: number;
  /** Stop after this many pages even if the server says there is more (default 1000). */
  maxPages?: number;
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** GETs or POSTs a TAXII resource; a non-2xx answer is MOAT_ERR_TAXII_REMOTE with its title. */
async function call(
  url: string,
  token: string,
  body?: unknown,
): Promise<{ json: Record<string, unknown>; headers: Headers }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        accept: TAXII_MEDIA_TYPE,
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': TAXII_MEDIA_TYPE }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new MoatError('MOAT_ERR_TAXII_REMOTE', `${url}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    if (res.ok) throw new MoatError('MOAT_ERR_TAXII_REMOTE', `${url} answered non-JSON`);
  }
  if (!res.ok) {
    const title = typeof json.title === 'string' ? `: ${json.title}` : '';
    throw new MoatError('MOAT_ERR_TAXII_REMOTE', `${url} answered ${res.status}${title}`);
  }
  return { json, headers: res.headers };
}

/** The API root URL of a collection URL (`.../<root>/collections/<id>/` → `.../<root>/`). */
export function apiRootOf(collectionUrl: string): string {
  const m = /^(.*\/)collections\/[^/]+\/?$/.exec(collectionUrl);
  if (!m) throw new MoatError('MOAT_ERR_USAGE', `Not a TAXII collection URL: ${collectionUrl}`);
  return m[1];
}

/**
 * Pushes a bundle's objects to a TAXII 2.1 collection (`.../collections/<id>/`) and returns the
 * status resource; a pending status is polled (bounded) until complete.
 */
export async function taxiiPush(
  collectionUrl: string,
  bundle: StixBundle | StixObject[],
  token: string,
): Promise<TaxiiStatus> {
  const objects = Array.isArray(bundle) ? bundle : bundle.objects;
  const { json } = await call(`${withSlash(collectionUrl)}objects/`, token, { objects });
  let status = json as unknown as TaxiiStatus;
  const statusUrl = `${apiRootOf(collectionUrl)}status/${encodeURIComponent(status.id)}/`;
  for (let i = 0; i < 20 && status.status === 'pending'; i++) {
    await new Promise((r) => setTimeout(r, 250 * (i + 1)));
    status = (await call(statusUrl, token)).json as unknown as TaxiiStatus;
  }
  return status;
}

/**
 * Pulls objects from a TAXII 2.1 collection, following `next` while the server says `more`.
 * Returns the objects and the `date_added` of the last one, to pass as `addedAfter` next time.
 */
export async function taxiiPull(
  collectionUrl: string,
  token: string,
  opts: PullOptions = {},
): Promise<{ objects: StixObject[]; lastAdded?: string; pages: number }> {
  const objects: StixObject[] = [];
  let lastAdded: string | undefined;
  let next: string | undefined;
  let pages = 0;
  const maxPages = opts.maxPages ?? 1000;
  while (pages < maxPages) {
    const url = new URL(`${withSlash(collectionUrl)}objects/`);
    if (opts.addedAfter) url.searchParams.set('added_after', opts.addedAfter);
    if (opts.limit) url.searchParams.set('limit', String(opts.limit));
    if (next) url.searchParams.set('next', next);

    const { json, headers } = await call(url.href, token);
    pages++;
    if (Array.isArray(json.objects)) objects.push(...(json.objects as StixObject[]));
    lastAdded = headers.get('x-taxii-date-added-last') ?? lastAdded;
    if (json.more !== true) break;
    if (typeof json.next !== 'string' || json.next === '') {
      if (!lastAdded) break;
      opts = { ...opts, addedAfter: lastAdded };
      next = undefined;
    } else next = json.next;
  }
  return { objects, lastAdded, pages };
}
