/**
 * The `moat.event.v1` record: one inference call as the gateway saw it. The shape is a contract
 * (see DESIGN.md): logs, reports and tools outside the project read it, so extend it compatibly.
 */

export type Route = 'chat.completions' | 'completions' | 'responses' | 'embeddings' | 'messages';

export const ROUTES: readonly Route[] = [
  'chat.completions',
  'completions',
  'responses',
  'embeddings',
  'messages',
];

export interface ClientInfo {
  ip: string;
  user_agent?: string;
  payment_fp?: string;
  signup_ts?: string;
}

export interface EventParams {
  temperature?: number;
  top_p?: number;
  n?: number;
  max_tokens?: number;
  logprobs?: boolean;
  top_logprobs?: number;
  /** Number of entries in the request's logit_bias map. */
  logit_bias?: number;
  stream?: boolean;
  tools?: number;
}

export interface Message {
  role: string;
  content: string;
}

export interface EventInput {
  messages?: Message[];
  prompt?: string;
}

export interface EventOutput {
  text?: string;
  finish_reason?: string;
}

export interface MoatEvent {
  v: 1;
  id: string;
  ts: string;
  account: string;
  key?: string;
  tier?: string;
  client: ClientInfo;
  route: Route;
  model: string;
  params: EventParams;
  input?: EventInput;
  output?: EventOutput;
  usage: { input_tokens: number; output_tokens: number };
  status: number;
  latency_ms?: number;
}
