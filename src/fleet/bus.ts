import type { Redis } from 'ioredis';
import { newId } from '../core/ids.js';
import { log } from '../core/log.js';
import type { PolicyEngine, PolicyInput } from '../policy/engine.js';
import { redisReady } from './redis.js';

const MAX_OUTBOX = 10_000;

interface Envelope {
  from: string;
  input: PolicyInput;
}

/** The snapshot field an input updates (null: the input removes `field`). */
function snapshotField(input: PolicyInput): { field: string; remove: boolean } {
  if (input.type === 'verdict') {
    const v = input.verdict;
    return { field: 'accounts' in v ? `c:${v.id}` : `v:${v.account}`, remove: false };
  }
  if (input.type === 'override') return { field: `o:${input.override.account}`, remove: false };
  if (input.type === 'unoverride') return { field: `o:${input.account}`, remove: true };
  if (input.cluster) return { field: `c:${input.cluster}`, remove: true };
  return { field: `v:${input.account}`, remove: true };
}

/**
 * Carries verdicts, overrides and resets between replicas over Redis pub/sub, so a verdict
 * reached on one replica applies on all of them within a second. It also keeps the latest
 * of each in a Redis hash, which a replica that starts later loads first. What cannot be
 * published while Redis is away waits in a bounded outbox and goes out on reconnection.
 */
export class PolicyBus {
  readonly replicaId = newId('rep');
  private readonly outbox: Envelope[] = [];
  private readonly channel: string;
  private readonly stateKey: string;
  private resyncing = false;
  /** Inputs received from other replicas, for tests and metrics. */
  received = 0;

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly engine: PolicyEngine,
    prefix: string,
  ) {
    this.channel = `${prefix}:policy`;
    this.stateKey = `${prefix}:policy:state`;
  }

  /**
   * Subscribes, loads the shared snapshot, and starts sending this replica's inputs. After a
   * reconnection the snapshot is loaded again: whatever was published while this replica was
   * not subscribed is in it.
   */
  async start(): Promise<void> {
    await Promise.all([redisReady(this.pub), redisReady(this.sub)]);
    this.sub.on('message', (channel: string, text: string) => this.receive(channel, text));
    await this.sub.subscribe(this.channel);
    await this.loadSnapshot();

    this.engine.onInput((input) => this.send({ from: this.replicaId, input }));
    this.pub.on('ready', () => this.drain());
    this.pub.on('ready', () => this.resync());
    this.sub.on('ready', () => this.resync());
  }

  /**
   * Reloads the snapshot once both connections are back, and again a second later, which
   * covers an input published between the reload and the server seeing the resubscription.
   */
  private resync(): void {
    if (this.resyncing) return;
    this.resyncing = true;
    const once = async () => {
      await Promise.all([redisReady(this.pub, 10_000), redisReady(this.sub, 10_000)]);
      await this.loadSnapshot();
    };
    once()
      .then(() => new Promise((r) => setTimeout(r, 1000).unref()))
      .then(once)
      .catch((err: Error) => log.warn({ err: err.message }, 'policy snapshot reload failed'))
      .finally(() => {
        this.resyncing = false;
      });
  }

  private async loadSnapshot(): Promise<void> {
    const snapshot = await this.pub.hgetall(this.stateKey);
    for (const text of Object.values(snapshot)) {
      this.engine.applyRemote(JSON.parse(text) as PolicyInput);
    }
    log.debug({ entries: Object.keys(snapshot).length }, 'policy snapshot loaded');
  }

  /** Inputs still waiting for Redis. */
  get backlog(): number {
    return this.outbox.length;
  }

  private send(envelope: Envelope): void {
    if (this.pub.status !== 'ready') {
      this.queue(envelope);
      return;
    }
    this.publish(envelope).catch(() => this.queue(envelope));
  }

  private async publish(envelope: Envelope): Promise<void> {
    const { field, remove } = snapshotField(envelope.input);
    const text = JSON.stringify(envelope);
    const multi = this.pub.multi();
    if (remove) multi.hdel(this.stateKey, field);
    else multi.hset(this.stateKey, field, JSON.stringify(envelope.input));
    multi.publish(this.channel, text);
    await multi.exec();
  }

  private queue(envelope: Envelope): void {
    if (this.outbox.length >= MAX_OUTBOX) {
      log.error({ dropped: this.outbox.length }, 'policy outbox full, oldest input dropped');
      this.outbox.shift();
    }
    this.outbox.push(envelope);
  }

  private drain(): void {
    const pending = this.outbox.splice(0);
    if (pending.length) log.info({ inputs: pending.length }, 'policy outbox sent after reconnect');
    for (const envelope of pending) this.send(envelope);
  }

  private receive(channel: string, text: string): void {
    if (channel !== this.channel) return;

    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      log.warn({ channel }, 'unreadable policy message ignored');
      return;
    }
    if (envelope.from === this.replicaId) return;
    this.received++;
    this.engine.applyRemote(envelope.input);
  }
}
