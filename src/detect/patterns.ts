/**
 * Phrases that ask a model to show its reasoning, or to act as a grader. Matched on lower-case
 * prompt text; the signals use the share of an account's prompts that match, never one match.
 */
export const COT_PATTERN = new RegExp(
  [
    'step[- ]by[- ]step',
    '(every|each) (single )?step',
    "(do not|don'?t) skip (any )?steps?",
    '(reason|think|work) (carefully|through it|it out)',
    'show (your|the) working',
    'explain (your|the) (answer|solution)',
    'show (all )?(your|the) (work|reasoning|steps|thinking)',
    'explain (your|the) (reasoning|thinking|thought process|steps)',
    'chain[- ]of[- ]thought',
    'reasoning (trace|process|steps|chain)',
    'think (carefully|step|through|it through|out loud|aloud)',
    "let'?s think",
    'walk (me )?through (your|the|each)',
    '<think>',
    'detailed reasoning',
    'full reasoning',
    'justify (each|every|your) (step|answer)',
    'before (you )?(answer|respond)(ing)?,? (think|reason)',
  ].join('|'),
);

export const RUBRIC_PATTERN = new RegExp(
  [
    'rubric',
    'grade (the|this|each|following|these)',
    'score (the|this|each|it|from|between|on a scale)',
    'on a scale (of|from)',
    'rate (the|this|each|following|these) (response|answer|output|essay|completion)',
    'which (response|answer|completion|output) is better',
    'evaluate (the|this|each) (response|answer|output|completion)',
    'as an? (impartial )?(judge|grader|evaluator)',
    'assign a score',
    'preference between',
  ].join('|'),
);

const SCRIPT_CLIENTS = [
  'python-requests',
  'curl/',
  'wget',
  'aiohttp',
  'httpx',
  'node-fetch',
  'go-http-client',
  'okhttp',
  'java/',
  'libwww',
  'scrapy',
  'axios',
  'undici',
];

/** Whether a user agent names a generic HTTP library rather than a vendor SDK or an app. */
export function isScriptClient(userAgent: string | undefined): boolean {
  if (!userAgent) return true;
  const ua = userAgent.toLowerCase();
  return SCRIPT_CLIENTS.some((s) => ua.includes(s));
}
