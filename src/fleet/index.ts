import { join } from 'node:path';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { adminHandler, ADMIN_PREFIX, type AdminKeys } from '../admin/index.js';
import { adminSection, webhooksSection } from '../admin/config.js';
import { WebhookSender } from '../admin/webhooks.js';
import { sectionOf, type MoatConfig } from '../config/index.js';
import type { AccountVerdict, ClusterVerdict } from '../core/verdict.js';
import { consoleMounts } from '../console/mounts.js';
import { MoatError } from '../core/errors.js';
import { log } from '../core/log.js';
import type { Limiter } from '../core/limits.js';
import { moatHome } from '../core/paths.js';
import type { Gateway, GatewayOptions } from '../gateway/index.js';
import { policySection } from '../policy/config.js';
import { PolicyEngine } from '../policy/engine.js';
import { reasoningMarker } from '../policy/reasoning.js';
import { MemoryRecords, type PolicyRecords } from '../policy/records.js';
import { SqliteRecords } from '../policy/sqlite-records.js';
import type { SqliteStore } from '../store/sqlite.js';
import { PolicyBus } from './bus.js';
import { fleetSection, type FleetConfig } from './config.js';
import { RedisLeaseLimiter } from './lease-limiter.js';
import { PgEventSink } from './pg-events.js';
import { PgKeys } from './pg-keys.js';
import { PgWriter } from './pg-writer.js';
import { connectPostgres, migrate, PgRecords } from './postgres.js';
import { connectRedis } from './redis.js';
import { Spool } from './spool.js';

/** Where verdicts come from: the live detector (anything with `onVerdict`). */
export interface VerdictSource {
  onVerdict(listener: (v: AccountVerdict | ClusterVerdict) => void): void;
}

/** Everything around the gateway that decides and remembers: policy, admin API, fleet state. */
export interface ControlPlane {
  engine: PolicyEngine;
  /** Spread into `startGateway({ config, ...plane.gateway })`. */
  gateway: Pick<
    GatewayOptions,
    'decider' | 'limiter' | 'reasoningMarker' | 'sinks' | 'mounts' | 'keySource'
  >;
  /** True when Postgres holds the records and Redis the shared state. */
  fleet: { postgres: boolean; redis: boolean };
  /** Connects the running gateway: the admin API reloads its keys after a change. */
  attach(gateway: Gateway): void;
  close(): Promise<void>;
}

interface Durable {
  records: PolicyRecords;
  keys?: AdminKeys & PgKeys;
  writer?: PgWriter;
  pool?: pg.Pool;
}

async function durable(fleet: FleetConfig, store?: SqliteStore | null): Promise<Durable> {
  if (!fleet.databaseUrl) {
    return { records: store ? new SqliteRecords(store.db) : new MemoryRecords() };
  }

  const pool = connectPostgres(fleet.databaseUrl);
  try {
    await migrate(pool, fleet.schema);
  } catch (err) {
    if (fleet.onFailure === 'closed') {
      await pool.end().catch(() => undefined);
      throw new MoatError('MOAT_ERR_STORE', `Postgres: ${(err as Error).message}`, { cause: err });
    }
    log.warn({ err: (err as Error).message }, 'postgres unreachable at start, spooling');
  }
  const spool = new Spool(fleet.spoolDir ?? join(moatHome(), 'pg-spool'));
  const writer = new PgWriter(pool, fleet.schema, spool);
  const keys = new PgKeys(pool, fleet.schema);
  await keys.start().catch((err: Error) => log.warn({ err: err.message }, 'keys not loaded'));
  return { records: new PgRecords(pool, fleet.schema, writer), keys, writer, pool };
}

/**
 * Builds the policy engine, its records, the admin API, webhooks and, when `MOAT_DATABASE_URL`
 * and `MOAT_REDIS_URL` (or the `fleet` section) say so, the fleet's shared state. Without them
 * everything stays in this process and the SQLite store.
 */
export async function startControlPlane(
  config: MoatConfig,
  options: { store?: SqliteStore | null; verdicts?: VerdictSource } = {},
): Promise<ControlPlane> {
  const policy = sectionOf(config, policySection);
  const fleet = sectionOf(config, fleetSection);
  const d = await durable(fleet, options.store);

  const engine = new PolicyEngine(policy, { records: d.records });
  await engine.loadOverrides().catch((err: Error) => log.warn({ err: err.message }, 'overrides'));
  await engine
    .restoreLevels()
    .catch((err: Error) => log.warn({ err: err.message }, 'policy levels not restored'));
  const hooks = new WebhookSender(sectionOf(config, webhooksSection));
  engine.onChange((change) => hooks.send(change));
  options.verdicts?.onVerdict((v) => engine.applyVerdict(v));
  const sweep = setInterval(() => engine.sweep(), 5000);
  sweep.unref();

  const redis: Redis[] = [];
  let limiter: Limiter | undefined;
  let bus: PolicyBus | undefined;
  if (fleet.redisUrl) {
    const [main, pub, sub] = ['limits', 'policy-pub', 'policy-sub'].map((n) =>
      connectRedis(fleet.redisUrl!, `moat-${n}`),
    );
    redis.push(main, pub, sub);
    limiter = new RedisLeaseLimiter(main, { ...fleet, prefix: fleet.keyPrefix });
    bus = new PolicyBus(pub, sub, engine, fleet.keyPrefix);
    await bus.start().catch((err: Error) => {
      if (fleet.onFailure === 'closed') throw new MoatError('MOAT_ERR_STORE', err.message);
      log.warn({ err: err.message }, 'redis unreachable at start: verdicts stay local');
    });
  }

  let refreshKeys = () => {};
  const token = sectionOf(config, adminSection).token;
  const admin = adminHandler({
    token,
    engine,
    keys: d.keys ?? options.store?.keys,
    tiers: config.tiers,
    onKeysChanged: () => refreshKeys(),
  });
  const mode = { postgres: !!d.pool, redis: redis.length > 0 };
  log.info(mode, 'control plane ready');

  return {
    engine,
    fleet: mode,
    gateway: {
      decider: engine,
      limiter,
      reasoningMarker:
        policy.degrade.reasoning === 'keep' ? undefined : reasoningMarker(policy.degrade.reasoning),
      sinks: d.writer ? [new PgEventSink(d.writer, config.tiers)] : [],
      mounts: [
        // The console's read endpoints sit inside the admin API's prefix, so they come first.
        ...consoleMounts({ token, engine, store: options.store ?? undefined }),
        {
          prefix: ADMIN_PREFIX.slice(0, -1),
          handler: async (req, res) => {
            await admin(req, res);
          },
        },
      ],
      keySource: d.keys,
    },
    attach(gateway) {
      refreshKeys = () => gateway.refreshKeys();
      const m = gateway.metrics;
      if (limiter instanceof RedisLeaseLimiter) {
        const shared = limiter;
        m.gauge('moat_fleet_limits_shared', '1 while limits come from Redis.', () =>
          shared.shared ? 1 : 0,
        );
      }
      if (bus) {
        const b = bus;
        m.gauge('moat_fleet_policy_outbox', 'Policy inputs waiting for Redis.', () => b.backlog);
      }
      if (d.writer) {
        const w = d.writer;
        m.gauge('moat_fleet_postgres_down', '1 while writes go to the spool.', () =>
          w.down ? 1 : 0,
        );
        m.gauge(
          'moat_fleet_spooled',
          'Records sent to the spool since start.',
          () => w.stats.spooled,
        );
      }
    },
    async close() {
      clearInterval(sweep);
      await engine.flush();
      await hooks.idle();
      if (limiter instanceof RedisLeaseLimiter) await limiter.release();
      for (const r of redis) r.disconnect();
      d.keys?.stop();
      await d.writer?.close();
      await d.pool?.end().catch(() => undefined);
    },
  };
}
