// Resuming a failed run, on the real dev server and through the API: it continues after its last committed batch,
// with the same version, start time and files, and writes every row once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RunDetail } from '../../shared';
import { asOwner } from '../../test/support/signed-in';
import { createApi } from '../api/app';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { customersCsv, customersGraph, failingCommits, FAST_PIPELINE, openTemporalRig, publishAndCreateRun, quietTemporalLogs, saveCsvFile, type TemporalRig } from '../../test/support/temporal-harness';
import { createActivities } from '.';
import { testConnections } from '../../test/support/connections';

quietTemporalLogs('ERROR');

let store: Store;
let dir: string;
let rig: TemporalRig;

beforeAll(async () => {
  store = await openStore({ memory: true });
  dir = await mkdtemp(join(tmpdir(), 'weft-resume-'));
  rig = await openTemporalRig(inject('temporalAddress'));
});
afterAll(async () => {
  await rig?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const post = (path: string) => ({ path, init: { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } } });

describe('resuming a failed run', () => {
  it('continues from the last committed batch instead of reading everything again', async () => {
    const commits: number[] = [];
    let broken = true;
    // Batch 4's commit fails on every try while "broken" (an error that is not an outage, so Temporal's retry policy
    // decides): the run runs out of attempts with three batches committed.
    const connections = testConnections(store, { filesDir: join(dir, 'files') });
    const activities = createActivities({ store: failingCommits(store, (c) => broken && c.batch === 4, commits, 'deadlock detected'), sessions: connections, batchSize: 10 });
    const launcher = await rig.worker(activities, { ...FAST_PIPELINE, maximumAttempts: 2 });
    const app = await asOwner(createApi({ store, launcher, filesDir: join(dir, 'files'), maxUploadBytes: 1024, connections }), store);
    const getRun = async (id: string) => RunDetail.parse(await (await app.request(`/api/runs/${id}`)).json());

    const N = 60;
    const fileId = await saveCsvFile(store, dir, customersCsv(Array.from({ length: N }, (_, k) => ({ email: `m${k}@example.com`, name: `M ${k}`, amount: String(k), active: 'yes' }))));
    const { runId, versionId } = await publishAndCreateRun(store, customersGraph({ fileId, object: 'resumed_run' }));
    const first = await launcher.start({ runId, versionId });
    await rig.client.workflow.getHandle(first.workflowId).result();

    const failed = await getRun(runId);
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe('deadlock detected');
    expect(failed.resumeFromRow).toBe(31);
    expect(commits).toEqual([1, 2, 3, 4, 4]);

    broken = false;
    const { path, init } = post(`/api/runs/${runId}/resume`);
    const res = await app.request(path, init);
    expect(res.status).toBe(202);
    const { workflowId } = (await res.json()) as { workflowId: string };
    expect(workflowId).toMatch(new RegExp(`^run-${runId}-resume-`));
    // A second click while it runs is refused: a run resumes once.
    const again = await app.request(path, init);
    expect(again.status).toBe(409);

    const result = (await rig.client.workflow.getHandle(workflowId).result()) as { status: string };
    expect(result.status).toBe('completed');
    // Only the batches after the checkpoint were read and committed again.
    expect(commits).toEqual([1, 2, 3, 4, 4, 4, 5, 6]);

    const done = await getRun(runId);
    expect(done).toMatchObject({ status: 'completed', error: null, versionId, startedAt: failed.startedAt });
    expect(done.resumeFromRow).toBeUndefined();
    expect(done.steps.map((s) => [s.nodeId, s.status, s.error])).toEqual([
      ['source', 'completed', null],
      ['map', 'completed', null],
      ['target', 'completed', null],
    ]);
    expect(done.steps.find((s) => s.nodeId === 'source')?.counts).toMatchObject({ read: N, written: N });
    expect(done.steps.find((s) => s.nodeId === 'target')?.counts).toMatchObject({ read: N, written: N, created: N, updated: 0 });
    const records = await store.listWorkspaceRecords('resumed_run', { limit: 1000 });
    expect(records.total).toBe(N);
    expect(new Set(records.items.map((r) => r.key)).size).toBe(N);

    // A completed run has nothing to resume.
    const completedAgain = await app.request(path, init);
    expect(completedAgain.status).toBe(409);
    expect(((await completedAgain.json()) as { error: { message: string } }).error.message).toBe('Only a failed run can be resumed; this one is completed');
  });
});
