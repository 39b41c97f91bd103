import { createReadStream } from 'node:fs';
import { reportIssue, type ReadOptions } from './lines.js';

/**
 * Streams the elements of a top-level JSON array file one at a time, so a large file never has
 * to be parsed whole. Each element is parsed on its own: a broken element is reported with the
 * line it starts on and skipped, and the rest of the file is still read.
 */
export async function* readJsonArray(
  file: string,
  opts?: ReadOptions,
): AsyncGenerator<Record<string, unknown>> {
  let started = false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let buf = '';
  let line = 1;
  let startLine = 1;

  for await (const chunk of createReadStream(file, { encoding: 'utf8' })) {
    const text = chunk as string;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '\n') line++;
      if (!started) {
        if (c === '[') started = true;
        continue;
      }
      if (inString) {
        buf += c;
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (depth === 0 && (c === ',' || c === ']')) {
        const item = parseElement(buf, file, startLine, opts);
        if (item) yield item;
        buf = '';
        if (c === ']') return;
        continue;
      }
      if (depth === 0 && buf.trim() === '') startLine = line;
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') depth--;
      buf += c;
    }
  }
  if (buf.trim() !== '') reportIssue(opts, { file, line: startLine, reason: 'array not closed' });
}

function parseElement(
  text: string,
  file: string,
  line: number,
  opts?: ReadOptions,
): Record<string, unknown> | null {
  if (text.trim() === '') return null;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
    reportIssue(opts, { file, line, reason: 'array element is not an object' });
  } catch (err) {
    reportIssue(opts, { file, line, reason: `not valid JSON (${(err as Error).message})` });
  }
  return null;
}
