// One account: why it is where it is, what it did, what the policy does to it now, who
// changed what, and the controls to override it.

import { call, get, seg } from './api.js';
import { activityChart } from './chart.js';
import { clusterLink, count, h, levelBadge, replace, riskBar, table, time } from './dom.js';
import { reviewCard } from './reviews.js';
import { flash } from './status.js';
import { actionsText, decisionLines, overrideText, reasonItem } from './words.js';

/** Renders one account's page into `main`. */
export async function accountView(main, id) {
  const [a, tiers, keys] = await Promise.all([
    get(`console/accounts/${seg(id)}`),
    get('tiers').catch(() => ({ tiers: {}, policy: {} })),
    get(`keys?account=${seg(id)}`).catch(() => null),
  ]);
  // After a change the page is redrawn; focus goes back to the top of the content.
  const redraw = async () => {
    await accountView(main, id);
    main.focus({ preventScroll: true });
  };
  const t = a.traffic;

  replace(
    main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/accounts' }, '← Accounts')),
    h('h1', { class: 'mono' }, a.account),
    h(
      'dl',
      { class: 'facts' },
      fact('Verdict', levelBadge(a.level)),
      fact('Risk', riskBar(a.risk)),
      fact('Tier', tierText(a)),
      fact('Cluster', a.cluster ? [clusterLink(a.cluster), ' ', levelBadge(a.clusterLevel)] : '—'),
      fact('Events', count(t?.events)),
      fact('Refused', count(t?.refused)),
      fact('Tokens in / out', t ? `${count(t.inputTokens)} / ${count(t.outputTokens)}` : '—'),
      fact('First alert', time(a.firstAlertTs)),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'h-action' },
      h('h2', { id: 'h-action' }, 'Current action'),
      h(
        'ul',
        { class: 'plain' },
        decisionLines(a.decision).map((l) => h('li', {}, l)),
      ),
      a.decision ? h('p', { class: 'muted small' }, 'Rule ', h('code', {}, a.decision.rule)) : null,
      a.override ? h('p', { class: 'override' }, 'Override: ', overrideText(a.override)) : null,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'h-why' },
      h('h2', { id: 'h-why' }, 'Why'),
      whyCaption(a),
      a.reasons.length
        ? h('ul', { class: 'reasons' }, a.reasons.map(reasonItem))
        : h('p', { class: 'empty' }, 'No signal has fired for this account.'),
    ),
    activitySection(a),
    a.reviews.length
      ? h(
          'section',
          { class: 'panel', 'aria-labelledby': 'h-reviews' },
          h('h2', { id: 'h-reviews' }, 'Waiting for review'),
          a.reviews.map((r) => reviewCard(r, redraw)),
        )
      : null,
    overrideForm(a, Object.keys(tiers.tiers ?? {}), redraw),
    keys ? keysSection(keys.keys, redraw) : null,
    auditSection(a.audit),
  );
}

function whyCaption(a) {
  if (!a.reasonsFrom) return null;
  const from = `Signals behind the alert of ${time(a.reasonsFrom.ts)} UTC (${a.reasonsFrom.rule}).`;
  if (!a.dismissed) return h('p', { class: 'muted small' }, from);
  return h(
    'p',
    { class: 'override' },
    `${from} Dismissed as a false positive by ${a.dismissed.by} at ${time(a.dismissed.ts)} UTC.`,
  );
}

function tierText(a) {
  const tier = a.tier ?? '—';
  return a.override?.kind === 'tier' ? `${tier}, pinned to ${a.override.tier}` : tier;
}

function fact(term, value) {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}

function activitySection(a) {
  const parts = [h('h2', { id: 'h-activity' }, 'Recent activity')];
  if (a.activity) {
    const { svg, summary } = activityChart(a.activity);
    parts.push(h('figure', { class: 'chart-wrap' }, svg, h('figcaption', {}, summary)));
  } else {
    parts.push(h('p', { class: 'empty' }, 'No stored events for this account.'));
  }

  parts.push(h('h3', {}, 'Retained prompts'));
  if (a.prompts.length) {
    parts.push(
      h(
        'ol',
        { class: 'prompts' },
        a.prompts.map((p) =>
          h('li', {}, h('span', { class: 'muted small' }, time(p.ts)), ' ', p.text),
        ),
      ),
    );
  } else {
    parts.push(h('p', { class: 'muted' }, "Prompt text is not retained for this account's tier."));
  }
  return h('section', { class: 'panel', 'aria-labelledby': 'h-activity' }, parts);
}

function overrideForm(a, tiers, done) {
  const reason = h('input', { id: 'ov-reason', type: 'text', required: true, autocomplete: 'off' });
  const tier = h(
    'select',
    { id: 'ov-tier', 'aria-label': 'Tier to pin' },
    tiers.map((t) => h('option', { value: t }, t)),
  );

  const put = async (body) => {
    if (!reason.value.trim()) {
      flash('Give a reason: it goes in the audit trail.', true);
      reason.focus();
      return;
    }
    try {
      await call('PUT', `overrides/${seg(a.account)}`, { ...body, reason: reason.value.trim() });
      flash(`Override set on ${a.account}.`);
      await done();
    } catch (err) {
      flash(err.message, true);
    }
  };
  const remove = async () => {
    try {
      await call('DELETE', `overrides/${seg(a.account)}`);
      flash(`Override removed from ${a.account}.`);
      await done();
    } catch (err) {
      flash(err.message, true);
    }
  };

  const button = (label, onclick, cls) =>
    h('button', { type: 'button', onclick, class: cls }, label);
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'h-override' },
    h('h2', { id: 'h-override' }, 'Override'),
    h(
      'p',
      { class: 'muted small' },
      'An override wins over the engine until removed; each is audited.',
    ),
    h('div', { class: 'controls' }, h('label', { for: 'ov-reason' }, 'Reason'), reason),
    h(
      'div',
      { class: 'controls' },
      button('Allow-list', () => put({ kind: 'allow' })),
      button('Block', () => put({ kind: 'block' }), 'danger'),
      button('Unblock', () => put({ kind: 'unblock' })),
      tiers.length
        ? [tier, button('Pin tier', () => put({ kind: 'tier', tier: tier.value }))]
        : null,
      a.override ? button('Remove override', remove, 'quiet') : null,
    ),
  );
}

function keysSection(keys, done) {
  const revoke = (k) => {
    const button = h('button', { type: 'button', class: 'quiet' }, 'Revoke');
    button.addEventListener('click', async () => {
      if (button.dataset.armed !== 'yes') {
        button.dataset.armed = 'yes';
        button.textContent = `Confirm revoking ${k.id}`;
        return;
      }
      try {
        await call('DELETE', `keys/${seg(k.id)}`);
        flash(`Key ${k.id} revoked.`);
        await done();
      } catch (err) {
        flash(err.message, true);
      }
    });
    return button;
  };
  const rows = keys.map((k) => [
    h('code', {}, k.id),
    k.tier,
    h('span', { class: 'nowrap' }, time(k.createdAt)),
    k.revokedAt ? `revoked ${time(k.revokedAt)}` : 'active',
    k.revokedAt ? '' : revoke(k),
  ]);
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'h-keys' },
    h('h2', { id: 'h-keys' }, 'API keys'),
    rows.length
      ? table(null, ['Key', 'Tier', 'Created', 'State', ''], rows)
      : h('p', { class: 'empty' }, 'No key of this gateway belongs to the account.'),
  );
}

function auditSection(audit) {
  const rows = audit.map((e) => [
    h('span', { class: 'nowrap' }, time(e.ts)),
    levelBadge(e.verdict),
    h('code', {}, e.rule),
    actionsText(e.actions),
    e.risk.toFixed(2),
    e.by,
  ]);
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'h-audit' },
    h('h2', { id: 'h-audit' }, 'Audit trail'),
    rows.length
      ? table(null, ['Time', 'Level', 'Rule', 'Actions', 'Risk', 'By'], rows)
      : h('p', { class: 'empty' }, 'Nothing recorded yet.'),
  );
}
