// Regenerates test/fixtures/histories/*.json: real runs of syncIntegration on a fresh dev server, saved for replay tests.
// Run: npx tsx test/tools/record-histories.ts [name…]   (after a deliberate, compatible workflow change; commit the
// result). Names limit it to those scenarios (e.g. `resumed`), leaving the other files as they are.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../runtime/activities';
import { openStore } from '../../runtime/store';
import { createRunLauncher } from '../../runtime/temporal/client';
import { createScheduleKeeper, scheduleIdFor } from '../../runtime/temporal/schedules';
import { resolveTemporalCli, startDevServer } from '../../runtime/temporal/dev-server';
import { connectClient, customersCsv, customersGraph, failingCommits, FAST_PIPELINE, publishAndCreateRun, quietTemporalLogs, saveCsvFile } from '../support/temporal-harness';
import { createWorker } from '../../runtime/temporal/worker';
import { connectorLookup, createConnectionService } from '../../runtime/connections';
import { CONNECTOR_LIST } from '../../runtime/connectors';

export const HISTORIES_DIR = resolve(import.meta.dirname, '../fixtures/histories');

async function main() {
  quietTemporalLogs('ERROR');
  const cli = await resolveTemporalCli();
  const server = await startDevServer();
  const store = await openStore({ memory: true });
  const dir = await mkdtemp(join(tmpdir(), 'weft-histories-'));
  const connection = await NativeConnection.connect({ address: server.address });
  const taskQueue = `record-${randomUUID()}`;
  // The "resumed" scenario breaks batch 2's commit for its first execution, so that run fails and is resumed.
  let broken = false;
  // Not a lost connection: the store's outages are waited out, this failure must run out of attempts.
  const activityStore = failingCommits(store, (c) => broken && c.batch === 2, [], 'deadlock detected');
  const worker = await createWorker({ connection, taskQueue, activities: createActivities({ store: activityStore, sessions: createConnectionService({ store, secretKey: null, connectors: connectorLookup(CONNECTOR_LIST), context: { store, filesDir: dir } }), batchSize: 25 }) });
  const { client, close } = await connectClient(server.address);
  const launcher = createRunLauncher({ client, taskQueue, pipeline: FAST_PIPELINE });
  const oneAttempt = createRunLauncher({ client, taskQueue, pipeline: { ...FAST_PIPELINE, maximumAttempts: 1 } });
  // Issue 16 (weft-16-local-pipeline): a 1 ms local budget is spent after the local part's first batch (it always
  // issues one): the rest goes to the ordinary runPipeline.
  const tinyBudget = createRunLauncher({ client, taskQueue, pipeline: { ...FAST_PIPELINE, localBudgetMs: 1 } });
  const only = process.argv.slice(2);

  const rows = Array.from({ length: 120 }, (_, k) => ({
    email: `h${k + 1}@example.com`,
    name: `H ${k + 1}`,
    amount: k % 30 === 4 ? 'n/a' : String(k),
    active: k % 4 === 0 ? 'no' : 'yes',
    extra: k % 50 === 49 ? ['x'] : undefined,
  }));
  const scenarios = [
    { name: 'completed-with-errors', csv: customersCsv(rows), filterActive: true, missing: false },
    { name: 'completed', csv: customersCsv(rows.slice(0, 20).map((r) => ({ ...r, amount: '1', extra: undefined }))), filterActive: false, missing: false },
    { name: 'failed-missing-file', csv: customersCsv(rows.slice(0, 3)), filterActive: false, missing: true },
    // A run that failed after its first batch, then resumed (POST /api/runs/{id}/resume): the resumed execution's history.
    { name: 'resumed', csv: customersCsv(rows.slice(0, 80).map((r) => ({ ...r, amount: '1', extra: undefined }))), filterActive: false, missing: false, resumed: true },
    // Issue 16: the file read in 3 parts side by side (planPartitions, three runPipeline, finishPartitions).
    { name: 'partitioned', csv: customersCsv(rows), filterActive: true, missing: false, parallelism: 3 },
    // Issue 16 (weft-16-plan-in-pipeline): the first runPipeline plans the parts (no planPartitions), for a file read
    // in 3 parts and for a small file read whole at once.
    { name: 'parts-planned-in-pipeline', csv: customersCsv(rows), filterActive: true, missing: false, parallelism: 3 },
    { name: 'whole-planned-in-pipeline', csv: customersCsv(rows.slice(0, 20).map((r) => ({ ...r, amount: '1', extra: undefined }))), filterActive: false, missing: false },
    // Issue 16: the same, its parts on the parts task queue (the weft-16-parts-queue patch).
    { name: 'parts-queue', csv: customersCsv(rows), filterActive: true, missing: false, parallelism: 3 },
    // Both: the first runPipeline plans the parts, which then run on the parts task queue (what a new run does).
    { name: 'parts-queue-planned-in-pipeline', csv: customersCsv(rows), filterActive: true, missing: false, parallelism: 3 },
    // Issue 16 (weft-16-local-pipeline): a small run that ends in the local part (a local activity, no activity
    // task), and one whose local part spends its budget after a batch and hands over to the ordinary runPipeline.
    { name: 'local-pipeline-completed', csv: customersCsv(rows.slice(0, 20).map((r) => ({ ...r, amount: '1', extra: undefined }))), filterActive: false, missing: false },
    { name: 'local-pipeline-handed-over', csv: customersCsv(rows.slice(0, 100).map((r) => ({ ...r, amount: '1', extra: undefined }))), filterActive: false, missing: false, tinyBudget: true },
  ].filter((s) => only.length === 0 || only.includes(s.name));
  try {
    await worker.runUntil(async () => {
      for (const s of scenarios) {
        const fileId = await saveCsvFile(store, dir, s.csv, { missing: s.missing });
        const graph = customersGraph({ fileId, object: `history_${s.name.replace(/-/g, '_')}`, filterActive: s.filterActive });
        const { runId, versionId } = await publishAndCreateRun(store, 'parallelism' in s ? { ...graph, settings: { parallelism: s.parallelism } } : graph);
        const resumed = 'resumed' in s;
        broken = resumed;
        let { workflowId } = await (resumed ? oneAttempt : 'tinyBudget' in s ? tinyBudget : launcher).start({ runId, versionId });
        if (resumed) {
          const failed = (await client.workflow.getHandle(workflowId).result()) as { status: string };
          if (failed.status !== 'failed') throw new Error(`the run to resume ended ${failed.status}`);
          broken = false;
          if (!(await store.reopenRun(runId))) throw new Error('the failed run could not be reopened');
          ({ workflowId } = await launcher.start({ runId, versionId, resume: true }));
        }
        const handle = client.workflow.getHandle(workflowId);
        const result = (await handle.result()) as { status: string };
        const path = join(HISTORIES_DIR, `sync-integration-${s.name}.json`);
        // The CLI writes the canonical proto JSON that Worker.runReplayHistory reads (historyToJSON trips over
        // the two protobufjs copies npm installed under @temporalio/common and @temporalio/proto).
        const { stdout } = await promisify(execFile)(cli, ['workflow', 'show', '--workflow-id', workflowId, '--address', server.address, '--output', 'json'], {
          maxBuffer: 64 * 1024 * 1024,
        });
        await writeFile(path, `${JSON.stringify(JSON.parse(stdout), null, 1)}\n`);
        console.log(`[histories] ${s.name}: run ended ${result.status}; wrote ${path}`);
      }
      if (only.length === 0 || only.includes('scheduled')) {
        // scheduledSync as a Temporal Schedule starts it (triggered): it records the run, then runs it as a child.
        const fileId = await saveCsvFile(store, dir, customersCsv(rows.slice(0, 10).map((r) => ({ ...r, amount: '1', extra: undefined }))));
        const { versionId } = await publishAndCreateRun(store, customersGraph({ fileId, object: 'history_scheduled' }));
        const integrationId = (await store.getVersion(versionId))!.integrationId;
        const keeper = createScheduleKeeper({ client, taskQueue, pipeline: FAST_PIPELINE });
        await keeper.save({ integrationId, cadence: { kind: 'workdays', time: '06:00' }, timeZone: 'UTC', enabled: true });
        await keeper.trigger(integrationId);
        let workflowId: string | undefined;
        for (let i = 0; i < 100 && !workflowId; i++) {
          workflowId = (await client.schedule.getHandle(scheduleIdFor(integrationId)).describe()).info.recentActions[0]?.action.workflow.workflowId;
          if (!workflowId) await new Promise((r) => setTimeout(r, 100));
        }
        if (!workflowId) throw new Error('the schedule did not start a workflow');
        const result = (await client.workflow.getHandle(workflowId).result()) as { status: string };
        await keeper.remove(integrationId);
        const path = join(HISTORIES_DIR, 'scheduled-sync-triggered.json');
        const { stdout } = await promisify(execFile)(cli, ['workflow', 'show', '--workflow-id', workflowId, '--address', server.address, '--output', 'json'], {
          maxBuffer: 64 * 1024 * 1024,
        });
        await writeFile(path, `${JSON.stringify(JSON.parse(stdout), null, 1)}\n`);
        console.log(`[histories] scheduled: run ended ${result.status}; wrote ${path}`);
      }
    });
  } finally {
    await close();
    await connection.close();
    await store.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
