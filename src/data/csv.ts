import { createReadStream } from 'node:fs';
import { reportIssue, type ReadOptions } from './lines.js';

/** Options for the CSV reader. */
export interface CsvOptions extends ReadOptions {
  /** Longest field accepted, in characters; a longer one skips its record. Default 1,000,000. */
  maxField?: number;
}

/**
 * Streams an RFC 4180 CSV file (quoted fields, doubled quotes, newlines inside quotes) as
 * records keyed by the header row. A record with the wrong number of fields or an oversized
 * field is reported with the line it starts on and skipped.
 */
export async function* readCsv(
  file: string,
  opts: CsvOptions = {},
): AsyncGenerator<Record<string, string>> {
  const maxField = opts.maxField ?? 1_000_000;
  let header: string[] | null = null;

  for await (const rec of csvRecords(file, maxField)) {
    if (rec.error) {
      reportIssue(opts, { file, line: rec.line, reason: rec.error });
      continue;
    }
    if (!header) {
      header = rec.fields;
      continue;
    }
    if (rec.fields.length === 1 && rec.fields[0] === '') continue;
    if (rec.fields.length !== header.length) {
      const reason = `expected ${header.length} fields, found ${rec.fields.length}`;
      reportIssue(opts, { file, line: rec.line, reason });
      continue;
    }
    const out: Record<string, string> = {};
    header.forEach((h, i) => (out[h] = rec.fields[i]));
    yield out;
  }
}

interface RawRecord {
  fields: string[];
  line: number;
  error?: string;
}

/** The CSV state machine over a character stream; yields raw records with their start line. */
async function* csvRecords(file: string, maxField: number): AsyncGenerator<RawRecord> {
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let afterQuote = false;
  let line = 1;
  let start = 1;
  let tooLong = false;

  const endField = (): void => {
    if (field.length > maxField) tooLong = true;
    fields.push(tooLong ? '' : field);
    field = '';
    afterQuote = false;
  };

  for await (const chunk of createReadStream(file, { encoding: 'utf8' })) {
    const text = chunk as string;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i++;
          } else {
            // At a chunk's end this may be half of a doubled quote: the next chunk decides.
            quoted = false;
            afterQuote = true;
          }
        } else {
          if (c === '\n') line++;
          if (field.length <= maxField) field += c;
          else tooLong = true;
        }
        continue;
      }
      if (c === '"' && afterQuote) {
        // Doubled quote split across two chunks.
        field += '"';
        quoted = true;
        afterQuote = false;
      } else if (c === '"' && field === '') {
        quoted = true;
      } else if (c === ',') {
        endField();
      } else if (c === '\n') {
        endField();
        yield finish(fields, start, tooLong, maxField);
        fields = [];
        tooLong = false;
        line++;
        start = line;
      } else if (c !== '\r') {
        if (field.length <= maxField) field += c;
        else tooLong = true;
      }
    }
  }

  if (field !== '' || fields.length > 0) {
    endField();
    yield finish(fields, start, tooLong, maxField);
  }
}

function finish(fields: string[], line: number, tooLong: boolean, max: number): RawRecord {
  if (tooLong) return { fields, line, error: `a field is longer than ${max} characters` };
  return { fields, line };
}
