// planPartitions as an activity (issue 16), without Temporal: its decision is kept per run, so a retried planning or
// a resumed run gets the same parts, and a pipeline that already committed batches whole is never split after.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { customersCsv, customersGraph, publishAndCreateRun, saveCsvFile } from '../../test/support/temporal-harness';
import { testConnections } from '../../test/support/connections';
import { createActivities } from '.';

let store: Store;
let dir: string;
beforeAll(async () => {
  store = await openStore({ memory: true });
  dir = await mkdtemp(join(tmpdir(), 'weft-plan-parts-'));
});
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const csv = (n: number) => customersCsv(Array.from({ length: n }, (_, k) => ({ email: `p${k}@example.com`, name: `P "${k}"\nsecond line`, amount: String(k), active: 'yes' })));

async function planned(rows: number, parallelism: number | undefined, object: string) {
  const fileId = await saveCsvFile(store, dir, csv(rows));
  const graph = customersGraph({ fileId, object });
  const { runId, versionId } = await publishAndCreateRun(store, parallelism === undefined ? graph : { ...graph, settings: { parallelism } });
  const pipelineId = (await store.getVersion(versionId))!.plan.pipelines[0]!.id;
  const activities = createActivities({ store, sessions: testConnections(store) });
  return { runId, versionId, pipelineId, plan: () => activities.planPartitions({ runId, versionId, pipelineId }) };
}

describe('planPartitions', () => {
  it('splits as the setting says, and a second planning (a retry, a resumed run) gets the same parts', async () => {
    const p = await planned(400, 4, 'plan_a');
    const first = await p.plan();
    expect(first.partitions).toHaveLength(4);
    expect(first.partitions.every((x) => x.kind === 'bytes')).toBe(true);
    expect(await p.plan()).toEqual(first);
  });

  it('reads a small file whole by default (by size), and keeps that decision', async () => {
    const p = await planned(400, undefined, 'plan_b');
    const first = await p.plan();
    expect(first).toMatchObject({ partitions: [], why: expect.stringMatching(/small/) });
    expect((await store.getCheckpoint(p.runId, `${p.pipelineId}#parts`)).cursor).toEqual(first);
  });

  it('never splits a pipeline whose run already committed batches of it whole', async () => {
    const p = await planned(400, 4, 'plan_c');
    await store.commitBatch({ runId: p.runId, pipelineId: p.pipelineId, batch: 1, cursor: { nextRow: 10 }, counts: {}, rejected: [] });
    expect(await p.plan()).toMatchObject({ partitions: [], why: expect.stringMatching(/whole/) });
  });
});
