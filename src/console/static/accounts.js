// The accounts ranked by risk: verdict, tier, cluster, traffic and first alert at a glance.

import { get } from './api.js';
import { accountLink, clusterLink, count, h, levelBadge, replace, riskBar, time } from './dom.js';

const SHOWN = 300;

/** Renders the ranked accounts into `main`. */
export async function accountsView(main) {
  const data = await get('console/accounts');
  const search = h('input', {
    id: 'filter',
    type: 'search',
    placeholder: 'account, cluster or tier',
    autocomplete: 'off',
  });
  const alertedOnly = h('input', { id: 'alerted', type: 'checkbox' });
  const body = h('div');
  const note = data.traffic ? null : h('p', { class: 'note' }, 'No event store: traffic unknown.');

  const draw = () => {
    const q = search.value.trim().toLowerCase();
    const rows = data.accounts.filter(
      (a) =>
        (!alertedOnly.checked || a.level !== 'allow' || a.firstAlertTs) &&
        (!q || [a.account, a.cluster, a.tier].some((v) => v && v.toLowerCase().includes(q))),
    );
    replace(body, rankedTable(rows.slice(0, SHOWN), rows.length));
  };
  search.addEventListener('input', draw);
  alertedOnly.addEventListener('change', draw);

  const riskiest =
    data.total > data.accounts.length
      ? ` The ${count(data.accounts.length)} riskiest are loaded; the filter searches those.`
      : '';
  replace(
    main,
    h('h1', {}, 'Accounts by risk'),
    h(
      'p',
      { class: 'lede' },
      `${count(data.total)} accounts, ${count(data.alerted)} above allow.${riskiest}`,
    ),
    note,
    h(
      'div',
      { class: 'toolbar' },
      h('label', { for: 'filter' }, 'Filter'),
      search,
      h('label', { class: 'check' }, alertedOnly, ' alerted only'),
    ),
    body,
  );
  draw();
}

function rankedTable(rows, total) {
  if (rows.length === 0) return h('p', { class: 'empty' }, 'No account matches.');
  const table = h(
    'table',
    { class: 'grid', id: 'ranked' },
    h('caption', { class: 'sr' }, 'Accounts ranked by risk'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        [
          '#',
          'Account',
          'Risk',
          'Verdict',
          'Tier',
          'Cluster',
          'Events',
          'First alert',
          'Top reason',
        ].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((a, i) =>
        h(
          'tr',
          { class: a.level === 'allow' ? '' : `row-${a.level}` },
          h('td', { class: 'num muted' }, i + 1),
          h(
            'td',
            {},
            accountLink(a.account),
            a.override
              ? h('span', { class: 'tag', title: 'override' }, `override: ${a.override}`)
              : null,
          ),
          h('td', {}, riskBar(a.risk)),
          h('td', {}, levelBadge(a.level)),
          h('td', {}, a.tier ?? '—'),
          h('td', {}, clusterLink(a.cluster)),
          h('td', { class: 'num' }, count(a.events)),
          h('td', { class: 'nowrap' }, time(a.firstAlertTs)),
          h('td', { class: 'reason-cell' }, a.topReason ?? ''),
        ),
      ),
    ),
  );
  const more =
    total > rows.length
      ? h('p', { class: 'note' }, `Showing ${rows.length} of ${total}; filter to narrow.`)
      : null;
  return [table, more];
}
