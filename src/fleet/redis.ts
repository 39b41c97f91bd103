import { Redis } from 'ioredis';
import { log } from '../core/log.js';

/**
 * Opens a Redis connection for the fleet. Commands fail fast instead of queueing while Redis
 * is away (the callers have a fallback), and the client keeps reconnecting in the background.
 * A connection that blocks on reads (XREAD BLOCK) needs a command timeout above the block time.
 */
export function connectRedis(url: string, name: string, commandTimeoutMs = 1000): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 1000,
    retryStrategy: (attempt) => Math.min(50 * attempt, 500),
  });
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) log.warn({ name, err: err.message }, 'redis unreachable');
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.info({ name }, 'redis back');
    down = false;
  });
  return redis;
}

/** Waits until the connection is ready, or throws after `timeoutMs`. */
export async function redisReady(redis: Redis, timeoutMs = 3000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
