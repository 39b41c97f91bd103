import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { log } from '../core/log.js';

/** A line of a data file that could not be read; the reader skips it and goes on. */
export interface ReadIssue {
  file: string;
  line: number;
  reason: string;
}

/** Options shared by every data reader. */
export interface ReadOptions {
  /** Called for each skipped line; by default the issue is logged as a warning. */
  onIssue?: (issue: ReadIssue) => void;
}

/** Reports a skipped line through the caller's hook, or the log when there is none. */
export function reportIssue(opts: ReadOptions | undefined, issue: ReadIssue): void {
  if (opts?.onIssue) return opts.onIssue(issue);
  log.warn(issue, 'skipped malformed data line');
}

/**
 * Streams a text file line by line with 1-based line numbers, without loading it whole.
 * A trailing carriage return is removed so CRLF files read like LF files.
 */
export async function* readLines(file: string): AsyncGenerator<{ text: string; line: number }> {
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  for await (const raw of rl) {
    line++;
    yield { text: raw.endsWith('\r') ? raw.slice(0, -1) : raw, line };
  }
}

/**
 * Streams a JSON Lines file as objects. A line that is not a JSON object is reported with its
 * number and skipped; blank lines are ignored.
 */
export async function* readJsonl(
  file: string,
  opts?: ReadOptions,
): AsyncGenerator<Record<string, unknown>> {
  for await (const { text, line } of readLines(file)) {
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      reportIssue(opts, { file, line, reason: `not valid JSON (${(err as Error).message})` });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      reportIssue(opts, { file, line, reason: 'not a JSON object' });
      continue;
    }
    yield value as Record<string, unknown>;
  }
}
