import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MoatEvent } from '../../src/core/event.js';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import type { Report } from '../../src/core/verdict.js';

/**
 * A small labelled traffic log for the intel tests: a three-account harvesting cluster that
 * wraps varied questions in one template, a lone harvester with another template, and five
 * ordinary customers. Some attackers share a system prompt, a network and a user agent with
 * customers, so that the benign filter has something to remove.
 */

export const QUESTIONS = [
  'why does the moon always show the same face to the earth',
  'how many prime numbers are there below one hundred and why',
  'what caused the collapse of the bronze age civilisations',
  'explain how a transistor amplifies a weak electrical signal',
  'how do vaccines train the immune system to recognise viruses',
  'what is the difference between weather and long term climate',
  'why do cats purr when they are content or hurt',
  'how does public key cryptography keep web traffic private',
  'what makes a sorting algorithm stable and why does it matter',
  'how did the printing press change european politics and religion',
  'why is the sky blue during the day and red at sunset',
  'how can a bridge carry loads much heavier than its own weight',
];

export const CUSTOMER_PROMPTS = [
  'hey can you rewrite this email to my landlord so it sounds more polite please',
  'my sourdough starter smells like nail polish remover is it dead or hungry',
  'suggest a name for a small bakery that sells mostly rye bread and pastries',
  'what should i pack for a three day hike in the alps in late september',
  'translate good morning and thank you very much into portuguese and italian',
  'summarise the plot of a tale of two cities in four sentences for my class',
  'write a short birthday poem for my grandmother who loves gardening and tea',
  'is it safe to give my dog a small piece of cooked pumpkin as a treat',
];

export const HARVEST_HEAD = 'Answer the following question in detail, showing every step:';
export const HARVEST_TAIL = 'Respond in JSON with the fields answer and rationale.';
export const LONE_HEAD = 'You are grading a student. Produce a reference solution for:';
export const SHARED_SYSTEM =
  'You are a helpful assistant. Answer the question of the user carefully and politely.';

export const ATTACK_IPS = ['203.0.113.7', '203.0.113.19', '2001:db8:aa:1::5'];
export const CUSTOMER_IP_PREFIX = '198.51.100.';
export const HARVEST_UA = 'harvest-kit/0.9 (batch)';
export const COMMON_UA = 'python-requests/2.32';

const START = Date.parse('2026-11-30T00:00:00.000Z');

function event(
  account: string,
  n: number,
  tsMs: number,
  user: string,
  client: MoatEvent['client'],
  params: MoatEvent['params'],
  system?: string,
): MoatEvent {
  const messages = system ? [{ role: 'system', content: system }] : [];
  messages.push({ role: 'user', content: user });
  return {
    v: 1,
    id: `evt_${account}_${n}`,
    ts: new Date(tsMs).toISOString(),
    account,
    key: `key_${account}`,
    tier: 'standard',
    client,
    route: 'chat.completions',
    model: 'frontier-large',
    params,
    input: { messages },
    output: { text: `secret answer text ${account} ${n}`, finish_reason: 'stop' },
    usage: { input_tokens: 40 + (n % 7), output_tokens: 900 + (n % 13) },
    status: 200,
    latency_ms: 1200,
  };
}

/** The events of the fixture, in time order. */
export function fixtureEvents(): MoatEvent[] {
  const out: MoatEvent[] = [];
  const harvest = { temperature: 0, n: 1, logprobs: true, top_logprobs: 5, max_tokens: 4096 };
  ['acct_h1', 'acct_h2', 'acct_h3'].forEach((account, a) => {
    for (let i = 0; i < 60; i++) {
      const q = QUESTIONS[(i + a) % QUESTIONS.length];
      const ua = a === 2 ? COMMON_UA : HARVEST_UA;
      const system = i % 2 === 0 ? SHARED_SYSTEM : undefined;
      const client = { ip: ATTACK_IPS[a], user_agent: ua, payment_fp: `pm_${account}` };
      const text = `${HARVEST_HEAD} ${q} (item ${i}). ${HARVEST_TAIL}`;
      out.push(event(account, i, START + a * 7_000 + i * 30_000, text, client, harvest, system));
    }
  });
  for (let i = 0; i < 40; i++) {
    const q = QUESTIONS[i % QUESTIONS.length];
    const client = { ip: '192.0.2.44', user_agent: 'curl/8.5.0' };
    const params = { temperature: 0, n: 4, logit_bias: 3, max_tokens: 2048 };
    out.push(
      event('acct_lone', i, START + 3_000 + i * 45_000, `${LONE_HEAD} ${q}`, client, params),
    );
  }
  for (let c = 0; c < 5; c++) {
    const account = `acct_c${c}`;
    for (let i = 0; i < 16; i++) {
      const text = CUSTOMER_PROMPTS[(i * 3 + c) % CUSTOMER_PROMPTS.length];
      const client = { ip: `${CUSTOMER_IP_PREFIX}${10 + c}`, user_agent: COMMON_UA };
      const params = { temperature: 0.7, n: 1, max_tokens: 512 };
      const system = c < 3 ? SHARED_SYSTEM : undefined;
      const ts = START + c * 500_000 + i * (200_000 + ((i * 7919) % 90_000));
      out.push(event(account, i, ts, text, client, params, system));
    }
  }
  return out.sort((x, y) => Date.parse(x.ts) - Date.parse(y.ts));
}

/** A report for the fixture as `moat analyze` would write it: cluster c_1 and acct_lone alerted. */
export function fixtureReport(): Report {
  const reasons = [
    { signal: 'template_repetition', value: 0.97, detail: '97% of prompts repeat a template' },
    { signal: 'logprobs', value: 1, detail: 'every request asks for logprobs' },
  ];
  const accounts: Report['accounts'] = ['acct_h1', 'acct_h2', 'acct_h3'].map((account) => ({
    account,
    risk: 0.95,
    verdict: 'block',
    events: 60,
    first_alert_ts: '2026-11-30T00:10:00Z',
    events_before_alert: 20,
    cluster: 'c_1',
    reasons,
  }));
  accounts.push({
    account: 'acct_lone',
    risk: 0.81,
    verdict: 'review',
    events: 40,
    first_alert_ts: '2026-11-30T00:20:00.000Z',
    events_before_alert: 25,
    cluster: null,
    reasons: [{ signal: 'rubric_prompts', value: 0.9, detail: '90% of prompts ask for a rubric' }],
  });
  for (let c = 0; c < 5; c++) {
    accounts.push({
      account: `acct_c${c}`,
      risk: 0.05,
      verdict: 'allow',
      events: 16,
      first_alert_ts: null,
      events_before_alert: null,
      cluster: null,
      reasons: [],
    });
  }
  const clusters: Report['clusters'] = [
    {
      id: 'c_1',
      accounts: ['acct_h1', 'acct_h2', 'acct_h3'],
      risk: 0.98,
      first_alert_ts: '2026-11-30T00:08:00Z',
      reasons: [{ signal: 'shared_network', value: 3, detail: 'acct_h1 and acct_h2 share a /24' }],
    },
  ];
  return { v: 1, events: 260, accounts, clusters };
}

/** Writes the fixture's events and report into a fresh temporary folder. */
export function writeFixture(): { dir: string; events: string; report: string } {
  const dir = mkdtempSync(join(tmpdir(), 'moat-intel-'));
  const events = join(dir, 'events.jsonl');
  const report = join(dir, 'report.json');
  writeFileSync(
    events,
    fixtureEvents()
      .map((e) => JSON.stringify(e))
      .join('\n') + '\n',
  );
  writeFileSync(report, JSON.stringify(fixtureReport()));
  return { dir, events, report };
}

/** The OASIS STIX 2.1 schema folder beside the repository, or null when it is absent. */
export function schemaDir(): string | null {
  const dir = join(PACKAGE_ROOT, '..', 'shared', 'stix2.1', 'schemas');
  return existsSync(dir) ? dir : null;
}

/** The community salt used by the tests (32 bytes). */
export const SALT = Buffer.from('test-community-salt-0123456789ab', 'utf8');
