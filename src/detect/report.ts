import type { Report, ReportAccount, ReportCluster } from '../core/verdict.js';
import type { Clusters } from './clusters.js';
import { round } from './risk.js';
import type { AccountState } from './state.js';

/**
 * Builds `moat.report.v1`: every account once (riskiest first) and every cluster of two or
 * more accounts. Alert times and counts are the ones recorded as the events streamed by.
 */
export function buildReport(
  events: number,
  accounts: Iterable<AccountState>,
  clusters: Clusters,
): Report {
  const rows: ReportAccount[] = [];
  for (const a of accounts) {
    const cluster = clusters.of(a);
    rows.push({
      account: a.id,
      risk: round(a.peak),
      verdict: a.level,
      events: a.events,
      first_alert_ts: a.firstAlertTs,
      events_before_alert: a.eventsBeforeAlert,
      cluster: cluster ? cluster.id : null,
      reasons: a.reasons,
    });
  }
  rows.sort((x, y) => y.risk - x.risk || (x.account < y.account ? -1 : 1));

  const groups: ReportCluster[] = [];
  for (const c of clusters.all()) {
    if (c.members.length < 2) continue;
    groups.push({
      id: c.id,
      accounts: c.members.map((m) => m.id),
      risk: round(c.peak),
      first_alert_ts: c.firstAlertTs,
      reasons: c.reasons,
    });
  }
  groups.sort((x, y) => y.risk - x.risk || (x.id < y.id ? -1 : 1));
  return { v: 1, events, accounts: rows, clusters: groups };
}
