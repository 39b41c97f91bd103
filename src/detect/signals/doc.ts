import { fileURLToPath } from 'node:url';
import { CLUSTER_SIGNALS } from '../link/cluster-signals.js';
import { SIGNALS } from './index.js';
import type { SignalRule } from './signal.js';

function section(id: string, weight: number, rule: SignalRule, content = false): string {
  const refs = rule.references.map((r) => `- ${r}`).join('\n');
  return [
    `### \`${id}\` — ${rule.title}`,
    '',
    `Default weight: ${weight}${content ? ' (content signal)' : ''}.`,
    '',
    `**Measures.** ${rule.measures}`,
    '',
    `**Why it points to harvesting.** ${rule.why}`,
    '',
    `**Known false positives.** ${rule.falsePositives}`,
    '',
    '**References.**',
    '',
    refs,
    '',
  ].join('\n');
}

/**
 * The signal reference (`docs/signals.md`), generated from the rule text kept beside each
 * signal's code. Regenerate with `node dist/src/detect/signals/doc.js > docs/signals.md`.
 */
export function signalsMarkdown(): string {
  const head = [
    '# Detection signals',
    '',
    'Generated from the rule text beside each signal in `src/detect/signals/` and',
    '`src/detect/link/cluster-signals.ts`; do not edit by hand. Regenerate with',
    '`node dist/src/detect/signals/doc.js > docs/signals.md` after `npx tsc -p .`.',
    '',
    'Each signal reads bounded per-account (or per-cluster) state and returns a score in',
    '[0, 1] with the figure behind it. Risk is `1 - exp(-sum(weight x score))`; the verdict',
    'thresholds on risk are calibrated on legitimate traffic (see `detect.thresholds`). A',
    "signal's weight can be changed with `detect.weights.<id>`. No signal looks at which",
    'dataset a prompt comes from: the same prompts are sent by customers and by harvesters.',
    '',
    'Content signals (marked below) read the prompts. Their weight is reduced by half the',
    "account's share of events that arrive in bursts (under five seconds after the previous",
    'one): batch jobs such as evaluation runs are templated by design and run flat out, while',
    'harvesting that must last paces itself to stay under limits.',
    '',
    '## Account and cluster signals',
    '',
  ];
  const body = SIGNALS.map((s) => section(s.id, s.weight, s.rule, s.content));
  const cluster = [
    '## Cluster-only signals',
    '',
    'Read on clusters of linked accounts in addition to the signals above, which a cluster',
    'reads on the aggregate profile of all its members (summed volume, pooled prompts).',
    '',
  ];
  const clusterBody = CLUSTER_SIGNALS.map((s) => section(s.id, s.weight, s.rule));
  return [...head, ...body, ...cluster, ...clusterBody].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(signalsMarkdown());
