// Clusters of linked accounts: their level and risk, summed traffic, and member accounts.

import { call, get, seg } from './api.js';
import { flash } from './status.js';
import { accountLink, count, h, levelBadge, replace, riskBar, table, time } from './dom.js';

/** Renders every cluster; `focus` scrolls to and highlights one. */
export async function clustersView(main, focus) {
  const { clusters } = await get('console/clusters');
  replace(
    main,
    h('h1', {}, 'Clusters'),
    h(
      'p',
      { class: 'lede' },
      "Accounts linked by shared infrastructure, payment or behaviour. A cluster's verdict " +
        'applies to all its accounts, including ones that join later.',
    ),
    clusters.length
      ? h(
          'div',
          { class: 'stack' },
          clusters.map((c) => clusterCard(c, c.id === focus)),
        )
      : h('p', { class: 'empty' }, 'No cluster has formed.'),
  );

  const target = focus && document.getElementById(`cluster-${focus}`);
  if (target) {
    target.scrollIntoView({ block: 'start' });
    target.focus();
  }
}

function clusterCard(c, focused) {
  const members = c.members.map((m) => [
    accountLink(m.account),
    levelBadge(m.level),
    riskBar(m.risk),
    h('span', { class: 'num' }, count(m.events)),
  ]);
  return h(
    'article',
    { class: focused ? 'card focused' : 'card', id: `cluster-${c.id}`, tabindex: '-1' },
    h(
      'header',
      {},
      levelBadge(c.level),
      ' ',
      h('strong', { class: 'mono' }, c.id),
      h('span', { class: 'spacer' }),
      riskBar(c.risk),
    ),
    h(
      'dl',
      { class: 'facts' },
      fact('Accounts', count(c.accounts.length)),
      fact('Events', count(c.events)),
      fact('Refused', count(c.refused)),
      fact('Tokens in / out', `${count(c.inputTokens)} / ${count(c.outputTokens)}`),
      fact('First alert', time(c.firstAlertTs)),
    ),
    c.reasons.length
      ? h(
          'ul',
          { class: 'plain' },
          c.reasons.map((r) => h('li', {}, r.detail || r.signal)),
        )
      : null,
    h(
      'details',
      { open: focused || c.members.length <= 12 },
      h('summary', {}, `${c.members.length} member accounts`),
      table(null, ['Account', 'Verdict', 'Risk', 'Events'], members),
    ),
  );
}

function fact(term, value) {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}

/** Renders the standing overrides with a control to remove each. */
export async function overridesView(main) {
  const { overrides } = await get('overrides');
  const rows = overrides.map((o) => [
    accountLink(o.account),
    o.kind + (o.tier ? ` ${o.tier}` : '') + (o.level ? ` ${o.level}` : ''),
    o.reason,
    o.by,
    h('span', { class: 'nowrap' }, time(o.ts)),
    h(
      'button',
      {
        type: 'button',
        class: 'quiet',
        'aria-label': `Remove override of ${o.account}`,
        onclick: async () => {
          try {
            await call('DELETE', `overrides/${seg(o.account)}`);
            flash(`Override removed from ${o.account}.`);
            await overridesView(main);
          } catch (err) {
            flash(err.message, true);
          }
        },
      },
      'Remove',
    ),
  ]);
  replace(
    main,
    h('h1', {}, 'Overrides'),
    h(
      'p',
      { class: 'lede' },
      "Analysts' standing instructions; each wins over the engine. " +
        "Set them from an account's page.",
    ),
    rows.length
      ? table(null, ['Account', 'Override', 'Reason', 'By', 'Since', ''], rows)
      : h('p', { class: 'empty' }, 'No override is set.'),
  );
}
