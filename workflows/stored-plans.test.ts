// Published plans are stored forever: every plan fixture of an older shape (test/fixtures/plans) is stored as it
// was, loaded through the store (migratePlan) and run to the end by today's workflow on the real dev server.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../runtime/activities';
import { resolveRunFiles } from '../runtime/api/run-files';
import { openStore } from '../runtime/store';
import type { Store } from '../runtime/store/types';
import { PLAN_VERSION, type Plan } from '../shared/compiler/plan';
import type { Graph } from '../shared/graph/schema';
import { createRunOf, customersCsv, FAST_PIPELINE, openTemporalRig, quietTemporalLogs, saveCsvFile, type TemporalRig } from '../test/support/temporal-harness';
import { testConnections } from '../test/support/connections';
import type { SyncIntegrationResult } from './sync-integration';

quietTemporalLogs('ERROR');

const FIXTURES = join(import.meta.dirname, '..', 'test', 'fixtures', 'plans');

let store: Store;
let rig: TemporalRig;
let dir: string;

beforeAll(async () => {
  store = await openStore({ memory: true });
  rig = await openTemporalRig(inject('temporalAddress'));
  dir = await mkdtemp(join(tmpdir(), 'weft-plans-'));
});
afterAll(async () => {
  await rig?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const rows = Array.from({ length: 25 }, (_, k) => ({ email: `c${k}@example.com`, name: `Customer ${k}`, amount: `${k}.5`, active: k % 2 === 0 ? 'yes' : 'no' }));

describe('stored plans of older shapes', async () => {
  const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.json'));

  it('has fixtures to run', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(`${file} loads and runs to the end`, async () => {
      const fileId = await saveCsvFile(store, dir, customersCsv(rows));
      const stored = JSON.parse((await readFile(join(FIXTURES, file), 'utf8')).replaceAll('FILE_ID', fileId)) as { graph: Graph; plan: Record<string, unknown> };
      expect(stored.plan.version).toBeLessThanOrEqual(PLAN_VERSION);

      // Stored exactly as it was (the store keeps what it is given); loading it upgrades it.
      const integration = await store.createIntegration({ name: `Stored ${file}`, description: '', graph: stored.graph });
      const version = await store.createVersion(integration.id, stored.graph, stored.plan as unknown as Plan, `fixture-${file}`);
      const loaded = await store.getVersion(version.id);
      expect(loaded?.plan.version).toBe(PLAN_VERSION);
      expect(loaded?.plan.valueMaps).toEqual({});
      const plan = loaded!.plan;

      const run = await createRunOf(store, loaded!, await resolveRunFiles(plan, {}, (id) => store.getFile(id)));
      const launcher = await rig.worker(createActivities({ store, sessions: testConnections(store), batchSize: 10 }), FAST_PIPELINE);
      const { workflowId } = await launcher.start({ runId: run.id, versionId: version.id });
      const result = (await rig.client.workflow.getHandle(workflowId).result()) as SyncIntegrationResult;
      expect(result.status).toBe('completed');

      const done = await store.getRun(run.id);
      const target = plan.steps.find((s) => s.kind === 'workspace-target')!;
      expect(done?.steps.find((s) => s.nodeId === target.nodeId)?.counts).toMatchObject({ written: rows.length, created: rows.length, rejected: 0 });
      const records = await store.listWorkspaceRecords(String(target.config.object), { limit: 100 });
      expect(records.total).toBe(rows.length);
      expect(records.items.find((r) => r.values.email === 'c3@example.com')?.values).toEqual({ email: 'c3@example.com', name: 'Customer 3', amount: 3.5, active: false });
    });
  }
});
