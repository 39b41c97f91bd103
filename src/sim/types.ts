import type { MoatEvent } from '../core/event.js';
import type { Call, Sender } from './call.js';
import type { Identity } from './identity.js';
import type { Rng } from './rng.js';
import type { World } from './world.js';

/** One line of the labels file (DESIGN.md): the true role of an account. */
export interface Label {
  account: string;
  label: 'legit' | 'attack';
  profile?: string;
  campaign?: string;
}

/** Something that sends requests: a legitimate account, or a campaign's account(s). */
export interface Source {
  /** Virtual second of its next request, or null when it has finished. */
  nextS: number | null;
  /** Sends the request due at nextS (or nothing, when it decides not to) and advances. */
  fire(sim: SimContext): MoatEvent | null;
}

/** What sources may use from the running simulation. */
export interface SimContext {
  world: World;
  seed: string;
  /** Closed loop: whether the sender's next request would be refused (checked before each). */
  isStopped(sender: Sender): boolean;
  /** Registers a new account with its true role and returns who it sends as. */
  newSender(label: Omit<Label, 'account'>, identity: Identity, tier: string): Sender;
  rngFor(label: string): Rng;
  toEvent(call: Call, sender: Sender, t: number, rng: Rng): MoatEvent;
}
