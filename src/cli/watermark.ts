import { existsSync, readFileSync } from 'node:fs';
import { loadConfig, sectionOf } from '../config/index.js';
import { MoatError } from '../core/errors.js';
import { watermarkSection } from '../watermark/config.js';
import { createWatermarker } from '../watermark/marker.js';
import { askEndpoint } from '../watermark/endpoint.js';
import { Keyring } from '../watermark/keyring.js';
import { probePrompts } from '../watermark/probes.js';
import { verifyTexts, type Verification } from '../watermark/verify.js';
import { flag, intFlag, parseArgs, type Args } from './args.js';
import type { Command } from './commands.js';

const USAGE =
  'usage: moat watermark verify --texts FILE [--json] [--config moat.yaml] [--key-id ID]\n' +
  '       moat watermark verify --endpoint URL --model M --probes N [--api-key K]\n' +
  '                             [--api openai|anthropic] [--max-tokens N] [--json]\n' +
  '       moat watermark mark --texts FILE [--config moat.yaml]\n' +
  '       moat watermark keygen';

/** Reads the keyring from the `watermark` section of the config file. */
function keyringFrom(args: Args): Keyring {
  const file = flag(args, 'config') ?? (existsSync('moat.yaml') ? 'moat.yaml' : undefined);
  if (!file) {
    throw new MoatError(
      'MOAT_ERR_USAGE',
      'No watermark keys: pass --config with a watermark section.',
    );
  }
  const section = sectionOf(loadConfig(file), watermarkSection);
  if (!section.activeKey) {
    throw new MoatError('MOAT_ERR_CONFIG', `${file} has no watermark.keys to verify with.`);
  }
  return new Keyring(section.keys, section.activeKey);
}

/**
 * Reads one text per line: a JSON string, or an object with a string `text` field. Bad lines are
 * reported on stderr with their number and skipped; blank lines are ignored.
 */
export function readTexts(content: string, source: string): { texts: string[]; skipped: number } {
  const texts: string[] = [];
  let skipped = 0;
  content.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    const text = typeof value === 'string' ? value : (value as { text?: unknown } | null)?.text;
    if (typeof text === 'string') {
      texts.push(text);
      return;
    }
    skipped++;
    process.stderr.write(`moat: ${source}:${i + 1}: not a JSON string or {"text": ...}; skipped\n`);
  });
  return { texts, skipped };
}

function readFile(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (err) {
    throw new MoatError('MOAT_ERR_USAGE', `Cannot read ${path}: ${(err as Error).message}`);
  }
}

function summary(v: Verification, extra: Record<string, number>): string {
  const p = v.p_value > 0 ? v.p_value.toExponential(2) : `< 1e${Math.floor(v.log10_p)}`;
  const verdict =
    v.opportunities === 0
      ? 'no scoring opportunities: the texts cannot be tested'
      : v.p_value < 1e-6
        ? 'watermark present: these texts were written with (or learned from) this key'
        : v.p_value < 0.01
          ? 'evidence of the watermark, not yet conclusive: test more text'
          : 'no evidence of the watermark';
  const lines = [
    `key ${v.key_id}: p = ${p} (log10 p = ${v.log10_p.toFixed(2)})`,
    `${v.opportunities} distinct opportunities, ${v.matches} agree with the key ` +
      `(${v.expected.toFixed(1)} expected by chance)`,
    ...Object.entries(extra).map(([k, n]) => `${k}: ${n}`),
    verdict,
  ];
  return `${lines.join('\n')}\n`;
}

async function verify(argv: string[]): Promise<number> {
  const args = parseArgs(
    argv,
    ['texts', 'config', 'key-id', 'endpoint', 'model', 'probes', 'api-key', 'api', 'max-tokens'],
    ['json'],
  );
  const textsFile = flag(args, 'texts');
  const endpoint = flag(args, 'endpoint');
  if (!textsFile === !endpoint) {
    throw new MoatError('MOAT_ERR_USAGE', `Pass --texts FILE or --endpoint URL.\n${USAGE}`);
  }
  const ring = keyringFrom(args);

  let texts: string[];
  let extra: Record<string, number>;
  if (textsFile) {
    const read = readTexts(readFile(textsFile), textsFile);
    texts = read.texts;
    extra = { texts: texts.length, skipped: read.skipped };
  } else {
    const model = flag(args, 'model');
    if (!model) throw new MoatError('MOAT_ERR_USAGE', '--endpoint needs --model.');
    const probes = intFlag(args, 'probes', 200);
    if (probes < 1) throw new MoatError('MOAT_ERR_USAGE', '--probes must be at least 1.');
    const api = flag(args, 'api', 'openai');
    if (api !== 'openai' && api !== 'anthropic') {
      throw new MoatError('MOAT_ERR_USAGE', '--api is openai or anthropic.');
    }
    const opts = {
      url: endpoint!,
      model,
      apiKey: flag(args, 'api-key'),
      api: api as 'openai' | 'anthropic',
      maxTokens: intFlag(args, 'max-tokens', 512),
      concurrency: 4,
      timeoutMs: 120_000,
    };
    const answers = await askEndpoint(opts, probePrompts(probes));
    texts = answers.texts;
    extra = { probes, answered: texts.length, failed: answers.failed };
  }

  const v = verifyTexts(texts, ring, flag(args, 'key-id'));
  if (args.flags.get('json')) {
    const out = {
      p_value: v.p_value,
      opportunities: v.opportunities,
      key_id: v.key_id,
      log10_p: v.log10_p,
      matches: v.matches,
      expected: v.expected,
      ...extra,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    process.stdout.write(summary(v, extra));
  }
  return 0;
}

/** Marks each text of a file with the active key; prints one JSON string per line. */
function mark(argv: string[]): number {
  const args = parseArgs(argv, ['texts', 'config']);
  const file = flag(args, 'texts');
  if (!file) throw new MoatError('MOAT_ERR_USAGE', `mark needs --texts FILE.\n${USAGE}`);
  const ring = keyringFrom(args);
  const marker = createWatermarker({ keys: ring.all(), activeKey: ring.activeId, strength: 1 });
  for (const text of readTexts(readFile(file), file).texts) {
    process.stdout.write(`${JSON.stringify(marker.markText(text))}\n`);
  }
  return 0;
}

/** `moat watermark verify ...`, `moat watermark mark ...` and `moat watermark keygen`. */
export const command: Command = {
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'verify') return verify(rest);
    if (sub === 'mark') return mark(rest);
    if (sub === 'keygen') {
      const { randomBytes } = await import('node:crypto');
      process.stdout.write(`${randomBytes(32).toString('base64')}\n`);
      return 0;
    }
    throw new MoatError('MOAT_ERR_USAGE', `Which watermark command?\n${USAGE}`);
  },
};
