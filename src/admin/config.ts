import { configError, int, join, mapping, onlyKeys, str } from '../config/check.js';
import type { Section } from '../config/section.js';

/** The validated `admin` section. */
export interface AdminConfig {
  /** Bearer token of the admin API; undefined disables the API (every call gets 401). */
  token?: string;
}

/** The change kinds a webhook can ask for. */
export const ALERT_KINDS = ['escalated', 'relaxed', 'joined', 'override', 'reset'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** One webhook endpoint. */
export interface WebhookConfig {
  url: string;
  /** HMAC-SHA256 key; the signature of the body goes in `X-Moat-Signature`. */
  secret: string;
  on: AlertKind[];
  maxAttempts: number;
  backoffMs: number;
  timeoutMs: number;
}

function secretFrom(obj: Record<string, unknown>, path: string, env: NodeJS.ProcessEnv) {
  const name = str(obj, 'secret_env', path);
  if (name !== undefined) {
    const value = env[name];
    if (!value)
      throw configError(join(path, 'secret_env'), `environment variable ${name} is empty`);
    return value;
  }
  return str(obj, 'secret', path);
}

/** Validates the `admin` section; `token_env` names an environment variable holding the token. */
export function parseAdminConfig(
  raw: unknown,
  path = 'admin',
  env: NodeJS.ProcessEnv = process.env,
): AdminConfig {
  const obj = mapping(raw, path);
  onlyKeys(obj, path, ['token_env']);

  const name = str(obj, 'token_env', path, 'MOAT_ADMIN_TOKEN');
  const token = env[name];
  if (token !== undefined && token.length < 16) {
    throw configError(join(path, 'token_env'), `${name} must hold at least 16 characters`);
  }
  return { token: token || undefined };
}

/** Validates the `webhooks` section: a list of endpoints. */
export function parseWebhooksConfig(
  raw: unknown,
  path = 'webhooks',
  env: NodeJS.ProcessEnv = process.env,
): WebhookConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw configError(path, 'must be a list of webhook endpoints');

  return raw.map((item, i) => {
    const p = `${path}[${i}]`;
    const obj = mapping(item, p);
    onlyKeys(obj, p, [
      'url',
      'secret',
      'secret_env',
      'on',
      'max_attempts',
      'backoff_ms',
      'timeout_ms',
    ]);
    const url = str(obj, 'url', p);
    if (!url || !/^https?:\/\//.test(url))
      throw configError(join(p, 'url'), 'must be an http(s) URL');
    const secret = secretFrom(obj, p, env);
    if (!secret) throw configError(p, 'needs secret or secret_env');

    const on = obj.on === undefined ? ['escalated'] : obj.on;
    if (!Array.isArray(on) || on.some((k) => !ALERT_KINDS.includes(k as AlertKind))) {
      throw configError(join(p, 'on'), `must be a list of ${ALERT_KINDS.join(', ')}`);
    }
    return {
      url,
      secret,
      on: on as AlertKind[],
      maxAttempts: int(obj, 'max_attempts', p, 6, 1, 20),
      backoffMs: int(obj, 'backoff_ms', p, 500, 1, 60_000),
      timeoutMs: int(obj, 'timeout_ms', p, 5000, 100, 60_000),
    };
  });
}

/** The `admin` section for the config loader. */
export const adminSection: Section<AdminConfig> = {
  name: 'admin',
  parse: (raw, path) => parseAdminConfig(raw, path),
};

/** The `webhooks` section for the config loader. */
export const webhooksSection: Section<WebhookConfig[]> = {
  name: 'webhooks',
  parse: (raw, path) => parseWebhooksConfig(raw, path),
};
