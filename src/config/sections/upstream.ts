import { bool, configError, int, join, mapping, onlyKeys, str } from '../check.js';
import type { Section } from '../section.js';

/** The model backend Moat forwards to (any OpenAI- or Anthropic-compatible server). */
export interface UpstreamConfig {
  /** Base URL without the `/v1` path, e.g. `http://127.0.0.1:8000`. Empty until set. */
  url: string;
  /** Name of an environment variable holding the backend's own API key, if it needs one. */
  apiKeyEnv?: string;
  /** Size of the keep-alive connection pool. */
  connections: number;
  connectTimeoutMs: number;
  /** Longest wait for the response headers (time to first byte). */
  headersTimeoutMs: number;
  /** Longest silence between two body chunks, streams included. */
  bodyTimeoutMs: number;
  /**
   * Ask for `stream_options.include_usage` on streamed OpenAI chat and completion calls whose
   * caller did not, and hide the usage from that caller; off for a backend that rejects the field.
   */
  requestUsage: boolean;
}

const KEYS = [
  'url',
  'api_key_env',
  'connections',
  'connect_timeout_ms',
  'headers_timeout_ms',
  'body_timeout_ms',
  'request_usage',
];

/** Checks that `url` is an absolute http(s) URL; returns it without a trailing slash. */
export function checkUpstreamUrl(url: string, path: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw configError(path, `must be an absolute http:// or https:// URL (got "${url}")`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw configError(path, `must use http:// or https:// (got "${parsed.protocol}")`);
  }
  return url.replace(/\/+$/, '');
}

/** The `upstream` section. */
export const upstreamSection: Section<UpstreamConfig> = {
  name: 'upstream',
  parse(raw, path) {
    const m = mapping(raw, path);
    onlyKeys(m, path, KEYS);
    const url = str(m, 'url', path);
    return {
      url: url === undefined ? '' : checkUpstreamUrl(url, join(path, 'url')),
      apiKeyEnv: str(m, 'api_key_env', path),
      connections: int(m, 'connections', path, 128, 1, 10_000),
      connectTimeoutMs: int(m, 'connect_timeout_ms', path, 5_000, 1),
      headersTimeoutMs: int(m, 'headers_timeout_ms', path, 60_000, 1),
      bodyTimeoutMs: int(m, 'body_timeout_ms', path, 60_000, 1),
      requestUsage: bool(m, 'request_usage', path, true),
    };
  },
};
