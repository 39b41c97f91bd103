import type { Report, ReportAccount, VerdictLevel } from '../core/verdict.js';

const MAX_ROWS = 300;
const COLOURS: Record<VerdictLevel, string> = {
  allow: '#6a9f58',
  watch: '#d9a441',
  review: '#d9733f',
  block: '#c0392b',
};

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A bar chart of counts as inline SVG. */
function bars(title: string, labels: string[], values: number[], colours: string[]): string {
  const w = 420;
  const h = 160;
  const max = Math.max(1, ...values);
  const bw = (w - 40) / Math.max(1, values.length);
  const rects = values.map((v, i) => {
    const bh = Math.round((v / max) * (h - 40));
    const x = 30 + i * bw;
    return (
      `<rect x="${x + 2}" y="${h - 20 - bh}" width="${bw - 4}" height="${bh}" ` +
      `fill="${colours[i % colours.length]}"><title>${esc(labels[i])}: ${v}</title></rect>` +
      `<text x="${x + bw / 2}" y="${h - 6}" font-size="10" text-anchor="middle">` +
      `${esc(labels[i])}</text>` +
      `<text x="${x + bw / 2}" y="${h - 24 - bh}" font-size="10" text-anchor="middle">${v}</text>`
    );
  });
  return (
    `<figure><figcaption>${esc(title)}</figcaption><svg width="${w}" height="${h}" ` +
    `role="img" aria-label="${esc(title)}">${rects.join('')}</svg></figure>`
  );
}

function riskHistogram(accounts: ReportAccount[]): string {
  const bins = new Array<number>(10).fill(0);
  for (const a of accounts) bins[Math.min(9, Math.floor(a.risk * 10))]++;
  const labels = bins.map((_, i) => `${(i / 10).toFixed(1)}`);
  const colours = bins.map((_, i) =>
    i >= 7 ? COLOURS.block : i >= 4 ? COLOURS.watch : COLOURS.allow,
  );
  return bars('Accounts by risk', labels, bins, colours);
}

function verdictChart(accounts: ReportAccount[]): string {
  const levels: VerdictLevel[] = ['allow', 'watch', 'review', 'block'];
  const counts = levels.map((l) => accounts.filter((a) => a.verdict === l).length);
  return bars(
    'Accounts by verdict',
    levels,
    counts,
    levels.map((l) => COLOURS[l]),
  );
}

function riskBar(risk: number, level: VerdictLevel): string {
  const width = Math.round(risk * 100);
  return (
    `<svg width="100" height="10" aria-label="risk ${risk}"><rect width="100" height="10" ` +
    `fill="#eee"/><rect width="${width}" height="10" fill="${COLOURS[level]}"/></svg>`
  );
}

function accountRows(accounts: ReportAccount[]): string {
  return accounts
    .slice(0, MAX_ROWS)
    .map((a, i) => {
      const reasons = a.reasons.map((r) => `<li>${esc(r.detail)}</li>`).join('');
      const alert = a.first_alert_ts
        ? `${esc(a.first_alert_ts)}<br><small>after ${a.events_before_alert} events</small>`
        : '—';
      return (
        `<tr><td>${i + 1}</td><td><code>${esc(a.account)}</code></td>` +
        `<td>${a.risk.toFixed(2)} ${riskBar(a.risk, a.verdict)}</td>` +
        `<td class="${a.verdict}">${a.verdict}</td><td>${a.events}</td>` +
        `<td>${a.cluster ? esc(a.cluster) : '—'}</td><td>${alert}</td>` +
        `<td><ul>${reasons}</ul></td></tr>`
      );
    })
    .join('\n');
}

function clusterRows(report: Report): string {
  if (report.clusters.length === 0) return '<p>No linked accounts.</p>';
  const rows = report.clusters.slice(0, MAX_ROWS).map((c) => {
    const reasons = c.reasons.map((r) => `<li>${esc(r.detail)}</li>`).join('');
    const shown = c.accounts.slice(0, 8).map(esc).join(', ');
    const more = c.accounts.length > 8 ? ` and ${c.accounts.length - 8} more` : '';
    return (
      `<tr><td><code>${esc(c.id)}</code></td><td>${c.risk.toFixed(2)}</td>` +
      `<td>${c.accounts.length}</td><td>${c.first_alert_ts ? esc(c.first_alert_ts) : '—'}</td>` +
      `<td><small>${shown}${more}</small></td><td><ul>${reasons}</ul></td></tr>`
    );
  });
  return (
    '<table><thead><tr><th>cluster</th><th>risk</th><th>accounts</th><th>first alert</th>' +
    `<th>members</th><th>reasons</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`
  );
}

function hidden(count: number): string {
  if (count <= MAX_ROWS) return '';
  return `<p>${count - MAX_ROWS} lower-risk accounts not shown; see the JSON report.</p>`;
}

/**
 * A self-contained HTML page for a person to read a `moat.report.v1`: summary charts, ranked
 * accounts with reasons and alert times, and clusters. No external assets or scripts.
 */
export function renderHtml(report: Report, source: string): string {
  const alerted = report.accounts.filter((a) => a.first_alert_ts !== null).length;
  const style =
    'body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;' +
    'width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;' +
    'vertical-align:top}ul{margin:0;padding-left:1.2em}figure{display:inline-block;margin:0 2em ' +
    '1em 0}.block{color:#c0392b;font-weight:bold}.review{color:#d9733f}.watch{color:#b0841f}';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Moat report</title>
<style>${style}</style></head><body>
<h1>Moat detection report</h1>
<p>Log <code>${esc(source)}</code>: ${report.events} events, ${report.accounts.length} accounts,
${alerted} alerted, ${report.clusters.length} clusters of linked accounts.</p>
${riskHistogram(report.accounts)}${verdictChart(report.accounts)}
<h2>Accounts, riskiest first</h2>
<table><thead><tr><th>#</th><th>account</th><th>risk</th><th>verdict</th><th>events</th>
<th>cluster</th><th>first alert</th><th>reasons</th></tr></thead>
<tbody>${accountRows(report.accounts)}</tbody></table>
${hidden(report.accounts.length)}
<h2>Clusters</h2>
${clusterRows(report)}
</body></html>
`;
}
