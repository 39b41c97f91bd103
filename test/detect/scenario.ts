import type { MoatEvent } from '../../src/core/event.js';
import { T0, harvestAccount, legitAccount, merge } from './fixtures.js';

/** A small mixed log: legitimate accounts, a bulk harvester and a 10-account hydra. */
export function mixedLog(): MoatEvent[] {
  const legit = Array.from({ length: 20 }, (_, i) => legitAccount(`legit${i}`, 80, 300 + i));
  const bulk = harvestAccount('bulk', 150, 1, {
    startMs: T0 + 3_600_000,
    gapMs: 15_000,
    ip: '192.0.2.10',
    userAgent: 'curl/8.5.0',
    signupMs: T0 - 240 * 3_600_000,
  });
  const hydra = Array.from({ length: 10 }, (_, i) =>
    harvestAccount(`hyd${i}`, 25, 40 + i, {
      startMs: T0 + i * 120_000,
      gapMs: 600_000,
      payment: 'pm_h',
    }),
  );
  return merge(...legit, bulk, ...hydra);
}

/** The log as JSONL text. */
export function toJsonl(events: MoatEvent[]): string {
  return `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;
}
