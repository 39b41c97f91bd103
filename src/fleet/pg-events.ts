import type { TiersConfig } from '../config/index.js';
import type { MoatEvent } from '../core/event.js';
import { retained } from '../gateway/event-sinks.js';
import type { PgWriter } from './pg-writer.js';

/** The events row of one event, with text kept or dropped as its tier says. */
function row(event: MoatEvent, tiers: TiersConfig, now: number) {
  const e = retained(event, tiers);
  const tier = e.tier ? tiers[e.tier] : undefined;
  const keepsText = tier?.retainText && (e.input || e.output?.text !== undefined);
  return {
    id: e.id,
    ts: e.ts,
    account: e.account,
    key_id: e.key ?? null,
    tier: e.tier ?? null,
    route: e.route,
    model: e.model,
    status: e.status,
    latency_ms: e.latency_ms === undefined ? null : Math.round(e.latency_ms),
    input_tokens: e.usage.input_tokens,
    output_tokens: e.usage.output_tokens,
    params: e.params,
    client: e.client,
    input: e.input ?? null,
    output: e.output ?? null,
    text_expires_at: keepsText
      ? new Date(now + tier.retainTextHours * 3_600_000).toISOString()
      : null,
  };
}

/**
 * The gateway event sink of a fleet: every event goes to the shared Postgres `events` table
 * (idempotent by event id), through the spooling writer, so an outage loses and doubles nothing.
 */
export class PgEventSink {
  readonly name = 'postgres';

  constructor(
    private readonly writer: PgWriter,
    private readonly tiers: TiersConfig,
  ) {}

  write(batch: MoatEvent[]): void {
    const now = Date.now();
    this.writer.push(batch.map((e) => ({ kind: 'event', row: row(e, this.tiers, now) })));
  }

  async close(): Promise<void> {
    await this.writer.close();
  }
}
