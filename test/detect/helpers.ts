import type { MoatEvent } from '../../src/core/event.js';
import type { DetectConfig } from '../../src/detect/config.js';
import { DetectionEngine } from '../../src/detect/engine.js';
import type { Profile } from '../../src/detect/profile.js';
import type { Finding, Signal } from '../../src/detect/signals/signal.js';

/** Runs the engine over events and reads one signal on one account's profile. */
export function readSignal(
  signal: Signal,
  events: MoatEvent[],
  account: string,
  config: Partial<DetectConfig> = {},
): Finding | null {
  const engine = new DetectionEngine({ config: { link: false, ...config } });
  for (const e of events) engine.ingest(e);
  const profile = engine.accounts.get(account)?.profile as Profile;
  return signal.evaluate(profile, engine.signalContext);
}

/** The score of a finding, 0 when the signal had nothing to say. */
export function scoreOf(f: Finding | null): number {
  return f ? f.score : 0;
}
