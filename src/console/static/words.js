// Plain-language wording shared by the views: what a decision does to an account's requests.

import { h } from './dom.js';

const ACTION_WORDS = {
  allow: 'allowed',
  watermark: 'responses watermarked',
  degrade: 'degraded',
  verify: 'verification required',
  throttle: 'throttled',
  block: 'blocked',
  review: 'sent to review',
};

/** The actions of an audit entry or review item, in words. */
export function actionsText(actions) {
  if (!actions?.length) return '—';
  return actions.map((a) => ACTION_WORDS[a] ?? a).join(', ');
}

/** What the engine's current decision does, one short line per effect. */
export function decisionLines(d) {
  if (!d) {
    return [
      'Allowed: the policy engine holds no verdict for this account, ' +
        "so its tier's default applies.",
    ];
  }
  const out = [];
  if (d.deny?.code === 'MOAT_ERR_ACCOUNT_BLOCKED') {
    out.push('Blocked: every request is refused with 403 account_blocked.');
  }
  if (d.deny?.code === 'MOAT_ERR_VERIFICATION_REQUIRED') {
    out.push('Verification required: requests get 403 verification_required.');
  }
  if (d.throttle !== undefined) {
    out.push(`Throttled to ${Math.round(d.throttle * 100)}% of the tier's limits.`);
  }
  if (d.degrade) {
    const parts = ['logprobs, top_logprobs and logit_bias removed'];
    if (d.degrade.maxTokens) parts.push(`max_tokens capped at ${d.degrade.maxTokens}`);
    if (d.degrade.maxN) parts.push(`n capped at ${d.degrade.maxN}`);
    if (d.degrade.stripReasoning) parts.push('reasoning removed from responses');
    out.push(`Degraded: ${parts.join('; ')}.`);
  }
  if (d.watermark) out.push('Responses are watermarked.');
  if (d.tier) out.push(`Tier pinned to ${d.tier} by an override.`);
  if (out.length === 0) out.push('Allowed: requests pass unchanged.');
  return out;
}

/** An override in words. */
export function overrideText(o) {
  if (!o) return null;
  const what = {
    allow: 'allow-listed (the engine cannot act)',
    block: 'blocked by an analyst',
    unblock: 'unblocked (the engine may not block or ask for verification)',
    tier: `tier pinned to ${o.tier}`,
    level: `level pinned to ${o.level}`,
  }[o.kind];
  return `${what ?? o.kind} — by ${o.by}, ${o.reason}`;
}

/** A reason: its plain-language detail, then the signal and its figure (a bar for shares). */
export function reasonItem(r) {
  const v = Number(r.value);
  const share = v >= 0 && v <= 1;
  let bar = null;
  if (share) {
    bar = h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { class: 'fill' }));
    bar.firstChild.style.width = `${Math.round(v * 100)}%`;
  }
  return h(
    'li',
    { class: 'reason' },
    h('span', { class: 'detail' }, r.detail || r.signal),
    h('span', { class: 'meta' }, bar, h('code', {}, r.signal), ` ${v.toFixed(2)}`),
  );
}
