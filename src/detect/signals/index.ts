import { diurnalRhythm } from './diurnal.js';
import { clientFingerprint } from './client.js';
import { conversationDepth } from './depth.js';
import { cotElicitation } from './cot.js';
import { topicCoverage } from './coverage.js';
import { queryDistance } from './distance.js';
import { logprobExtraction } from './logprobs.js';
import { mixedHarvest } from './mixed.js';
import { networkReputation } from './neighbours.js';
import { modelPivot } from './pivot.js';
import { outputRatio } from './ratio.js';
import { rubricGrading } from './rubric.js';
import { distributionShift } from './shift.js';
import { templateRepetition } from './templates.js';
import { timingRegularity } from './timing.js';
import { volumeDuty } from './volume.js';
import type { Signal } from './signal.js';

/** Every per-profile signal, in the order they are documented. */
export const SIGNALS: readonly Signal[] = [
  volumeDuty,
  templateRepetition,
  distributionShift,
  mixedHarvest,
  queryDistance,
  topicCoverage,
  cotElicitation,
  rubricGrading,
  logprobExtraction,
  conversationDepth,
  outputRatio,
  timingRegularity,
  diurnalRhythm,
  clientFingerprint,
  networkReputation,
  modelPivot,
];
