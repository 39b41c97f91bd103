import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';

/** Postgres and Redis of the test machine. */
export const PG_URL =
  process.env.MOAT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.MOAT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A name unique to this run, so parallel runs never share keys or schemas. */
export function uniqueName(stem: string): string {
  return `${stem}_${process.pid}_${Date.now().toString(36)}`;
}

async function reachable(check: () => Promise<unknown>): Promise<string | null> {
  try {
    await check();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Checks that Postgres and/or Redis answer. Under CI=true an unreachable service fails the
 * test; elsewhere the test is skipped with the reason. Returns false when skipped.
 */
export async function needServices(
  t: TestContext,
  which: { pg?: boolean; redis?: boolean },
): Promise<boolean> {
  const problems: string[] = [];
  if (which.redis) {
    const why = await reachable(async () => {
      const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
      r.on('error', () => undefined);
      try {
        await r.connect();
        await r.ping();
      } finally {
        r.disconnect();
      }
    });
    if (why) problems.push(`redis ${REDIS_URL}: ${why}`);
  }
  if (which.pg) {
    const why = await reachable(async () => {
      const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
      await c.connect();
      await c.end();
    });
    if (why) problems.push(`postgres ${PG_URL}: ${why}`);
  }
  if (problems.length === 0) return true;

  const message = `needs ${problems.join('; ')}`;
  if (process.env.CI === 'true') throw new Error(message);
  t.skip(message);
  return false;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * A private redis-server on its own port that a test may stop and start at will without
 * touching the shared one. `stop()` kills it; always call it (the test's `after` does).
 */
export class PrivateRedis {
  private child?: ChildProcess;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.start();
    return r;
  }

  async start(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    const deadline = Date.now() + 5000;
    for (;;) {
      const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`private redis did not start: ${String(err)}`);
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        probe.disconnect();
      }
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

const BIN = fileURLToPath(new URL('../../../bin/moat.js', import.meta.url));

/** Starts `moat serve` as its own process with a config file, a port and an upstream. */
export function spawnServe(o: {
  configFile: string;
  port: number;
  upstream: string;
  env: NodeJS.ProcessEnv;
  stderr: 'inherit' | 'ignore';
}): ChildProcess {
  const args = [BIN, 'serve', '--config', o.configFile, '--port', String(o.port)];
  args.push('--upstream', o.upstream);
  return spawn(process.execPath, args, { env: o.env, stdio: ['ignore', 'ignore', o.stderr] });
}
