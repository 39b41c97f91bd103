import { adminHandler } from '../../src/admin/index.js';
import { consoleMounts } from '../../src/console/mounts.js';
import { startGateway, type Gateway } from '../../src/gateway/index.js';
import { TOKEN, type Seeded } from './seed.js';

/**
 * Starts a gateway in-process with the console, its read endpoints and the admin API mounted,
 * the console's mounts first (the admin API's prefix contains the console's endpoints).
 */
export async function startConsoleGateway(s: Seeded): Promise<Gateway> {
  const deps = { token: TOKEN, engine: s.engine, store: s.store };
  const admin = adminHandler({ ...deps, keys: s.store.keys, tiers: s.config.tiers });
  return startGateway({
    config: s.config,
    store: s.store,
    decider: s.engine,
    mounts: [
      ...consoleMounts(deps),
      {
        prefix: '/admin/v1',
        handler: async (req, res) => {
          await admin(req, res);
        },
      },
    ],
  });
}
