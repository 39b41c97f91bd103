import type { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import type { UpstreamConfig } from '../config/index.js';
import { MoatError } from '../core/errors.js';
import type { ApiShape } from '../core/marker.js';

/** Request headers passed on to the backend; the caller's Moat key never is. */
const FORWARDED = ['accept', 'anthropic-version', 'anthropic-beta', 'openai-beta', 'user-agent'];

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Why an upstream call failed, for the `moat_upstream_errors_total` metric. */
export type UpstreamFailure = 'timeout' | 'refused' | 'reset' | 'other';

/** Classifies an error thrown by undici. */
export function failureKind(err: unknown): UpstreamFailure {
  const code = (err as { code?: string } | undefined)?.code ?? '';
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE') return 'reset';
  return 'other';
}

/** The coded error a client sees for an upstream failure: 504 when too slow, else 502. */
export function upstreamError(err: unknown): MoatError {
  if (err instanceof MoatError) return err;
  const kind = failureKind(err);
  if (kind === 'timeout')
    return new MoatError('MOAT_ERR_UPSTREAM_TIMEOUT', undefined, { cause: err });
  return new MoatError('MOAT_ERR_UPSTREAM_FAILED', undefined, { cause: err });
}

/**
 * The model backend behind one keep-alive undici Pool. Timeouts bound every phase: connecting,
 * waiting for headers, and each silence between body chunks, so no call can hang.
 */
export class Upstream {
  private readonly pool: Pool;
  private readonly apiKey?: string;
  /** Path prefix of the upstream URL (`/api` in `http://host/api`), or empty. */
  private readonly prefix: string;

  constructor(readonly config: UpstreamConfig) {
    if (!config.url) {
      throw new MoatError('MOAT_ERR_CONFIG', 'upstream.url: not set (use --upstream URL).');
    }
    this.pool = new Pool(config.url, {
      connections: config.connections,
      connect: { timeout: config.connectTimeoutMs },
      headersTimeout: config.headersTimeoutMs,
      bodyTimeout: config.bodyTimeoutMs,
      keepAliveTimeout: 30_000,
      pipelining: 1,
    });
    this.apiKey = config.apiKeyEnv ? process.env[config.apiKeyEnv] : undefined;
    const path = new URL(config.url).pathname;
    this.prefix = path === '/' ? '' : path;
  }

  /** Headers for the backend: the allowed client headers, then the backend's own key. */
  headers(api: ApiShape, incoming: IncomingHttpHeaders, length?: number): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of FORWARDED) {
      const v = incoming[name];
      if (typeof v === 'string') out[name] = v;
    }
    if (length !== undefined) {
      out['content-type'] = 'application/json';
      out['content-length'] = String(length);
    }
    if (this.apiKey) {
      if (api === 'anthropic') out['x-api-key'] = this.apiKey;
      else out.authorization = `Bearer ${this.apiKey}`;
    }
    return out;
  }

  /** Sends one call; rejects with undici's error on refusal, reset, timeout or abort. */
  request(opts: {
    method: 'GET' | 'POST';
    path: string;
    headers: Record<string, string>;
    body?: Buffer;
    signal: AbortSignal | EventEmitter;
  }): Promise<Dispatcher.ResponseData> {
    return this.pool.request({ ...opts, path: this.prefix + opts.path });
  }

  /** Closes the pool after in-flight calls end. */
  close(): Promise<void> {
    return this.pool.close();
  }

  /** Cuts every connection at once. */
  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}
