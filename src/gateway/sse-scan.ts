/**
 * Reading one field of a streamed chat or completion chunk without parsing the whole chunk. A
 * key with its quotes (`"content":`) cannot occur inside a JSON string, where quotes are escaped,
 * so its first occurrence is a real key; the caller parses the chunk whole whenever the shape is
 * not the plain one (the value is neither a string nor null).
 */

/** The value after the key is something other than a string or null. */
export const OTHER = Symbol('other');

/** Index of the first character after `from` that is not JSON whitespace. */
function skipSpace(text: string, from: number): number {
  let i = from;
  for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13;) {
    c = text.charCodeAt(++i);
  }
  return i;
}

/** Whether the quote at `at` is escaped (an odd run of backslashes before it). */
function escaped(text: string, at: number): boolean {
  let n = 0;
  for (let i = at - 1; i >= 0 && text.charCodeAt(i) === 92; i--) n++;
  return n % 2 === 1;
}

/**
 * The value of the first `key` (given with its quotes and colon) in a JSON text: `undefined`
 * when the key is absent, `null` for null, the decoded string for a string, `OTHER` otherwise.
 */
export function valueAfter(text: string, key: string): string | null | undefined | typeof OTHER {
  const k = text.indexOf(key);
  if (k === -1) return undefined;

  const open = skipSpace(text, k + key.length);
  const c = text.charCodeAt(open);
  if (c === 110 && text.startsWith('null', open)) return null;
  if (c !== 34) return OTHER;

  let close = text.indexOf('"', open + 1);
  while (close !== -1 && escaped(text, close)) close = text.indexOf('"', close + 1);
  if (close === -1) return OTHER;
  const raw = text.slice(open + 1, close);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(text.slice(open, close + 1)) as string;
  } catch {
    return OTHER;
  }
}
