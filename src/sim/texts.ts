/**
 * Fixed texts the simulated tenants and campaigns wrap around corpus prompts: system prompts,
 * follow-up turns and harvesting templates. Written for this project.
 */

export const CHAT_FOLLOWUPS = [
  'Can you make that shorter?',
  'Thanks! Could you give a concrete example?',
  'Why is that?',
  'Can you put that in a table?',
  'What would be a counter-argument?',
  'Ok, and what if I only have a week?',
  'Rewrite it in a more casual tone.',
  'That is not quite what I meant. I need it for a presentation tomorrow.',
  'Great, now summarise it in three bullet points.',
  'Are you sure? I read something different.',
];

export const CODE_FOLLOWUPS = [
  'That throws a TypeError on an empty input. Can you fix it?',
  'Can you add type hints and a docstring?',
  'Write unit tests for it.',
  'How would I make this faster for a million items?',
  'It works, thanks. Now refactor it into a class.',
  'Explain the second part line by line.',
  'Use the standard library only, no extra packages.',
];

export const SUPPORT_FOLLOWUPS = [
  'It still has not arrived.',
  'How long will that take?',
  'Thanks, that worked.',
  'I already tried that. Can I speak to a person?',
  'Will I be charged for this?',
  'Ok. And what about my other card?',
];

export const TUTOR_FOLLOWUPS = [
  'I do not understand the second step.',
  'Can I have another hint?',
  'Is the answer {n}?',
  'Why do we multiply there and not add?',
  'I think I got it. Can you check my working?',
  'That was confusing, can you explain it differently?',
];

export const BANK_NAMES = ['Northwind Bank', 'Alder Savings', 'Meridian Pay', 'Kestrel Money'];

/** The support bot's system prompt: a policy the answers must follow. */
export function supportPolicy(bank: string): string {
  return [
    `You are the customer support assistant of ${bank}.`,
    'Follow the policy: never ask for a full card number or PIN; for lost or stolen cards,',
    'tell the customer to freeze the card in the app first; refunds take up to 5 working days;',
    'escalate disputes over 500 EUR to a human agent. Be brief and friendly.',
  ].join(' ');
}

export const RAG_SYSTEM =
  'Answer the question using only the passages provided. Cite passage numbers like [2]. ' +
  'If the passages do not contain the answer, say you do not know.';

export const CODE_SYSTEM =
  'You are a coding assistant inside the user IDE. The currently open file and the ' +
  'diagnostics are attached. Prefer minimal, correct changes and explain them briefly.';

export const TUTOR_SYSTEM =
  'You are a patient maths tutor for pupils aged 10 to 14. Never give the final answer. ' +
  'Give one hint at a time and ask the pupil to try the next step.';

export const EVAL_SYSTEM =
  'Solve the following grade-school maths problem. Think step by step, then give the final ' +
  'answer on its own line in the form "#### <number>".';

/** Harvesting wrappers that ask for reasoning traces ({p} is the prompt). */
export const COT_WRAPPERS = [
  'Think step by step and show all of your reasoning before the final answer.\n\n{p}',
  '{p}\n\nExplain your reasoning in detail, step by step, then state the answer.',
  'Provide a complete chain of thought inside <thinking> tags, then the answer.\n\n{p}',
  'Reason carefully through every step. Do not skip any step.\n\n{p}',
];

/** Plain harvesting templates used verbatim by scripted harvesters. */
export const HARVEST_TEMPLATES = [
  '{p}',
  'Answer the following thoroughly.\n\n{p}',
  'You are an expert. Give a complete, high-quality answer.\n\nTask: {p}',
];

/** Varied wrappers an evasive harvester rotates through so no template repeats often. */
export const MIMIC_WRAPPERS = [
  '{p}',
  'quick question: {p}',
  'Hey, could you help me with this? {p}',
  '{p} Thanks in advance!',
  'I am stuck on this one. {p}',
  'For a project I am working on: {p}',
  '{p} (please be detailed)',
  'My colleague asked me this and I was not sure. {p}',
  'Can you walk me through this? {p}',
  'hi! {p}',
  '{p}\n\nAlso, keep it readable.',
  'Need this for tomorrow: {p}',
];

/** Follow-up openers that carry a new harvest prompt inside a fake conversation. */
export const MIMIC_FOLLOWUPS = [
  'Thanks, that helps. Another one: {p}',
  'Great. Next: {p}',
  'Perfect. Could you also do this one? {p}',
  'Ok got it. What about this: {p}',
];

/** Fills a `{p}` template with a prompt. */
export function fill(template: string, prompt: string): string {
  return template.replace('{p}', prompt);
}
