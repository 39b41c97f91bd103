import type { TierConfig } from '../config/index.js';
import type { Route } from '../core/event.js';
import type { Decision } from '../core/decision.js';
import { MoatError } from '../core/errors.js';
import type { LimitSpec } from '../core/limits.js';
import type { ParsedRequest } from './request.js';

/** Refuses parameters the tier does not allow (403 naming the parameter). */
export function checkTierParams(req: ParsedRequest, tierName: string, tier: TierConfig): void {
  const p = req.params;
  if (!tier.logprobs && (p.logprobs === true || (p.top_logprobs ?? 0) > 0)) {
    const param = p.logprobs === true ? 'logprobs' : 'top_logprobs';
    throw new MoatError(
      'MOAT_ERR_PARAM_NOT_ALLOWED',
      `"${param}" is not allowed on tier "${tierName}".`,
      {
        param,
      },
    );
  }
  if (!tier.logitBias && (p.logit_bias ?? 0) > 0) {
    throw new MoatError(
      'MOAT_ERR_PARAM_NOT_ALLOWED',
      `"logit_bias" is not allowed on tier "${tierName}".`,
      {
        param: 'logit_bias',
      },
    );
  }
}

/** The refusal for a denying decision; verification carries the link the account must follow. */
export function denial(deny: NonNullable<Decision['deny']>): MoatError {
  const detail = deny.link ? `Verify here: ${deny.link}` : undefined;
  return new MoatError(deny.code, detail);
}

const STRIPPED = ['logprobs', 'top_logprobs', 'logit_bias'];
const MAX_TOKEN_KEYS = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'];

/**
 * Applies a `degrade` decision to the request body in place: drops logprobs, top_logprobs and
 * logit_bias, caps n and the output length. Returns whether anything changed (the body must then
 * be re-encoded before forwarding).
 */
export function degradeBody(
  route: Route,
  body: Record<string, unknown>,
  d: NonNullable<Decision['degrade']>,
): boolean {
  let changed = false;
  for (const k of STRIPPED) {
    if (k in body) {
      delete body[k];
      changed = true;
    }
  }
  if (d.maxN !== undefined && typeof body.n === 'number' && body.n > d.maxN) {
    body.n = d.maxN;
    changed = true;
  }
  if (d.maxTokens === undefined || route === 'embeddings') return changed;

  let present = false;
  for (const k of MAX_TOKEN_KEYS) {
    if (typeof body[k] !== 'number') continue;
    present = true;
    if ((body[k] as number) > d.maxTokens) {
      body[k] = d.maxTokens;
      changed = true;
    }
  }
  if (!present) {
    body[route === 'responses' ? 'max_output_tokens' : 'max_tokens'] = d.maxTokens;
    changed = true;
  }
  return changed;
}

/** The tier's limits with a policy throttle applied (never below 1). */
export function limitSpec(tier: TierConfig, throttle?: number): LimitSpec {
  const f = throttle !== undefined && throttle > 0 && throttle < 1 ? throttle : 1;
  return {
    requestsPerMinute: Math.max(1, Math.floor(tier.requestsPerMinute * f)),
    tokensPerMinute: Math.max(1, Math.floor(tier.tokensPerMinute * f)),
    maxConcurrent: Math.max(1, Math.floor(tier.maxConcurrent * f)),
  };
}

/** Tokens to reserve before the call: prompt characters / 4, plus the output cap times n. */
export function estimateTokens(req: ParsedRequest, tier: TierConfig, route: Route): number {
  const input = Math.ceil(req.inputChars / 4);
  if (route === 'embeddings') return input;
  const n = req.params.n && req.params.n > 1 ? req.params.n : 1;
  return input + (req.maxTokens ?? tier.defaultOutputTokens) * n;
}
