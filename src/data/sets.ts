import { join } from 'node:path';
import { MoatError } from '../core/errors.js';
import type { PromptItem, SetName } from './corpus.js';
import { readCsv } from './csv.js';
import { readJsonArray } from './json-array.js';
import { readJsonl, type ReadOptions } from './lines.js';

type Row = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Joins an instruction with its optional input the way instruction sets are usually sent. */
function withInput(instruction: string, input: string): string {
  return input.trim() ? `${instruction}\n\n${input}` : instruction;
}

/** How each real set is read from the data folder (paths as in the data README). */
const READERS: Record<SetName, (dir: string, o?: ReadOptions) => AsyncIterable<PromptItem>> = {
  'gpteacher-codegen': (dir, o) =>
    mapRows(readJsonArray(join(dir, 'attack/gpteacher-codegen.json'), o), (r, i) => ({
      id: `gpteacher-codegen:${i}`,
      set: 'gpteacher-codegen',
      kind: 'code',
      prompt: withInput(str(r.instruction), str(r.input)),
      answer: str(r.response) || undefined,
    })),
  'code-alpaca': (dir, o) =>
    mapRows(readJsonArray(join(dir, 'attack/code-alpaca-2k.json'), o), (r, i) => ({
      id: `code-alpaca:${i}`,
      set: 'code-alpaca',
      kind: 'code',
      prompt: withInput(str(r.instruction), str(r.input)),
      answer: str(r.output) || undefined,
    })),
  gsm8k: (dir, o) =>
    mapRows(readJsonl(join(dir, 'attack/gsm8k-train.jsonl'), o), (r, i) => ({
      id: `gsm8k:${i}`,
      set: 'gsm8k',
      kind: 'math',
      prompt: str(r.question),
      answer: str(r.answer) || undefined,
    })),
  'arena-hard': (dir, o) =>
    mapRows(readJsonl(join(dir, 'legit/arena-hard-v0.1.jsonl'), o), (r, i) => ({
      id: `arena-hard:${i}`,
      set: 'arena-hard',
      kind: 'chat',
      prompt: str(r.prompt),
      category: str(r.cluster) || undefined,
    })),
  instructionwild: (dir, o) => instructionWild(dir, o),
  banking77: (dir, o) =>
    mapRows(readCsv(join(dir, 'legit/banking77-train.csv'), o), (r, i) => ({
      id: `banking77:${i}`,
      set: 'banking77',
      kind: 'support',
      prompt: str(r.text),
      category: str(r.category) || undefined,
    })),
  'nq-open': (dir, o) =>
    mapRows(readJsonl(join(dir, 'legit/nq-open-dev.jsonl'), o), (r, i) => {
      const answers = Array.isArray(r.answer) ? r.answer.map(str).filter(Boolean) : [];
      return {
        id: `nq-open:${i}`,
        set: 'nq-open',
        kind: 'search',
        prompt: str(r.question),
        answer: answers[0],
      };
    }),
  'role-prompts': (dir, o) =>
    mapRows(readCsv(join(dir, 'legit/awesome-chatgpt-prompts.csv'), o), (r, i) => ({
      id: `role-prompts:${i}`,
      set: 'role-prompts',
      kind: 'role',
      prompt: str(r.prompt),
      category: str(r.act) || undefined,
    })),
};

async function* instructionWild(dir: string, o?: ReadOptions): AsyncGenerator<PromptItem> {
  let i = 0;
  for (const n of [1, 2, 3]) {
    const rows = readJsonl(join(dir, `legit/instructionwild-user-${n}.jsonl`), o);
    for await (const r of rows) {
      const prompt = str(r.instruction);
      if (!prompt) continue;
      yield { id: `instructionwild:${i++}`, set: 'instructionwild', kind: 'chat', prompt };
    }
  }
}

async function* mapRows(
  rows: AsyncIterable<Row>,
  fn: (row: Row, i: number) => PromptItem,
): AsyncGenerator<PromptItem> {
  let i = 0;
  for await (const row of rows) {
    const item = fn(row, i++);
    if (item.prompt.trim()) yield item;
  }
}

/**
 * Reads one real prompt set from the data folder. Broken lines are reported through
 * `opts.onIssue` (or logged) and skipped; a missing file is a MOAT_ERR_DATA_FILE error.
 */
export async function readPromptSet(
  dir: string,
  name: SetName,
  opts?: ReadOptions,
): Promise<PromptItem[]> {
  const out: PromptItem[] = [];
  try {
    for await (const item of READERS[name](dir, opts)) out.push(item);
  } catch (err) {
    throw new MoatError('MOAT_ERR_DATA_FILE', `Set ${name} under ${dir}.`, { cause: err });
  }
  return out;
}
