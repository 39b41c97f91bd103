import { bool, configError, int, join, mapping, oneOf, onlyKeys, str } from '../config/check.js';
import type { Section } from '../config/section.js';

/** What a replica does when Redis or Postgres is unreachable. */
export type FailureMode = 'open' | 'closed';

/** `shared`: every replica's events go to one Redis stream that one detector reads. */
export type DetectionMode = 'local' | 'shared';

/** The validated `fleet` section; environment variables win over the file. */
export interface FleetConfig {
  /** Postgres for durable records (`MOAT_DATABASE_URL`); none keeps the SQLite default. */
  databaseUrl?: string;
  /** Redis for shared hot state (`MOAT_REDIS_URL`); none keeps limits and verdicts local. */
  redisUrl?: string;
  /** Prefix of every Redis key and channel, so several fleets can share one Redis. */
  keyPrefix: string;
  /** Postgres schema holding Moat's tables. */
  schema: string;
  /** `open`: serve on local limits when Redis is down; `closed`: refuse requests. */
  onFailure: FailureMode;
  /** How many replicas share the limits; a replica on local limits takes 1/replicas each. */
  replicas: number;
  /** Each lease holds this many milliseconds of an account's rate. */
  leaseMs: number;
  /** Bucket size in seconds of rate: how large a burst an idle account may send. */
  burstS: number;
  /** Directory of the spool that keeps records while Postgres is down. */
  spoolDir?: string;
  /** `shared` (the default with Redis) or `local` (each replica detects on its own events). */
  detection: DetectionMode;
  /** True on the one replica that reads the event stream and runs the fleet's detector. */
  detector: boolean;
  /** Approximate number of events the Redis stream keeps (`XADD MAXLEN ~`). */
  streamMaxLen: number;
}

function url(v: string | undefined, path: string, schemes: string[]): string | undefined {
  if (v === undefined) return undefined;
  if (!schemes.some((s) => v.startsWith(`${s}://`))) {
    throw configError(path, `must be a ${schemes.join(' or ')} URL`);
  }
  return v;
}

/** Validates the `fleet` section, then applies `MOAT_DATABASE_URL` and `MOAT_REDIS_URL`. */
export function parseFleetConfig(
  raw: unknown,
  path = 'fleet',
  env: NodeJS.ProcessEnv = process.env,
): FleetConfig {
  const obj = mapping(raw, path);
  onlyKeys(obj, path, [
    'database_url',
    'redis_url',
    'key_prefix',
    'schema',
    'on_failure',
    'replicas',
    'lease_ms',
    'burst_s',
    'spool_dir',
    'detection',
    'detector',
    'stream_max_len',
  ]);

  const schema = str(obj, 'schema', path, 'moat');
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw configError(join(path, 'schema'), 'must be a lower-case SQL identifier');
  }
  const redisUrl = url(
    env.MOAT_REDIS_URL || str(obj, 'redis_url', path),
    env.MOAT_REDIS_URL ? 'MOAT_REDIS_URL' : join(path, 'redis_url'),
    ['redis', 'rediss'],
  );
  const modes: DetectionMode[] = ['local', 'shared'];
  // Opt-in: shared detection puts whole events, prompt text included, into Redis memory.
  const detection = oneOf(obj, 'detection', path, modes, 'local');
  if (detection === 'shared' && !redisUrl) {
    throw configError(join(path, 'detection'), 'shared needs Redis (MOAT_REDIS_URL or redis_url)');
  }
  const detector = bool(obj, 'detector', path, false);
  if (detector && detection !== 'shared') {
    throw configError(join(path, 'detector'), 'a detector replica needs detection: shared');
  }
  return {
    databaseUrl: url(
      env.MOAT_DATABASE_URL || str(obj, 'database_url', path),
      env.MOAT_DATABASE_URL ? 'MOAT_DATABASE_URL' : join(path, 'database_url'),
      ['postgres', 'postgresql'],
    ),
    redisUrl,
    keyPrefix: str(obj, 'key_prefix', path, 'moat'),
    schema,
    onFailure: oneOf<FailureMode>(obj, 'on_failure', path, ['open', 'closed'], 'open'),
    replicas: int(obj, 'replicas', path, 1, 1, 1000),
    leaseMs: int(obj, 'lease_ms', path, 250, 10, 60_000),
    burstS: int(obj, 'burst_s', path, 60, 1, 3600),
    spoolDir: str(obj, 'spool_dir', path),
    detection,
    detector,
    streamMaxLen: int(obj, 'stream_max_len', path, 1_000_000, 1000, 1_000_000_000),
  };
}

/** The `fleet` section for the config loader. */
export const fleetSection: Section<FleetConfig> = {
  name: 'fleet',
  parse: (raw, path) => parseFleetConfig(raw, path),
};
