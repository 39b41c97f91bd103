import { readFileSync, writeFileSync } from 'node:fs';
import { MoatError } from '../core/errors.js';
import { loadConfig, sectionOf } from '../config/index.js';
import { intelSection, parseIntelConfig, type IntelConfig } from '../intel/config.js';
import { campaignKey, campaignsOf, extractSignatures, readReport } from '../intel/extract.js';
import { Hasher } from '../intel/hashing.js';
import { importBundle, openIntel } from '../intel/import.js';
import { matchEvents } from '../intel/match.js';
import { parseBundle } from '../intel/stix-check.js';
import { signaturesFromBundle } from '../intel/stix-read.js';
import { toBundle, type StixBundle, type Tlp } from '../intel/stix.js';
import { taxiiPull, taxiiPush } from '../intel/taxii-client.js';
import { localHasher, uuidv5 } from '../intel/hashing.js';
import { flag, parseArgs, type Args } from './args.js';
import type { Command } from './commands.js';

const USAGE = `usage:
  moat intel export --report R.json [--events E.jsonl] --out BUNDLE.json [--producer NAME]
                    [--tlp white|green|amber|red] [--min-risk R] [--config moat.yaml]
  moat intel import BUNDLE.json [--json] [--config moat.yaml]
  moat intel match [--bundle B.json] EVENTS.jsonl [--json] [--config moat.yaml]
  moat intel push --url COLLECTION_URL --bundle B.json [--token T] [--config moat.yaml]
  moat intel pull --url COLLECTION_URL [--out B.json] [--import] [--added-after TS] [--token T]
The community salt is intel.salt in the config, else MOAT_INTEL_SALT; the TAXII token is --token,
else MOAT_TAXII_TOKEN, else intel.token.`;

interface Settings {
  intel: IntelConfig;
  storePath: string;
}

function settings(args: Args): Settings {
  const file = flag(args, 'config');
  if (file) {
    const config = loadConfig(file);
    return { intel: sectionOf(config, intelSection), storePath: config.store.path };
  }
  const salt = process.env.MOAT_INTEL_SALT;
  return { intel: parseIntelConfig(salt ? { salt } : {}), storePath: 'moat.db' };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new MoatError('MOAT_ERR_USAGE', `Cannot read ${file}: ${(err as Error).message}`);
  }
}

function token(args: Args, s: Settings): string {
  const t = flag(args, 'token') ?? process.env.MOAT_TAXII_TOKEN ?? s.intel.token;
  if (!t) throw new MoatError('MOAT_ERR_USAGE', 'No TAXII token: pass --token or set one.');
  return t;
}

function required(args: Args, name: string): string {
  const v = flag(args, name);
  if (!v) throw new MoatError('MOAT_ERR_USAGE', `--${name} is required.\n${USAGE}`);
  return v;
}

async function exportCmd(args: Args, s: Settings): Promise<number> {
  const report = readReport(required(args, 'report'));
  const out = required(args, 'out');
  const tlp = (flag(args, 'tlp') ?? s.intel.tlp) as Tlp;
  if (!['white', 'green', 'amber', 'red'].includes(tlp)) {
    throw new MoatError('MOAT_ERR_USAGE', '--tlp takes white, green, amber or red.');
  }
  const minRisk = Number(flag(args, 'min-risk') ?? s.intel.minRisk);
  if (!(minRisk >= 0 && minRisk <= 1)) {
    throw new MoatError('MOAT_ERR_USAGE', '--min-risk takes a number in [0, 1].');
  }
  const hasher = new Hasher(s.intel.salt);
  const keyHasher = localHasher();
  const set = await extractSignatures(report, flag(args, 'events') ?? null, {
    hasher,
    keyHasher,
    producer: flag(args, 'producer') ?? s.intel.producer,
    minRisk,
  });
  const bundle = toBundle(set, tlp);
  writeFileSync(out, `${JSON.stringify(bundle, null, 1)}\n`);

  process.stdout.write(reviewList(report, set.campaigns, keyHasher, minRisk));
  const templates = set.campaigns.reduce((n, c) => n + (c.templates?.length ?? 0), 0);
  process.stdout.write(
    `${set.campaigns.length} campaign(s), ${templates} template hash(es), ` +
      `${bundle.objects.length} STIX objects written to ${out}` +
      `${s.intel.salt ? '' : ' (no community salt: client hashes left out)'}\n`,
  );
  return 0;
}

/**
 * For the operator's eyes only (the terminal, never the bundle): which local accounts each
 * shared campaign stands for, so a false positive can be caught before the bundle leaves.
 */
function reviewList(
  report: ReturnType<typeof readReport>,
  campaigns: { key: string; templates?: unknown[] }[],
  hasher: Hasher,
  minRisk: number,
): string {
  const lines = ['shared campaigns (local view, not in the bundle):'];
  const byKey = new Map(campaigns.map((c) => [c.key, c]));
  let held = 0;
  for (const g of campaignsOf(report)) {
    const c = byKey.get(campaignKey(g.accounts, hasher));
    if (!c) {
      held++;
      continue;
    }
    const shown = g.accounts.slice(0, 4).join(', ');
    const more = g.accounts.length > 4 ? ` (+${g.accounts.length - 4})` : '';
    lines.push(
      `  ${c.key.slice(0, 12)} risk ${g.risk.toFixed(2)} templates ${c.templates?.length ?? 0} ` +
        `accounts ${shown}${more}`,
    );
  }
  if (held) lines.push(`  ${held} alerted campaign(s) below risk ${minRisk} held back`);
  return `${lines.join('\n')}\n`;
}

function importCmd(args: Args, s: Settings): number {
  const file = args.positional[0];
  if (!file) throw new MoatError('MOAT_ERR_USAGE', USAGE);
  const bundle = parseBundle(readText(file));
  const { store, table } = openIntel(s.storePath);
  try {
    const r = importBundle(bundle, table);
    const summary = {
      objects: r.objects,
      signatures: r.signatures.length,
      added: r.added,
      updated: r.updated,
      unchanged: r.unchanged,
      stored: table.count(),
    };
    if (args.flags.has('json')) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      process.stdout.write(
        `${summary.objects} objects, ${summary.signatures} campaign signature(s): ` +
          `${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged; ` +
          `${summary.stored} stored\n`,
      );
    }
  } finally {
    store.close();
  }
  return 0;
}

async function matchCmd(args: Args, s: Settings): Promise<number> {
  const events = args.positional[0];
  if (!events) throw new MoatError('MOAT_ERR_USAGE', USAGE);
  const bundleFile = flag(args, 'bundle');
  let signatures;
  if (bundleFile) signatures = signaturesFromBundle(parseBundle(readText(bundleFile)));
  else {
    const { store, table } = openIntel(s.storePath);
    signatures = table.all();
    store.close();
  }

  const result = await matchEvents(events, signatures, new Hasher(s.intel.salt));
  if (args.flags.has('json')) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  for (const m of result.matches) {
    process.stdout.write(
      `${m.account.padEnd(20)} ${m.producer} ${m.campaign} templates ${m.template_events}/` +
        `${m.text_events} (${Math.round(m.template_share * 100)}%) clients ` +
        `${m.client_events}/${m.events} by ${m.matched_by.join('+')}\n`,
    );
  }
  const accounts = new Set(result.matches.map((m) => m.account)).size;
  const other = result.incomparable.length;
  process.stdout.write(
    `${accounts} account(s) match ${signatures.length} signature(s) over ${result.events} ` +
      `events; ${result.skipped} malformed line(s) skipped` +
      `${other ? `; ${other} signature(s) use another salt and cannot match` : ''}\n`,
  );
  return 0;
}

async function pushCmd(args: Args, s: Settings): Promise<number> {
  const bundle = parseBundle(readText(required(args, 'bundle')));
  const status = await taxiiPush(required(args, 'url'), bundle, token(args, s));
  process.stdout.write(
    `${status.status}: ${status.success_count} accepted, ${status.failure_count} refused, ` +
      `${status.pending_count} pending (status ${status.id})\n`,
  );
  return status.failure_count > 0 ? 1 : 0;
}

async function pullCmd(args: Args, s: Settings): Promise<number> {
  const url = required(args, 'url');
  const pulled = await taxiiPull(url, token(args, s), { addedAfter: flag(args, 'added-after') });
  const ids = pulled.objects.map((o) => o.id).join('\n');
  const text = JSON.stringify({
    type: 'bundle',
    id: `bundle--${uuidv5(`pulled|${url}|${ids}`)}`,
    objects: pulled.objects,
  });
  const bundle: StixBundle = parseBundle(text);
  const out = flag(args, 'out');
  if (out) writeFileSync(out, `${JSON.stringify(bundle, null, 1)}\n`);
  process.stdout.write(
    `${pulled.objects.length} object(s) in ${pulled.pages} page(s); last added ` +
      `${pulled.lastAdded ?? '-'}\n`,
  );
  if (args.flags.has('import')) {
    const { store, table } = openIntel(s.storePath);
    const r = importBundle(bundle, table);
    store.close();
    process.stdout.write(`${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged\n`);
  }
  return 0;
}

/** `moat intel export|import|match|push|pull`: campaign signatures in STIX 2.1 over TAXII 2.1. */
export const command: Command = {
  async run(argv) {
    const [sub, ...rest] = argv;
    const args = parseArgs(
      rest,
      [
        'report',
        'events',
        'out',
        'producer',
        'tlp',
        'config',
        'bundle',
        'url',
        'token',
        'added-after',
      ],
      ['json', 'import'],
    );
    const s = settings(args);
    if (sub === 'export') return exportCmd(args, s);
    if (sub === 'import') return importCmd(args, s);
    if (sub === 'match') return matchCmd(args, s);
    if (sub === 'push') return pushCmd(args, s);
    if (sub === 'pull') return pullCmd(args, s);
    throw new MoatError('MOAT_ERR_USAGE', USAGE);
  },
};
