// What each new workflow costs the worker's workflow thread (issue 16): replays one saved history of a 10-row run
// (test/fixtures/histories/sync-integration-completed.json) many times with the workflow bundle, so each replay is a
// new workflow whose bundle is evaluated in the SDK's sandbox, as the first workflow task of every run is. No server.
// Usage: npx tsx bench/workflow-setup.ts [bundle.js …] (default: the current bundle); BENCH_REPLAYS (default 50).
// Pass an older bundle (node_modules/.cache/weft/workflow-bundle-<hash>.js) to compare. About 2 s per bundle.
import { readFile, stat } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromProtoJson } from '../runtime/temporal/history-json';
import { workflowBundlePath } from '../runtime/temporal/bundle';
import { PROJECT_ROOT } from '../runtime/project-root';
import { quietTemporalLogs } from '../test/support/temporal-harness';

quietTemporalLogs('ERROR');
const REPLAYS = Number(process.env.BENCH_REPLAYS ?? 50);
const history = historyFromProtoJson(JSON.parse(await readFile(join(PROJECT_ROOT, 'test/fixtures/histories/sync-integration-completed.json'), 'utf8')));
const bundles = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [await workflowBundlePath()];

for (const codePath of bundles) {
  const histories = (function* () {
    for (let i = 0; i < REPLAYS; i++) yield { workflowId: `replay-${i}`, history };
  })();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let failed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath } }, histories)) if (result.error) failed++;
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const size = (await stat(codePath)).size;
  console.log(
    `${codePath.split('/').pop()}: ${(size / 1e6).toFixed(2)} MB, ${REPLAYS} replays in ${ms.toFixed(0)} ms: ` +
      `${(ms / REPLAYS).toFixed(1)} ms wall, ${((cpu.user + cpu.system) / 1000 / REPLAYS).toFixed(1)} ms CPU (all threads) per workflow; ` +
      `${failed} failed; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  );
}
