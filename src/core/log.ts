import { pino, type Logger } from 'pino';

/**
 * The process logger: structured JSON (pino), fields first, then a short lower-case message.
 * It writes to stderr, so that what a command prints on stdout (a report, a key's secret on
 * the last line, `--json` output) is never mixed with log lines. Never log secrets, API keys,
 * watermark keys or prompt text. `MOAT_LOG_LEVEL` sets the level; tests default to `silent`.
 */
export const log: Logger = pino(
  {
    level: process.env.MOAT_LOG_LEVEL ?? (process.env.NODE_TEST_CONTEXT ? 'silent' : 'info'),
    base: { svc: 'moat' },
    redact: ['key', 'secret', 'authorization', 'api_key', '*.authorization', '*.secret'],
  },
  pino.destination({ fd: 2, sync: true }),
);
