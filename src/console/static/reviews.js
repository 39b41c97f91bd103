// The review queue: each automatic action waits for an analyst to confirm it, dismiss it as a
// false positive (the account goes back to allow and calibration learns from it) or change it.

import { call, get, seg } from './api.js';
import { accountLink, clusterLink, h, levelBadge, replace, riskBar, time } from './dom.js';
import { actionsText } from './words.js';
import { flash } from './status.js';

const STATUSES = ['open', 'confirmed', 'dismissed', 'changed'];

/** What "change" can turn an action into (the admin API's override kinds). */
export const CHANGES = [
  ['block', 'Block'],
  ['allow', 'Allow-list'],
  ['unblock', 'Unblock'],
  ['level:watch', 'Set level: watch'],
  ['level:review', 'Set level: review'],
];

/** `block` -> { kind: 'block' }; `level:watch` -> { kind: 'level', level: 'watch' }. */
export function overrideOf(value) {
  const [kind, level] = value.split(':');
  return level ? { kind, level } : { kind };
}

/** Confirm / dismiss / change controls for one open item; `done` runs after a decision. */
export function reviewControls(item, done) {
  const id = `note-${item.id}`;
  const note = h('input', { id, type: 'text', placeholder: 'optional', class: 'note-input' });
  const change = h(
    'select',
    { 'aria-label': `New action for ${item.account}` },
    CHANGES.map(([v, t]) => h('option', { value: v }, t)),
  );

  const decide = async (decision, extra = {}) => {
    const body = { decision, ...extra };
    if (note.value.trim()) body.note = note.value.trim();
    try {
      const r = await call('POST', `reviews/${seg(item.id)}`, body);
      flash(`Review ${item.id}: ${r.status}.`);
      window.dispatchEvent(new Event('moat:reviewed'));
      await done();
    } catch (err) {
      flash(err.message, true);
    }
  };

  const canChange = item.account !== '*';
  return h(
    'div',
    { class: 'controls' },
    h('label', { for: id }, 'Note'),
    note,
    h('button', { type: 'button', onclick: () => decide('confirm') }, 'Confirm'),
    h(
      'button',
      { type: 'button', class: 'dismiss', onclick: () => decide('dismiss') },
      'Dismiss (false positive)',
    ),
    canChange ? change : null,
    canChange
      ? h(
          'button',
          {
            type: 'button',
            onclick: () => decide('change', { override: overrideOf(change.value) }),
          },
          'Change',
        )
      : null,
  );
}

/** One review item as a card: who, why, what was done, and the decision controls. */
export function reviewCard(item, done) {
  const reasons = item.reasons.slice(0, 3).map((r) => h('li', {}, r.detail || r.signal));
  return h(
    'article',
    { class: 'card review', 'data-review': item.id },
    h(
      'header',
      {},
      levelBadge(item.verdict),
      ' ',
      accountLink(item.account),
      item.cluster ? [' in ', clusterLink(item.cluster)] : null,
      h('span', { class: 'muted small' }, ` · ${time(item.ts)} · `, h('code', {}, item.rule)),
      h('span', { class: 'spacer' }),
      riskBar(item.risk),
    ),
    h('p', {}, h('span', { class: 'muted' }, 'Action taken: '), actionsText(item.actions)),
    reasons.length ? h('ul', { class: 'plain' }, reasons) : null,
    item.status === 'open'
      ? reviewControls(item, done)
      : h(
          'p',
          { class: 'muted' },
          `${item.status} by ${item.analyst ?? '?'} at ${time(item.resolvedTs)}`,
          item.note ? ` — ${item.note}` : '',
        ),
  );
}

/** Renders the review queue, filtered by status. */
export async function reviewsView(main, status = 'open') {
  const q = status === 'all' ? '' : `&status=${seg(status)}`;
  const { reviews } = await get(`reviews?limit=500${q}`);
  const select = h(
    'select',
    { id: 'review-status' },
    [...STATUSES, 'all'].map((s) => h('option', { value: s, selected: s === status }, s)),
  );
  select.addEventListener('change', () => {
    location.hash = `#/reviews/${select.value}`;
  });

  const redraw = async () => {
    await reviewsView(main, status);
    main.focus({ preventScroll: true });
  };
  replace(
    main,
    h('h1', {}, 'Review queue'),
    h(
      'p',
      { class: 'lede' },
      'Confirm keeps an action. Dismiss marks it a false positive: the account returns to ' +
        'allow and the dismissal becomes a calibration label. Change replaces it with an override.',
    ),
    h('div', { class: 'toolbar' }, h('label', { for: 'review-status' }, 'Status'), select),
    reviews.length
      ? h(
          'div',
          { class: 'stack' },
          reviews.map((r) => reviewCard(r, redraw)),
        )
      : h('p', { class: 'empty' }, `No ${status === 'all' ? '' : `${status} `}review items.`),
  );
}
