// The console's entry point: sign-in, navigation by URL hash, and error handling for views.

import { ApiError, analyst, get, signIn, signOut, token } from './api.js';
import { accountView } from './account.js';
import { accountsView } from './accounts.js';
import { clustersView, overridesView } from './clusters.js';
import { h, replace } from './dom.js';
import { reviewsView } from './reviews.js';
import { flash } from './status.js';

const main = document.getElementById('main');

/** How often the console looks for policy changes made since the view was drawn. */
const POLL_MS = 15_000;
/** Audit entries read per look; more new ones than this show as "50 or more". */
const POLL_LIMIT = 50;
/** Newest audit entry when the view was drawn: its id, null when there was none, or unknown. */
let seenAudit;

/** `#/account/acct_1` -> ['account', 'acct_1']; the empty hash means the accounts list. */
function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return parts[0] ? parts : ['accounts'];
}

async function render() {
  if (!token()) return loginView();
  showChrome(true);

  const [section, arg] = route();
  for (const a of document.querySelectorAll('#nav a')) {
    const here =
      a.dataset.section === section || (section === 'account' && a.dataset.section === 'accounts');
    if (here) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }

  main.setAttribute('aria-busy', 'true');
  showLive(0);
  seenAudit = undefined; // until this view is drawn; a view that fails leaves the next look to set it
  // Read before the view, so a change made while it loads is announced rather than missed.
  const mark = newestAudit();
  try {
    if (section === 'account' && arg) await accountView(main, arg);
    else if (section === 'clusters') await clustersView(main, arg);
    else if (section === 'reviews') await reviewsView(main, arg || 'open');
    else if (section === 'overrides') await overridesView(main);
    else await accountsView(main);
    seenAudit = await mark;
    void updateOpenCount();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      signOut();
      return loginView('The admin token was refused. Enter it again.');
    }
    replace(main, h('h1', {}, 'Something went wrong'), h('p', { class: 'error' }, err.message));
  } finally {
    main.removeAttribute('aria-busy');
  }
}

async function updateOpenCount() {
  const el = document.getElementById('open-count');
  try {
    const { reviews } = await get('reviews?status=open&limit=1000');
    el.textContent = reviews.length ? `(${reviews.length})` : '';
  } catch {
    el.textContent = '';
  }
}

async function newestAudit() {
  try {
    const { alerts } = await get('alerts?limit=1');
    return alerts.length ? alerts[0].id : null;
  } catch {
    return undefined;
  }
}

/** Counts the policy changes made since the view was drawn and offers to show them. */
async function poll() {
  if (!token() || document.hidden) return;
  if (seenAudit === undefined) {
    seenAudit = await newestAudit();
    return;
  }
  try {
    const { alerts } = await get(`alerts?limit=${POLL_LIMIT}`);
    const at = alerts.findIndex((a) => a.id === seenAudit);
    showLive(at >= 0 ? at : alerts.length, at < 0 && alerts.length >= POLL_LIMIT);
    if (at !== 0) void updateOpenCount();
  } catch {
    // The next look tries again; a refused token shows at the next navigation.
  }
}

function showLive(n, more = false) {
  const box = document.getElementById('live');
  box.hidden = n === 0;
  const what = n === 1 ? 'policy change' : 'policy changes';
  document.getElementById('live-text').textContent =
    `${more ? `${n} or more` : n} new ${what} since this view was loaded.`;
}

function showChrome(on) {
  if (!on) showLive(0);
  document.getElementById('nav').hidden = !on;
  document.getElementById('signout').hidden = !on;
  document.getElementById('refresh').hidden = !on;
  document.getElementById('who').textContent = on ? `signed in as ${analyst()}` : '';
}

function loginView(message) {
  showChrome(false);
  const secret = h('input', { id: 'token', type: 'password', required: true, autocomplete: 'off' });
  const name = h('input', { id: 'analyst', type: 'text', autocomplete: 'username' });
  const form = h(
    'form',
    { class: 'login', 'aria-labelledby': 'h-login' },
    h('h1', { id: 'h-login' }, 'Sign in'),
    h(
      'p',
      { class: 'muted' },
      'The admin token is kept in this tab only and sent to the admin API.',
    ),
    message ? h('p', { class: 'error', role: 'alert' }, message) : null,
    h('label', { for: 'token' }, 'Admin token'),
    secret,
    h('label', { for: 'analyst' }, 'Your name (for the audit trail)'),
    name,
    h('button', { type: 'submit' }, 'Open console'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!secret.value) return secret.focus();
    signIn(secret.value, name.value.trim());
    void render();
  });
  replace(main, form);
  secret.focus();
}

document.getElementById('refresh').addEventListener('click', () => void render());
document.getElementById('live-show').addEventListener('click', () => void render());
setInterval(() => void poll(), POLL_MS);
document.getElementById('signout').addEventListener('click', () => {
  signOut();
  flash('Signed out.');
  void render();
});
window.addEventListener('moat:reviewed', () => void updateOpenCount());
window.addEventListener('hashchange', () => {
  void render().then(() => main.focus({ preventScroll: true }));
});
void render();
