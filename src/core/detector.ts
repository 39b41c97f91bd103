import type { MoatEvent } from './event.js';
import type { AccountVerdict, ClusterVerdict, Report } from './verdict.js';

/**
 * The detection engine as the rest of Moat sees it. The same implementation runs live (fed by
 * the gateway's event queue) and offline (fed by `moat analyze` from a log), so both reach the
 * same verdicts on the same events.
 */
export interface Detector {
  /** Updates the account's and its cluster's state with one event, in event-time order. */
  ingest(event: MoatEvent): void;
  /** The current verdict of an account, in constant time; undefined if never seen. */
  verdict(account: string): AccountVerdict | undefined;
  /** Called whenever an account's or cluster's verdict level changes. */
  onVerdict(listener: (v: AccountVerdict | ClusterVerdict) => void): void;
  /** The `moat.report.v1` view of everything ingested so far. */
  report(): Report;
}
