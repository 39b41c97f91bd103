import type { DetectBenchResult } from './detect.js';

const pct = (x: number | null) =>
  x === null || Number.isNaN(x) ? '-' : `${(x * 100).toFixed(1)}%`;
const num = (x: number | null, d = 3) => (x === null || Number.isNaN(x) ? '-' : x.toFixed(d));

/** The benchmark result as plain-text tables for the terminal and the docs. */
export function detectTable(r: DetectBenchResult): string {
  const lines: string[] = [];
  lines.push(
    '| scope | legit / attack accounts | ROC-AUC | recall @0.1% FPR | recall @1% FPR ' +
      '| campaign-averaged recall @0.1% FPR | alert FPR (held-out thresholds) | alert recall |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
  const row = (name: string, h: DetectBenchResult['overall']) =>
    lines.push(
      `| ${name} | ${h.legit_accounts} / ${h.attack_accounts} | ${num(h.auc)} | ` +
        `${pct(h.recall_at_0_1pct)} | ${pct(h.recall_at_1pct)} | ` +
        `${pct(h.campaign_recall_at_0_1pct)} | ${pct(h.alert_fpr)} | ` +
        `${pct(h.alert_recall)} |`,
    );
  for (const [name, h] of Object.entries(r.scenarios)) row(name, h);
  row('overall', r.overall);

  lines.push('', '| profile | hard negative | accounts | FPR (alerted) | blocked |');
  lines.push('| --- | --- | --- | --- | --- |');
  const profiles = Object.entries(r.profiles).sort(
    ([, a], [, b]) => Number(a.hard_negative) - Number(b.hard_negative),
  );
  for (const [name, p] of profiles) {
    const hn = p.hard_negative ? 'yes' : 'no';
    lines.push(`| ${name} | ${hn} | ${p.accounts} | ${pct(p.fpr)} | ${pct(p.blocked)} |`);
  }

  lines.push(
    '',
    '| campaign | kind | accounts | events | harvested before stop | alerted | blocked ' +
      '| events before alert (median) | recall @0.1% FPR |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, c] of Object.entries(r.campaigns)) {
    lines.push(
      `| ${name} | ${c.kind} | ${c.accounts} | ${c.events} | ${pct(c.harvested_before_stop)} ` +
        `of ${c.target_size} | ${pct(c.alerted)} | ${pct(c.blocked)} | ` +
        `${c.events_before_alert ?? 'never'} | ${pct(c.recall_at_0_1pct)} |`,
    );
  }

  lines.push('', '| goal | measured | met |', '| --- | --- | --- |');
  for (const g of r.goals) {
    const m =
      g.measured === null ? (g.note ?? '-') : g.measured > 1 ? String(g.measured) : num(g.measured);
    lines.push(`| ${g.goal} | ${m} | ${g.met ? 'yes' : 'no'} |`);
  }
  return lines.join('\n');
}
