import { writeFileSync } from 'node:fs';
import { MoatError } from '../core/errors.js';
import type { Report } from '../core/verdict.js';
import { analyzeFile } from '../detect/analyze.js';
import { loadDetectConfig } from '../detect/load-config.js';
import { renderHtml } from '../detect/html.js';
import { flag, intFlag, parseArgs } from './args.js';
import type { Command } from './commands.js';

const USAGE =
  'usage: moat analyze EVENTS.jsonl [--json R.json] [--html R.html] [--top N] [--config moat.yaml]';

/** `moat analyze`: offline detection over an event log, with the same engine as live. */
export const command: Command = {
  async run(argv) {
    const args = parseArgs(argv, ['json', 'html', 'top', 'config']);
    const file = args.positional[0];
    if (!file || args.positional.length > 1) throw new MoatError('MOAT_ERR_USAGE', USAGE);
    const top = intFlag(args, 'top', 10);
    const config = loadDetectConfig(flag(args, 'config'));

    const bar = process.stderr.isTTY ? progressBar() : undefined;
    const result = await analyzeFile(file, {
      config,
      onProgress: bar,
      onSkip: (s) => process.stderr.write(`\rmoat: skipped ${s.reason}\n`),
    }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new MoatError('MOAT_ERR_USAGE', `No such file: ${file}`);
      throw err;
    });
    if (bar) process.stderr.write('\n');

    const { report } = result;
    process.stdout.write(summary(report, top));
    process.stdout.write(
      `\n${report.events} events from ${report.accounts.length} accounts in ` +
        `${result.seconds.toFixed(1)} s; ${result.skipped} malformed line(s) skipped` +
        `${result.late ? `; ${result.late} event(s) too far out of order` : ''}` +
        `${result.embedded !== undefined ? `; ${result.embedded} prompt(s) embedded, ` : ''}` +
        `${result.embedFailed !== undefined ? `${result.embedFailed} left hashed` : ''}\n`,
    );
    const json = flag(args, 'json');
    if (json) writeFileSync(json, `${JSON.stringify(report, null, 1)}\n`);
    const html = flag(args, 'html');
    if (html) writeFileSync(html, renderHtml(report, file));
    return 0;
  },
};

function progressBar(): (read: number, total: number) => void {
  return (read, total) => {
    const share = total > 0 ? Math.min(1, read / total) : 1;
    const filled = Math.round(share * 30);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(30 - filled)}`;
    process.stderr.write(`\r[${bar}] ${(share * 100).toFixed(0).padStart(3)}%`);
  };
}

/** The riskiest accounts and clusters with their reasons, for the terminal. */
export function summary(report: Report, top: number): string {
  const lines: string[] = ['riskiest accounts:'];
  for (const a of report.accounts.slice(0, top)) {
    const alert = a.first_alert_ts
      ? ` alert ${a.first_alert_ts} after ${a.events_before_alert}`
      : '';
    const cluster = a.cluster ? ` cluster ${a.cluster}` : '';
    lines.push(
      `  ${a.account.padEnd(20)} risk ${a.risk.toFixed(2)} ${a.verdict.padEnd(6)} ` +
        `${a.events} events${cluster}${alert}`,
    );
    for (const r of a.reasons) lines.push(`      - ${r.detail}`);
  }
  lines.push('', 'riskiest clusters:');
  if (report.clusters.length === 0) lines.push('  (none)');
  for (const c of report.clusters.slice(0, top)) {
    lines.push(`  ${c.id.padEnd(8)} risk ${c.risk.toFixed(2)} ${c.accounts.length} accounts`);
    for (const r of c.reasons) lines.push(`      - ${r.detail}`);
  }
  return `${lines.join('\n')}\n`;
}
