import type { MoatEvent } from '../core/event.js';
import type { AccountVerdict, ClusterVerdict, Report } from '../core/verdict.js';

/** Messages from the live host to its engine worker. */
export type ToWorker =
  | { type: 'events'; events: MoatEvent[] }
  | { type: 'flush'; id: number }
  | { type: 'report'; id: number };

/** Messages from the engine worker to the live host. */
export type FromWorker =
  | { type: 'verdicts'; verdicts: (AccountVerdict | ClusterVerdict)[] }
  | { type: 'evicted'; accounts: (AccountVerdict & { events: number })[] }
  | { type: 'flushed'; id: number }
  | { type: 'report'; id: number; report: Report };
