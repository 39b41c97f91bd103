// DOM helpers. Every value reaches the page as a text node or an attribute set through the
// DOM API, never as markup, so data from the API cannot inject HTML or script.

/**
 * Builds an element: `h('a', { href: '#/x', class: 'link' }, 'text', child)`. Attributes
 * starting with `on` are listeners; `null`, `undefined` and `false` children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

/** Appends children (nodes, strings, numbers, nested arrays) as nodes and text nodes. */
export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces everything inside an element. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** A UTC time as `2026-11-30 15:10:00`, or a dash. */
export function time(ts) {
  if (!ts) return '—';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return String(ts);
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** A count with thousands separators, or a dash when unknown. */
export function count(n) {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US');
}

/** A risk in [0, 1] as `0.97`. */
export function risk(r) {
  return (Number(r) || 0).toFixed(2);
}

/** A duration in ms as `30 s`, `5 min`, `2 h`, `1 d`. */
export function duration(ms) {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}

/** A verdict level as a badge. */
export function levelBadge(level) {
  return h('span', { class: `badge level-${level}` }, level ?? 'allow');
}

/** A small horizontal bar for a risk, with the figure beside it. */
export function riskBar(r) {
  const pct = Math.round(Math.max(0, Math.min(1, Number(r) || 0)) * 100);
  const bar = h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { class: 'fill' }));
  bar.firstChild.style.width = `${pct}%`;
  if (r >= 0.75) bar.classList.add('high');
  else if (r >= 0.5) bar.classList.add('mid');
  return h('span', { class: 'risk' }, bar, h('span', { class: 'num' }, risk(r)));
}

/** A link to an account's page. */
export function accountLink(id) {
  if (id === '*') return h('span', { class: 'muted' }, 'whole cluster');
  return h('a', { href: `#/account/${encodeURIComponent(id)}`, class: 'mono' }, id);
}

/** A link to the clusters view, focused on one cluster. */
export function clusterLink(id) {
  if (!id) return '—';
  return h('a', { href: `#/clusters/${encodeURIComponent(id)}`, class: 'mono' }, id);
}

/** A table from column headings and rows of cells. */
export function table(caption, headings, rows, opts = {}) {
  return h(
    'table',
    { class: opts.class ?? 'grid' },
    caption ? h('caption', {}, caption) : null,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headings.map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((cells) =>
        h(
          'tr',
          {},
          cells.map((c) => h('td', {}, c)),
        ),
      ),
    ),
  );
}
