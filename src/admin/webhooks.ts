import { createHmac } from 'node:crypto';
import { request } from 'undici';
import { log } from '../core/log.js';
import type { PolicyChange } from '../policy/engine.js';
import type { WebhookConfig } from './config.js';

const MAX_QUEUED = 1000;

/** The HMAC-SHA256 of a body under a secret, as sent in `X-Moat-Signature` (`sha256=<hex>`). */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Sends policy changes to webhook endpoints as signed JSON POSTs. A failed delivery (network
 * error, timeout, non-2xx) is retried with exponential backoff up to `max_attempts`, then
 * logged and dropped. At most 1000 deliveries wait at once; beyond that the oldest are dropped
 * and counted, never silently.
 */
export class WebhookSender {
  private inFlight = 0;
  private readonly waiting = new Set<Promise<void>>();
  /** Deliveries that gave up after every attempt, or were dropped from a full queue. */
  failed = 0;
  delivered = 0;

  constructor(
    private readonly hooks: WebhookConfig[],
    private readonly sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  ) {}

  /** Queues a change for every endpoint that asked for its kind. */
  send(change: PolicyChange): void {
    const body = JSON.stringify({ v: 1, type: `policy.${change.kind}`, ...change.entry });
    for (const hook of this.hooks) {
      if (!hook.on.includes(change.kind)) continue;
      if (this.inFlight >= MAX_QUEUED) {
        this.failed++;
        log.error({ url: hook.url }, 'webhook queue full, alert dropped');
        continue;
      }
      const job = this.deliver(hook, body);
      this.waiting.add(job);
      void job.finally(() => this.waiting.delete(job));
    }
  }

  /** Waits for every delivery in progress (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.waiting.size > 0) await Promise.allSettled([...this.waiting]);
  }

  private async deliver(hook: WebhookConfig, body: string): Promise<void> {
    this.inFlight++;
    try {
      for (let attempt = 1; attempt <= hook.maxAttempts; attempt++) {
        const outcome = await this.attempt(hook, body);
        if (outcome === 'ok') {
          this.delivered++;
          return;
        }
        log.warn({ url: hook.url, attempt, outcome }, 'webhook delivery failed');
        if (attempt < hook.maxAttempts) await this.sleep(hook.backoffMs * 2 ** (attempt - 1));
      }
      this.failed++;
      log.error({ url: hook.url, attempts: hook.maxAttempts }, 'webhook gave up');
    } finally {
      this.inFlight--;
    }
  }

  private async attempt(hook: WebhookConfig, body: string): Promise<string> {
    try {
      const res = await request(hook.url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-moat-signature': signBody(hook.secret, body),
          'user-agent': 'moat-webhook/1',
        },
        headersTimeout: hook.timeoutMs,
        bodyTimeout: hook.timeoutMs,
      });
      await res.body.dump();
      return res.statusCode >= 200 && res.statusCode < 300 ? 'ok' : `status ${res.statusCode}`;
    } catch (err) {
      return (err as Error).message;
    }
  }
}
