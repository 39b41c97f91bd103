import { ROUTES, type MoatEvent, type Route } from './event.js';

/** Why a log line could not be read as an event; carries the line number for the report. */
export class EventLineError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses one JSONL line into a `moat.event.v1` record. Unknown fields are kept but ignored;
 * missing optional parts are tolerated as DESIGN.md allows. Throws EventLineError naming what
 * is wrong, so a reader can report the line and go on.
 */
export function parseEventLine(text: string, line: number): MoatEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new EventLineError(line, `not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(raw)) throw new EventLineError(line, 'not a JSON object');

  if (typeof raw.account !== 'string' || raw.account === '') {
    throw new EventLineError(line, 'field "account" must be a non-empty string');
  }
  if (typeof raw.ts !== 'string' || Number.isNaN(Date.parse(raw.ts))) {
    throw new EventLineError(line, 'field "ts" must be an ISO 8601 timestamp');
  }
  if (typeof raw.route !== 'string' || !ROUTES.includes(raw.route as Route)) {
    throw new EventLineError(line, `field "route" must be one of ${ROUTES.join(', ')}`);
  }

  const client = isObject(raw.client) ? raw.client : {};
  const usage = isObject(raw.usage) ? raw.usage : {};
  const params = isObject(raw.params) ? raw.params : {};
  return {
    ...(raw as object),
    v: 1,
    id: typeof raw.id === 'string' ? raw.id : `line_${line}`,
    ts: raw.ts,
    account: raw.account,
    route: raw.route as Route,
    model: typeof raw.model === 'string' ? raw.model : 'unknown',
    client: { ...client, ip: typeof client.ip === 'string' ? client.ip : '' },
    params: params as MoatEvent['params'],
    usage: {
      input_tokens: Number(usage.input_tokens) || 0,
      output_tokens: Number(usage.output_tokens) || 0,
    },
    status: typeof raw.status === 'number' ? raw.status : 200,
  } as MoatEvent;
}
