// The activity chart: an inline SVG of an account's calls per time bucket, refused calls
// stacked on top of served ones. Built with the DOM API; no library, no markup strings.

import { duration, time } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 720;
const H = 160;
const PAD = { left: 44, right: 8, top: 10, bottom: 26 };

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = String(text);
  return el;
}

/** The chart for an `activity` object of the console API. */
export function activityChart(a) {
  const n = a.ok.length;
  const totals = a.ok.map((v, i) => v + a.refused[i]);
  const max = Math.max(1, ...totals);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const bw = plotW / n;
  const y = (v) => PAD.top + plotH - (v / max) * plotH;

  const refusedTotal = a.refused.reduce((x, v) => x + v, 0);
  const summary =
    `${a.events} calls from ${time(a.from)} to ${time(a.to)} UTC, ` +
    `${duration(a.bucketMs)} per bar, at most ${max} in one bar, ${refusedTotal} refused.`;

  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'chart',
    role: 'img',
    'aria-labelledby': 'chart-title chart-desc',
  });
  svg.append(s('title', { id: 'chart-title' }, 'Calls over time'));
  svg.append(s('desc', { id: 'chart-desc' }, summary));

  for (const v of [0, max / 2, max]) {
    const yy = y(v);
    svg.append(s('line', { x1: PAD.left, x2: W - PAD.right, y1: yy, y2: yy, class: 'gridline' }));
    const label = Number.isInteger(v) ? v : v.toFixed(1);
    svg.append(
      s('text', { x: PAD.left - 6, y: yy + 4, class: 'axis', 'text-anchor': 'end' }, label),
    );
  }

  totals.forEach((total, i) => {
    if (total === 0) return;
    const x = PAD.left + i * bw + 1;
    const w = Math.max(1, bw - 2);
    const okTop = y(a.ok[i]);
    svg.append(s('rect', { x, y: okTop, width: w, height: y(0) - okTop, class: 'ok' }));
    if (a.refused[i] > 0) {
      const top = y(total);
      svg.append(s('rect', { x, y: top, width: w, height: okTop - top, class: 'refused' }));
    }
    const start = new Date(Date.parse(a.from) + i * a.bucketMs);
    const tip = `${time(start.toISOString())}: ${a.ok[i]} served, ${a.refused[i]} refused`;
    svg.lastChild.append(s('title', {}, tip));
  });

  const base = H - 8;
  svg.append(s('text', { x: PAD.left, y: base, class: 'axis' }, time(a.from)));
  svg.append(
    s('text', { x: W - PAD.right, y: base, class: 'axis', 'text-anchor': 'end' }, time(a.to)),
  );
  return { svg, summary };
}
