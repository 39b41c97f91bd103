// One "replica" for the shared-limit test: admits requests offered at a fixed rate against the
// fleet limiter between two wall-clock instants and prints what it admitted as JSON.
import { connectRedis, redisReady } from '../../src/fleet/redis.js';
import { RedisLeaseLimiter } from '../../src/fleet/lease-limiter.js';

const env = process.env;
const startAt = Number(env.START_AT);
const measureFrom = Number(env.MEASURE_FROM);
const endAt = Number(env.END_AT);
const offerPerS = Number(env.OFFER_PER_S);
const spec = { requestsPerMinute: Number(env.RPM), tokensPerMinute: 1e9, maxConcurrent: 1e6 };

const redis = connectRedis(env.REDIS_URL!, 'limit-worker');
await redisReady(redis);
const limiter = new RedisLeaseLimiter(redis, {
  prefix: env.PREFIX!,
  leaseMs: Number(env.LEASE_MS ?? 250),
  burstS: Number(env.BURST_S ?? 1),
  onFailure: 'closed',
  replicas: 3,
});

await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
const lateMs = Math.max(0, Date.now() - startAt);
let offered = 0;
let admitted = 0;
let measured = 0;
while (Date.now() < endAt) {
  const due = Math.floor(((Date.now() - startAt) * offerPerS) / 1000);
  for (; offered < due; offered++) {
    const a = limiter.admit('acct_shared', spec, 1);
    if (!a.ok) continue;
    a.settle(1);
    admitted++;
    if (Date.now() >= measureFrom) measured++;
  }
  await new Promise((r) => setTimeout(r, 2));
}
process.stdout.write(
  JSON.stringify({ offered, admitted, measured, fetches: limiter.fetches, lateMs }) + '\n',
);
redis.disconnect();
