// Workspace -> workspace on the real Temporal dev server: a Workspace source (with a formula filter) through a Map
// into another workspace object, surviving a failed commit mid-run, and a second run changing nothing.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../runtime/activities';
import { openStore } from '../runtime/store';
import type { Store } from '../runtime/store/types';
import { graphFixture } from '../test/support/graph-fixtures';
import { failingCommits, FAST_PIPELINE, openTemporalRig, publishAndCreateRun, quietTemporalLogs, type TemporalRig } from '../test/support/temporal-harness';
import type { SyncIntegrationResult } from './sync-integration';
import { testConnections } from '../test/support/connections';

quietTemporalLogs('ERROR');

let store: Store;
let rig: TemporalRig;

beforeAll(async () => {
  store = await openStore({ memory: true });
  rig = await openTemporalRig(inject('temporalAddress'));
});
afterAll(async () => {
  await rig?.close();
  await store?.close();
});

const fields = [
  { name: 'email', type: 'text' as const },
  { name: 'name', type: 'text' as const },
  { name: 'amount', type: 'number' as const },
  { name: 'active', type: 'boolean' as const },
];
const customers = Array.from({ length: 95 }, (_, k) => ({ email: `p${k}@example.com`, name: `Person ${k}`, amount: k * 10, active: k % 4 !== 0 }));
const wanted = customers.filter((c) => c.active && c.amount > 100);

const graph = (from: string, to: string) => graphFixture('workspace-filtered-map-workspace', { source: { object: from }, target: { object: to } });

describe('workspace -> workspace on the real dev server', () => {
  it('reads the filtered object once, across a failed commit, and a second run changes nothing', async () => {
    await store.writeWorkspace({ object: 'crm_customers', key: ['email'], fields, mode: 'upsert', rows: customers });
    const commits: number[] = [];
    let failed = false;
    const launcher = await rig.worker(
      createActivities({ store: failingCommits(store, (c) => c.batch === 3 && !failed && (failed = true), commits), sessions: testConnections(store), batchSize: 10 }),
      FAST_PIPELINE,
    );
    const runOnce = async () => {
      const { runId, versionId } = await publishAndCreateRun(store, graph('crm_customers', 'big_customers'), 'Big customers');
      const { workflowId } = await launcher.start({ runId, versionId });
      const result = (await rig.client.workflow.getHandle(workflowId).result()) as SyncIntegrationResult;
      return { result, run: await store.getRun(runId) };
    };

    const first = await runOnce();
    expect(first.result.status).toBe('completed');
    const batches = Math.ceil(wanted.length / 10);
    // The retry resumed at batch 3 from the connector's cursor, not from the start.
    expect(commits).toEqual([1, 2, 3, ...Array.from({ length: batches - 2 }, (_, k) => k + 3)]);
    const counts = (nodeId: string) => first.run?.steps.find((s) => s.nodeId === nodeId)?.counts;
    expect(counts('source')).toMatchObject({ read: wanted.length, rejected: 0 });
    expect(counts('target')).toMatchObject({ written: wanted.length, created: wanted.length, updated: 0, rejected: 0 });

    const stored = await store.listWorkspaceRecords('big_customers', { limit: 200 });
    expect(stored.total).toBe(wanted.length);
    expect(stored.items.map((r) => r.values).sort((a, b) => String(a.email).localeCompare(String(b.email)))).toEqual(
      wanted.map((c) => ({ email: c.email, full_name: c.name, amount: c.amount })).sort((a, b) => a.email.localeCompare(b.email)),
    );

    const second = await runOnce();
    expect(second.result.status).toBe('completed');
    expect(second.run?.steps.find((s) => s.nodeId === 'target')?.counts).toMatchObject({ written: wanted.length, created: 0, updated: 0 });
  });
});
