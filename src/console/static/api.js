// The admin API as the console calls it. The token lives in sessionStorage only: it is gone
// when the tab closes and is never put in a URL.

const TOKEN_KEY = 'moat.adminToken';
const ANALYST_KEY = 'moat.analyst';
const BASE = '/admin/v1/';

/** Raised for a non-2xx answer; `status` and `code` come from the admin API's error shape. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function analyst() {
  return sessionStorage.getItem(ANALYST_KEY) || 'console';
}

export function signIn(newToken, name) {
  sessionStorage.setItem(TOKEN_KEY, newToken);
  if (name) sessionStorage.setItem(ANALYST_KEY, name);
  else sessionStorage.removeItem(ANALYST_KEY);
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Calls the admin API; a JSON body for POST/PUT. Throws ApiError on failure. */
export async function call(method, path, body) {
  const headers = { authorization: `Bearer ${token() ?? ''}`, 'x-moat-analyst': analyst() };
  if (body !== undefined) headers['content-type'] = 'application/json';

  let res;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (err) {
    throw new ApiError(0, 'network', `The gateway did not answer (${err.message}).`);
  }

  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const e = data?.error ?? {};
    throw new ApiError(res.status, e.code ?? 'error', e.message ?? `HTTP ${res.status}`);
  }
  return data;
}

export const get = (path) => call('GET', path);

/** Encodes one path segment (account and item ids may hold any character). */
export const seg = (s) => encodeURIComponent(s);
