import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dataDir } from '../../src/core/paths.js';
import { runDetectBench } from '../../src/bench/detect.js';
import { CI_FLOORS } from '../../src/bench/detect-floors.js';

test('the ci scenario stays above the detection quality floors', async (t) => {
  if (!dataDir()) {
    if (process.env.CI === 'true') assert.fail('CI=true but the benchmark data folder is missing');
    return t.skip('no data folder (set MOAT_DATA); the floors are set on the real data');
  }
  const r = await runDetectBench({ scenarios: ['ci'], seed: 1 });
  const o = r.overall;
  const f = CI_FLOORS;

  assert.ok(o.auc >= f.auc, `AUC ${o.auc} < ${f.auc}`);
  assert.ok(o.recall_at_0_1pct >= f.recallAt01, `recall ${o.recall_at_0_1pct} < ${f.recallAt01}`);
  assert.ok(
    o.campaign_recall_at_0_1pct >= f.campaignRecallAt01,
    `campaign recall ${o.campaign_recall_at_0_1pct} < ${f.campaignRecallAt01}`,
  );
  assert.ok(o.alert_fpr <= f.alertFpr, `legitimate alert FPR ${o.alert_fpr} > ${f.alertFpr}`);
  const hydra = r.campaigns['hydra-100'].harvested_before_stop;
  assert.ok(hydra <= f.hydraHarvest, `hydra harvested ${hydra} > ${f.hydraHarvest}`);
  const alerted = Object.values(r.campaigns).filter((c) => c.alerted > 0).length;
  assert.ok(alerted >= f.campaignsAlerted, `${alerted} campaigns alerted < ${f.campaignsAlerted}`);
  const mix = o.reseller_mix_recall_at_0_3pct ?? 0;
  assert.ok(mix >= f.resellerMix, `reseller mix recall ${mix} < ${f.resellerMix}`);
});
