import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MoatConfig, TierConfig } from '../config/index.js';
import type { Decider, Decision } from '../core/decision.js';
import type { MoatEvent } from '../core/event.js';
import { MoatError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Admission, Limiter } from '../core/limits.js';
import { log } from '../core/log.js';
import type { ResponseMarker } from '../core/marker.js';
import type { Identity, KeyIndex } from './auth.js';
import { readBody } from './body.js';
import { asMoatError, sendError } from './errors.js';
import type { EventQueue } from './event-queue.js';
import type { GatewayMetrics } from './metrics.js';
import { checkTierParams, degradeBody, denial, estimateTokens, limitSpec } from './policy.js';
import { chainMarkers, isEventStream, relayJson, relayStream, type RelayResult } from './relay.js';
import { parseRequest, type ParsedRequest } from './request.js';
import type { RouteSpec } from './routes.js';
import { failureKind, upstreamError, type Upstream } from './upstream.js';
import { askUsage, needsUsage } from './usage.js';

/** Everything the request path needs, assembled once by `startGateway`. */
export interface ProxyDeps {
  config: MoatConfig;
  decider: Decider;
  limiter: Limiter;
  marker?: ResponseMarker;
  reasoningMarker?: ResponseMarker;
  keys: KeyIndex;
  upstream: Upstream;
  queue: EventQueue;
  metrics: GatewayMetrics;
}

/** Account recorded on events of calls that failed authentication. */
export const ANONYMOUS = 'anonymous';

/** State of one call, filled in as it goes; becomes the event at the end. */
interface Call {
  started: number;
  identity?: Identity;
  /** The tier in force: the key's, or the one the policy pinned. */
  tier?: string;
  parsed?: ParsedRequest;
  result?: RelayResult;
  status: number;
}

/**
 * Handles one proxied API call: identify, read and check the body, decide, admit, forward, relay,
 * then queue exactly one event, whatever happened. Errors reach the client in the API's shape.
 */
export async function proxyCall(
  deps: ProxyDeps,
  spec: RouteSpec,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const call: Call = { started: performance.now(), status: 0 };
  const wallStart = Date.now();
  try {
    await handle(deps, spec, req, res, call);
  } catch (err) {
    const e = asMoatError(err);
    if (e.status >= 500 && !(err instanceof MoatError)) {
      log.error({ route: spec.route, err: (err as Error)?.message }, 'unexpected error');
    }
    call.status = res.headersSent ? call.status || 500 : e.status;
    sendError(res, spec.api, e);
  }

  const latencyMs = performance.now() - call.started;
  const tier = call.tier;
  deps.metrics.requests.inc([spec.route, String(call.status), tier ?? 'none']);
  deps.metrics.latency.observe([spec.route], latencyMs / 1000);
  deps.queue.push(buildEvent(deps, spec, req, call, wallStart, latencyMs));
}

async function handle(
  deps: ProxyDeps,
  spec: RouteSpec,
  req: IncomingMessage,
  res: ServerResponse,
  call: Call,
): Promise<void> {
  const identity = deps.keys.identify(req.headers);
  call.identity = identity;
  call.tier = identity.tier;
  if (!deps.config.tiers[identity.tier])
    throw new MoatError('MOAT_ERR_INVALID_KEY', `Tier "${identity.tier}" is not configured.`);

  const raw = await readBody(req, deps.config.server.maxBodyBytes);
  const parsed = parseRequest(spec.route, raw);
  call.parsed = parsed;

  const paymentFp = identity.client?.payment_fp;
  const decision = deps.decider.decide(identity.account, identity.tier, paymentFp);
  call.tier = effectiveTier(deps, identity.tier, decision);
  const tier = deps.config.tiers[call.tier];
  if (decision.deny) throw denial(decision.deny);
  checkTierParams(parsed, call.tier, tier);
  let body = raw;
  if (decision.degrade && degradeBody(spec.route, parsed.body, decision.degrade)) {
    body = Buffer.from(JSON.stringify(parsed.body));
  }
  const hideUsage = deps.config.upstream.requestUsage && needsUsage(spec.route, parsed);
  if (hideUsage) body = askUsage(parsed, body);

  const admission = deps.limiter.admit(
    identity.account,
    limitSpec(tier, decision.throttle),
    estimateTokens(parsed, tier, spec.route),
  );
  if (!admission.ok) {
    deps.metrics.limited.inc([admission.limit]);
    throw new MoatError('MOAT_ERR_RATE_LIMITED', `The ${admission.limit} limit is reached.`, {
      retryAfterS: admission.retryAfterS,
    });
  }

  try {
    const marker = markerFor(deps, tier, decision);
    call.result = await forward(deps, spec, req, res, body, { marker, hideUsage });
    call.status = call.result.status;
  } finally {
    settle(admission, call);
  }
}

/**
 * The tier whose limits, parameters and retention apply: the one an analyst pinned through the
 * policy (`decision.tier`) when it is configured, else the key's. A pin naming a tier this
 * config lacks is ignored rather than refusing the account's calls.
 */
function effectiveTier(deps: ProxyDeps, keyTier: string, decision: Decision): string {
  const pinned = decision.tier;
  if (pinned === undefined || pinned === keyTier) return keyTier;
  if (deps.config.tiers[pinned]) return pinned;
  if (!unknownPins.has(pinned) && unknownPins.size < 100) {
    unknownPins.add(pinned);
    log.warn({ tier: pinned }, 'pinned tier not configured; using the key tier');
  }
  return keyTier;
}

/** Pinned tier names already warned about, so a bad pin logs once, not on every call. */
const unknownPins = new Set<string>();

function markerFor(deps: ProxyDeps, tier: TierConfig, d: Decision): ResponseMarker | undefined {
  const watermark = tier.watermark === 'always' || (tier.watermark === 'policy' && d.watermark);
  const reasoning = d.degrade?.stripReasoning ? deps.reasoningMarker : undefined;
  return chainMarkers(watermark ? deps.marker : undefined, reasoning);
}

async function forward(
  deps: ProxyDeps,
  spec: RouteSpec,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  relay: { marker?: ResponseMarker; hideUsage: boolean },
): Promise<RelayResult> {
  // undici takes an EventEmitter as abort signal: cheaper than an AbortController per call.
  const abort = new EventEmitter();
  let gone = false;
  const onClose = () => {
    if (res.writableFinished) return;
    gone = true;
    abort.emit('abort');
  };
  res.once('close', onClose);

  try {
    const up = await deps.upstream.request({
      method: 'POST',
      path: spec.path,
      headers: deps.upstream.headers(spec.api, req.headers, body.length),
      body,
      signal: abort,
    });
    const ctx = {
      api: spec.api,
      route: spec.route,
      res,
      ...relay,
      maxTextChars: deps.config.events.maxTextBytes,
      clientGone: () => gone,
    };
    const result = isEventStream(up) ? await relayStream(ctx, up) : await relayJson(ctx, up);
    if (result.error) deps.metrics.upstreamErrors.inc([failureKind(result.error.cause)]);
    if (gone) up.body.destroy();
    return result;
  } catch (err) {
    if (gone) return { status: 499 };
    deps.metrics.upstreamErrors.inc([failureKind(err)]);
    throw upstreamError(err);
  } finally {
    res.off('close', onClose);
  }
}

function settle(admission: Admission, call: Call): void {
  if (!admission.ok) return;
  const s = call.result?.summary;
  const input = s?.inputTokens ?? Math.ceil((call.parsed?.inputChars ?? 0) / 4);
  const output = s?.outputTokens ?? Math.ceil((s?.chars ?? 0) / 4);
  admission.settle(input + output);
}

function clientIp(deps: ProxyDeps, req: IncomingMessage): string {
  if (deps.config.server.trustForwardedFor) {
    const xff = req.headers['x-forwarded-for'];
    if (typeof xff === 'string' && xff) return xff.split(',')[0].trim();
  }
  return req.socket.remoteAddress ?? '';
}

function buildEvent(
  deps: ProxyDeps,
  spec: RouteSpec,
  req: IncomingMessage,
  call: Call,
  wallStart: number,
  latencyMs: number,
): MoatEvent {
  const p = call.parsed;
  const s = call.result?.summary;
  const ua = req.headers['user-agent'];
  const event: MoatEvent = {
    v: 1,
    id: newId('evt', wallStart),
    ts: new Date(wallStart).toISOString(),
    account: call.identity?.account ?? ANONYMOUS,
    client: ua ? { ip: clientIp(deps, req), user_agent: ua } : { ip: clientIp(deps, req) },
    route: spec.route,
    model: p?.model ?? 'unknown',
    params: p?.params ?? {},
    usage: {
      input_tokens: s?.inputTokens ?? (p ? Math.ceil(p.inputChars / 4) : 0),
      output_tokens: s?.outputTokens ?? Math.ceil((s?.chars ?? 0) / 4),
    },
    status: call.status,
    latency_ms: Math.round(latencyMs),
  };
  if (call.identity?.client) event.client = { ...event.client, ...call.identity.client };
  if (call.identity?.key) event.key = call.identity.key;
  if (call.tier) event.tier = call.tier;
  if (p) event.input = p.input;
  if (s)
    event.output = s.finishReason
      ? { text: s.text, finish_reason: s.finishReason }
      : { text: s.text };
  return event;
}
