/**
 * Incremental lexer for the watermark: splits relayed text into whitespace-separated tokens and
 * decides, from the text alone, which tokens are plain prose words that may be exchanged. Code
 * (fenced, indented, or any line that does not read as prose), inline code, quoted strings, URLs,
 * numbers and JSON are never eligible. Every decision depends only on the text, never on how it
 * was split into chunks, so a streamed answer is marked exactly like the same answer in one piece.
 */

/** Longest token held back; a longer one is passed on as opaque (never eligible). */
export const MAX_TOKEN = 64;
/** Longest whitespace run held back; longer runs are passed on in pieces and break phrases. */
export const MAX_GAP = 32;

/** One token with the whitespace before it. `text` is '' for a bare piece of whitespace. */
export interface Token {
  ws: string;
  text: string;
  /** A plain word in a prose line, outside code and quotes: may be part of a phrase. */
  eligible: boolean;
  /** Eligible tokens only: the word, and the punctuation around it. */
  lead: string;
  word: string;
  trail: string;
  /** The token starts a sentence (first word of a prose line or after . ! ?). */
  initial: boolean;
}

const CLEAN = /^(\(?)([A-Za-z]+(?:['’][A-Za-z]+)?)([.,;:!?)]{0,3})$/;
const LIST_MARKER = /^(?:[-*+]|\d{1,3}[.)])$/;
const ABBREVIATION = /^\(?(?:e\.g|i\.e|etc|vs|a\.m|p\.m)\.?[,;:)]*$/i;
const GSM_ANNOTATION = /<<[^<>]*>>/g;
const ENDS_SENTENCE = /[.!?][)"'”’]*$/;

/**
 * Characters or patterns that mark a token as code-like: a line that contains one is left alone
 * from that token on (a member access, a call, an assignment, a path, a tag, a URL).
 */
function isCodeLike(text: string): boolean {
  const t = text.replace(GSM_ANNOTATION, '0');
  if (ABBREVIATION.test(t)) return false;
  if (/[{}[\]<>_|\\`~^@#]/.test(t)) return true;
  if (/;./.test(t) || /::|->|=>|==|!=|:\/\//.test(t)) return true;
  if (/[A-Za-z]=|=[A-Za-z]/.test(t)) return true;
  if (/[A-Za-z]\.[A-Za-z]/.test(t) || /[A-Za-z]\(/.test(t)) return true;
  return /[A-Za-z0-9]\/[A-Za-z]/.test(t);
}

type LineKind = 'unknown' | 'prose' | 'other' | 'code';

/** Splits text into tokens incrementally; see the module comment for what it protects. */
export class Lexer {
  private ws = '';
  private tok = '';
  private opaque = false;
  private line: LineKind = 'unknown';
  private indent = 0;
  private blocked = false;
  private afterMarker = false;
  private lastEndsSentence = false;
  private fence = '';
  private inDouble = false;
  private inSingle = false;
  private inInline = false;

  /** Consumes text; returns the tokens that are complete. */
  push(text: string): Token[] {
    const out: Token[] = [];
    for (const ch of text) this.step(ch, out);
    return out;
  }

  /** The text ended: returns the held token and any trailing whitespace. */
  end(): Token[] {
    const out: Token[] = [];
    if (this.tok) this.finishToken(out);
    if (this.ws) out.push(bare(this.ws));
    this.ws = '';
    return out;
  }

  private step(ch: string, out: Token[]): void {
    const space = ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
    if (!space) {
      this.tok += ch;
      if (this.tok.length >= MAX_TOKEN) this.flushOpaque(out);
      return;
    }

    if (this.tok) this.finishToken(out);
    this.opaque = false;
    this.ws += ch;
    if (ch === '\n') this.newLine();
    else if (this.line === 'unknown') this.indent += ch === '\t' ? 4 : 1;
    if (this.ws.length >= MAX_GAP) {
      out.push(bare(this.ws));
      this.ws = '';
    }
  }

  private newLine(): void {
    this.line = 'unknown';
    this.indent = 0;
    this.blocked = false;
    this.afterMarker = false;
    this.lastEndsSentence = false;
    this.inDouble = this.inSingle = this.inInline = false;
  }

  private flushOpaque(out: Token[]): void {
    if (this.line === 'unknown') this.classifyLine(this.tok);
    this.opaque = true;
    this.blocked = true;
    out.push({ ...bare(this.ws), text: this.tok });
    this.ws = '';
    this.tok = '';
  }

  private finishToken(out: Token[]): void {
    const text = this.tok;
    const ws = this.ws;
    this.tok = '';
    this.ws = '';
    if (this.opaque) {
      out.push({ ...bare(ws), text });
      return;
    }

    const first = this.line === 'unknown';
    if (first) this.classifyLine(text);
    const initial = this.line === 'prose' && (first || this.afterMarker || this.lastEndsSentence);
    const marker = first && this.line === 'prose' && LIST_MARKER.test(text);
    this.afterMarker = marker;
    const quoted = this.scanQuotes(text);

    const m = CLEAN.exec(text);
    const caseOk = m !== null && /^[A-Za-z][a-z'’]*$/.test(m[2]);
    const eligible = this.line === 'prose' && !this.blocked && !quoted && !marker && caseOk;
    if (this.line === 'prose' && !m && !quoted && isCodeLike(text)) this.blocked = true;
    this.lastEndsSentence = ENDS_SENTENCE.test(text);

    out.push({
      ws,
      text,
      eligible,
      lead: eligible ? m![1] : '',
      word: eligible ? m![2] : '',
      trail: eligible ? m![3] : '',
      initial,
    });
  }

  private classifyLine(text: string): void {
    if (this.fence) {
      if (text.startsWith(this.fence)) this.fence = '';
      this.line = 'code';
    } else if (text.startsWith('```') || text.startsWith('~~~')) {
      this.fence = text.slice(0, 3);
      this.line = 'code';
    } else if (this.indent >= 4) {
      this.line = 'code';
    } else if (LIST_MARKER.test(text) || /^[A-Z]/.test(text)) {
      this.line = 'prose';
    } else {
      this.line = 'other';
    }
  }

  /**
   * Tracks double quotes, single quotes and backticks through one token. Returns true when any
   * part of the token is inside a quote or inline code, or the token holds a quote character.
   */
  private scanQuotes(text: string): boolean {
    let touched = this.inDouble || this.inSingle || this.inInline;
    const chars = [...text];
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i];
      const prev = i === 0 ? ' ' : chars[i - 1];
      const next = i + 1 < chars.length ? chars[i + 1] : ' ';
      if (this.inInline) {
        if (c === '`') this.inInline = false;
        continue;
      }
      if (this.inDouble) {
        if (c === '"' || c === '”') this.inDouble = false;
        continue;
      }
      if (this.inSingle) {
        if ((c === "'" || c === '’') && !/[A-Za-z]/.test(next)) this.inSingle = false;
        continue;
      }
      if (c === '`') this.inInline = touched = true;
      else if (c === '"' || c === '“') this.inDouble = touched = true;
      else if ((c === "'" || c === '‘') && /[\s([{]/.test(prev) && next !== ' ') {
        this.inSingle = touched = true;
      }
    }
    return touched || this.inDouble || this.inSingle || this.inInline;
  }
}

function bare(ws: string): Token {
  return { ws, text: '', eligible: false, lead: '', word: '', trail: '', initial: false };
}
