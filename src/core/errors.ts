/**
 * Every error Moat can return or raise, in one catalogue. Each code keeps its HTTP status and
 * a message a user can act on; a retired code is never reused. What reaches an API client is
 * rendered in that API's own error shape by the gateway (see gateway/errors).
 */
export const CATALOGUE = {
  MOAT_ERR_INVALID_KEY: {
    status: 401,
    code: 'invalid_api_key',
    message: 'The API key is missing, unknown or revoked. Check the key or ask for a new one.',
  },
  MOAT_ERR_ACCOUNT_BLOCKED: {
    status: 403,
    code: 'account_blocked',
    message: 'This account is blocked. Contact the provider to review the decision.',
  },
  MOAT_ERR_VERIFICATION_REQUIRED: {
    status: 403,
    code: 'verification_required',
    message: 'This account must complete verification before it can continue.',
  },
  MOAT_ERR_PARAM_NOT_ALLOWED: {
    status: 403,
    code: 'parameter_not_allowed',
    message: 'A request parameter is not allowed for this account tier.',
  },
  MOAT_ERR_RATE_LIMITED: {
    status: 429,
    code: 'rate_limit_exceeded',
    message: 'Rate limit reached for this account. Retry after the time in Retry-After.',
  },
  MOAT_ERR_BODY_TOO_LARGE: {
    status: 413,
    code: 'request_too_large',
    message: 'The request body is larger than the configured limit.',
  },
  MOAT_ERR_MALFORMED_REQUEST: {
    status: 400,
    code: 'invalid_request',
    message: 'The request is malformed.',
  },
  MOAT_ERR_NOT_FOUND: {
    status: 404,
    code: 'not_found',
    message: 'No such route.',
  },
  MOAT_ERR_UPSTREAM_FAILED: {
    status: 502,
    code: 'upstream_error',
    message: 'The model backend refused or dropped the connection. Retry shortly.',
  },
  MOAT_ERR_UPSTREAM_TIMEOUT: {
    status: 504,
    code: 'upstream_timeout',
    message: 'The model backend did not answer in time. Retry shortly.',
  },
  MOAT_ERR_UNAVAILABLE: {
    status: 503,
    code: 'service_unavailable',
    message: 'Moat is shutting down or not ready. Retry shortly.',
  },
  MOAT_ERR_ADMIN_UNAUTHORIZED: {
    status: 401,
    code: 'admin_unauthorized',
    message: 'The admin token is missing or wrong.',
  },
  MOAT_ERR_CONFIG: {
    status: 500,
    code: 'config_error',
    message: 'The configuration is invalid.',
  },
  MOAT_ERR_STORE: {
    status: 503,
    code: 'store_unavailable',
    message: 'The store is unavailable; events are being spooled locally.',
  },
  MOAT_ERR_DATA_FILE: {
    status: 500,
    code: 'data_file_unreadable',
    message: 'A benchmark data file is missing or unreadable. Check MOAT_DATA or unset it.',
  },
  MOAT_ERR_SCENARIO: {
    status: 400,
    code: 'invalid_scenario',
    message: 'The simulation scenario is invalid. Fix the named field or use a preset.',
  },
  MOAT_ERR_INTEL_BUNDLE: {
    status: 400,
    code: 'invalid_bundle',
    message: 'The STIX bundle or object is invalid. Fix the named object or property.',
  },
  MOAT_ERR_INTEL_INPUT: {
    status: 400,
    code: 'invalid_intel_input',
    message: 'The report or event log given for intel export cannot be used.',
  },
  MOAT_ERR_SCHEMA_SET: {
    status: 500,
    code: 'schema_set_invalid',
    message: 'A JSON schema is missing, unreadable or refers to a schema that is not loaded.',
  },
  MOAT_ERR_TAXII_UNAUTHORIZED: {
    status: 401,
    code: 'taxii_unauthorized',
    message: 'The TAXII bearer token is missing or wrong.',
  },
  MOAT_ERR_TAXII_FORBIDDEN: {
    status: 403,
    code: 'taxii_forbidden',
    message: 'This TAXII collection does not allow that (read or write) for this token.',
  },
  MOAT_ERR_TAXII_NOT_ACCEPTABLE: {
    status: 406,
    code: 'taxii_not_acceptable',
    message: 'Send Accept: application/taxii+json;version=2.1.',
  },
  MOAT_ERR_TAXII_MEDIA_TYPE: {
    status: 415,
    code: 'taxii_unsupported_media_type',
    message: 'Send Content-Type: application/taxii+json;version=2.1.',
  },
  MOAT_ERR_METHOD_NOT_ALLOWED: {
    status: 405,
    code: 'method_not_allowed',
    message: 'This method is not allowed on this resource. See the Allow header.',
  },
  MOAT_ERR_TAXII_REMOTE: {
    status: 502,
    code: 'taxii_remote_error',
    message: 'The remote TAXII server refused the request or answered something unreadable.',
  },
  MOAT_ERR_INTERNAL: {
    status: 500,
    code: 'internal_error',
    message: 'Moat failed while handling this request; the failure is logged. Retry shortly.',
  },
  MOAT_ERR_USAGE: {
    status: 400,
    code: 'usage',
    message: 'The command line is wrong. Run `moat help`.',
  },
} as const;

export type ErrorName = keyof typeof CATALOGUE;

/**
 * The one error type Moat throws on purpose: a catalogue name, its status, and a detail that
 * says what exactly was wrong (a field name, a config key, a limit).
 */
export class MoatError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(
    override readonly name: ErrorName,
    readonly detail?: string,
    readonly extra: { retryAfterS?: number; param?: string; cause?: unknown } = {},
  ) {
    const entry = CATALOGUE[name];
    super(detail ? `${entry.message} ${detail}` : entry.message, { cause: extra.cause });
    this.status = entry.status;
    this.code = entry.code;
  }
}
