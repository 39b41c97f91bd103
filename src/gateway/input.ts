import type { EventInput, Message, Route } from '../core/event.js';

/** Text of a content value: a string, or the text parts of a content array. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (typeof part === 'string') text += part;
    else if (part && typeof part === 'object') {
      const t = (part as { text?: unknown }).text;
      if (typeof t === 'string') text += text ? `\n${t}` : t;
    }
  }
  return text;
}

function toMessages(list: unknown[]): Message[] {
  const out: Message[] = [];
  for (const m of list) {
    if (!m || typeof m !== 'object') continue;
    const { role, content } = m as { role?: unknown; content?: unknown };
    out.push({ role: typeof role === 'string' ? role : 'user', content: contentText(content) });
  }
  return out;
}

function charsOf(input: EventInput): number {
  let n = input.prompt?.length ?? 0;
  for (const m of input.messages ?? []) n += m.content.length;
  return n;
}

/**
 * The prompt of a request as the event's `input`: chat-style routes give `messages` (a system
 * prompt first when the API carries it apart), prompt-style routes give `prompt`. Non-text
 * content (images, tool calls) is left out.
 */
export function flattenInput(
  route: Route,
  b: Record<string, unknown>,
): { input: EventInput; chars: number } {
  let input: EventInput;
  if (route === 'chat.completions') {
    input = { messages: toMessages(b.messages as unknown[]) };
  } else if (route === 'messages') {
    const messages = toMessages(b.messages as unknown[]);
    if (b.system !== undefined)
      messages.unshift({ role: 'system', content: contentText(b.system) });
    input = { messages };
  } else if (route === 'responses') {
    const messages =
      typeof b.input === 'string'
        ? [{ role: 'user', content: b.input }]
        : toMessages(Array.isArray(b.input) ? b.input : []);
    if (typeof b.instructions === 'string') {
      messages.unshift({ role: 'system', content: b.instructions });
    }
    input = { messages };
  } else {
    const p = route === 'completions' ? b.prompt : b.input;
    input = {
      prompt:
        typeof p === 'string'
          ? p
          : Array.isArray(p)
            ? p.filter((x) => typeof x === 'string').join('\n')
            : '',
    };
  }
  return { input, chars: charsOf(input) };
}
