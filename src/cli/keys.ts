import { loadConfig } from '../config/index.js';
import { MoatError } from '../core/errors.js';
import { KeyClientError } from '../store/keys.js';
import { openStore } from '../store/sqlite.js';
import { flag, parseArgs } from './args.js';
import type { Command } from './commands.js';

const USAGE = `usage:
  moat keys create --account A --tier T [--payment-fp FP] [--signup-ts TIME] [--config F]
      prints the new secret on the last line; the payment fingerprint and sign-up time (ISO
      8601), when given, go on every event of the key, for linking accounts
  moat keys revoke KEY_ID [--config F]
  moat keys list [--account A] [--config F]
`;

/** `moat keys create|revoke|list`: API keys in the store (only hashes are kept). */
export const command: Command = {
  async run(argv) {
    const [sub, ...rest] = argv;
    const args = parseArgs(rest, ['account', 'tier', 'config', 'payment-fp', 'signup-ts']);
    const file = flag(args, 'config');
    const config = file ? loadConfig(file) : undefined;
    const store = openStore(config?.store.path);
    try {
      if (sub === 'create') return create(store, args, config?.tiers);
      if (sub === 'revoke') return revoke(store, args.positional[0]);
      if (sub === 'list') return list(store, flag(args, 'account'));
      throw new MoatError('MOAT_ERR_USAGE', `Unknown keys command "${sub ?? ''}".\n${USAGE}`);
    } finally {
      store.close();
    }
  },
};

function create(
  store: ReturnType<typeof openStore>,
  args: ReturnType<typeof parseArgs>,
  tiers?: Record<string, unknown>,
): number {
  const account = flag(args, 'account');
  const tier = flag(args, 'tier');
  if (!account || !tier)
    throw new MoatError('MOAT_ERR_USAGE', `--account and --tier are required.\n${USAGE}`);
  if (tiers && !tiers[tier]) {
    throw new MoatError(
      'MOAT_ERR_USAGE',
      `Tier "${tier}" is not defined (tiers: ${Object.keys(tiers).join(', ')}).`,
    );
  }

  const client = { payment_fp: flag(args, 'payment-fp'), signup_ts: flag(args, 'signup-ts') };
  let created: { id: string; secret: string };
  try {
    created = store.keys.create(account, tier, client);
  } catch (err) {
    if (!(err instanceof KeyClientError)) throw err;
    throw new MoatError('MOAT_ERR_USAGE', `--${err.field.replace('_', '-')} ${err.detail}.`);
  }
  const { id, secret } = created;
  process.stdout.write(
    `key ${id} for account ${account} (tier ${tier}); the secret is shown once:\n`,
  );
  process.stdout.write(`${secret}\n`);
  return 0;
}

function revoke(store: ReturnType<typeof openStore>, id?: string): number {
  if (!id) throw new MoatError('MOAT_ERR_USAGE', `Which key? ${USAGE}`);
  if (!store.keys.revoke(id)) {
    process.stderr.write(`moat: no active key ${id}\n`);
    return 1;
  }
  process.stdout.write(`revoked ${id}\n`);
  return 0;
}

function list(store: ReturnType<typeof openStore>, account?: string): number {
  for (const k of store.keys.list(account)) {
    const state = k.revokedAt ? `revoked ${k.revokedAt}` : 'active';
    process.stdout.write(`${k.id}  ${k.account}  ${k.tier}  ${k.createdAt}  ${state}\n`);
  }
  return 0;
}
