// Cancel in the window between a run's record and its workflow's start (review13b, twkeys14), on the real Temporal dev
// server and a real store. A run is recorded Queued before its workflow starts (runtime/api/start-run.ts); a Cancel in
// that window finds no workflow and records the run Cancelled. Before the fix the workflow then started anyway: it ran
// the integration (wrote its rows) and its end overwrote Cancelled with Completed — the cancel was lost.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Integration } from '../../shared';
import { createActivities } from '../../runtime/activities';
import { createApi } from '../../runtime/api/app';
import type { RunLauncher } from '../../runtime/api/deps';
import type { Store } from '../../runtime/store/types';
import { createRunLauncher } from '../../runtime/temporal/client';
import { json } from '../support/api-rig';
import { asOwner } from '../support/signed-in';
import { waiter } from '../support/wait-for';
import { openWorkerBench, type WorkerBench } from '../support/worker-bench';
import { customersCsv, customersGraph, FAST_PIPELINE, quietTemporalLogs, saveCsvFile } from '../support/temporal-harness';

quietTemporalLogs('ERROR');

let bench: WorkerBench;
let store: Store;
let dir: string;
let client: Client;
let app: Awaited<ReturnType<typeof asOwner>>;

/** A gate a test opens: `wait()` resolves once `open()` is called (open by default). */
function gate() {
  let release = () => undefined as void;
  let promise: Promise<void> = Promise.resolve();
  return {
    close() {
      promise = new Promise<void>((r) => (release = r));
    },
    open: () => release(),
    wait: () => promise,
  };
}
/** Held: the launcher's start (the workflow's start reaches Temporal when opened). */
const startGate = gate();
/** Held: the worker's beginRun, after it marked the run running (the workflow has begun the run). */
const beganGate = gate();
const began: string[] = [];
/** The launcher's cancel, wrapped by a test (undefined: the real one). */
let cancelHook: ((workflowId: string, real: NonNullable<RunLauncher['cancel']>) => Promise<{ running: boolean; closed?: boolean }>) | undefined;
/** Set by a test: the launcher's start fails (after the gate) with this error, once. */
let startFailure: Error | undefined;

beforeAll(async () => {
  bench = await openWorkerBench({
    address: inject('temporalAddress'),
    name: 'cancel-early',
    // The worker's store: beginRun's markRunStarted is seen (and held when a test closes the gate).
    activities: ({ store: real, sessions }) => {
      const watched: Store = {
        ...real,
        async markRunStarted(runId) {
          const open = await real.markRunStarted(runId);
          began.push(runId);
          await beganGate.wait();
          return open;
        },
      };
      return createActivities({ store: watched, sessions, batchSize: 50 });
    },
  });
  ({ store, dir, client } = bench);
  const real = createRunLauncher({ client, taskQueue: bench.taskQueue, pipeline: FAST_PIPELINE });
  const launcher: RunLauncher = {
    async start(args) {
      await startGate.wait();
      const failure = startFailure;
      startFailure = undefined;
      if (failure) throw failure;
      return real.start(args);
    },
    cancel: (workflowId) => (cancelHook ? cancelHook(workflowId, real.cancel!) : real.cancel!(workflowId)),
  };
  app = await asOwner(createApi({ store, launcher, filesDir: bench.filesDir, maxUploadBytes: 1024 * 1024, connections: bench.sessions }), store);
});

afterAll(async () => {
  startGate.open();
  beganGate.open();
  await bench?.close();
});

async function integration(name: string): Promise<{ id: string; object: string }> {
  const csv = customersCsv(Array.from({ length: 3 }, (_, k) => ({ email: `p${k}@example.com`, name: `P ${k}`, amount: `${k}`, active: 'yes' })));
  const fileId = await saveCsvFile(store, join(dir, 'files'), csv);
  const object = `out_${randomUUID().slice(0, 8)}`;
  const res = await app.request('/api/integrations', json('POST', { name, graph: customersGraph({ fileId, object }) }));
  const created = Integration.parse(await res.json());
  expect((await app.request(`/api/integrations/${created.id}/publish`, json('POST'))).status).toBe(200);
  return { id: created.id, object };
}

const waitFor = waiter({ everyMs: 50 });

/** The run the start request recorded (Queued: its workflow's start is held at the gate). */
async function recordedRun(integrationId: string): Promise<string> {
  return waitFor('the run to be recorded', async () => (await store.listRuns(integrationId, { limit: 1 })).items[0]?.id);
}

/** Ends when Temporal closed the run's workflow, whatever its outcome. */
async function workflowClosed(runId: string): Promise<string> {
  return waitFor('the workflow to close', async () => {
    try {
      const { status } = await client.workflow.getHandle(`run-${runId}`).describe();
      return status.name === 'RUNNING' ? false : status.name;
    } catch {
      return false;
    }
  });
}

describe("Cancel just before a run's workflow starts", () => {
  it('ends the run Cancelled when the cancel lands before Temporal has the workflow: the workflow writes nothing', async () => {
    const { id, object } = await integration('Cancelled before it started');
    startGate.close();
    const starting = app.request(`/api/integrations/${id}/runs`, json('POST', {}));
    const runId = await recordedRun(id);
    expect((await store.getRunState(runId))?.status).toBe('queued');
    const res = await app.request(`/api/runs/${runId}/cancel`, json('POST'));
    expect(res.status, await res.clone().text()).toBe(202);
    expect(await res.json()).toEqual({ runId, status: 'cancelled' });
    // Now the start reaches Temporal, and a worker takes the workflow.
    startGate.open();
    expect((await starting).status).toBe(202);
    await workflowClosed(runId);
    expect(began).toContain(runId);
    const run = await store.getRun(runId);
    expect(run?.status).toBe('cancelled');
    expect(run?.error).toBe('Cancelled before it started.');
    expect(run?.steps.map((s) => s.status)).toEqual(run?.steps.map(() => 'pending'));
    // Nothing written: the object was never made (or holds no record).
    const written = (await store.getWorkspaceObject(object)) ? (await store.listWorkspaceRecords(object)).total : 0;
    expect(written).toBe(0);
  });

  it('ends the run Cancelled when the workflow begins the run between Cancel finding no workflow and recording it', async () => {
    const { id } = await integration('Began while cancelled');
    startGate.close();
    beganGate.close();
    const starting = app.request(`/api/integrations/${id}/runs`, json('POST', {}));
    const runId = await recordedRun(id);
    // Cancel asks Temporal (no workflow yet); before it records the run, the workflow starts and begins the run.
    cancelHook = async (workflowId, real) => {
      cancelHook = undefined;
      const answer = await real(workflowId);
      startGate.open();
      await waitFor('the workflow to begin the run', () => began.includes(runId));
      expect((await store.getRunState(runId))?.status).toBe('running');
      return answer;
    };
    const res = await app.request(`/api/runs/${runId}/cancel`, json('POST'));
    expect(res.status, await res.clone().text()).toBe(202);
    expect((await starting).status).toBe(202);
    beganGate.open();
    await workflowClosed(runId);
    const run = await store.getRun(runId);
    expect(run?.status).toBe('cancelled');
  });

  // review14b: the start that failed after the Cancel recorded its end over Cancelled ("Failed: Could not start the run").
  it('keeps Cancelled when the start, held while Cancel recorded it, then fails', async () => {
    const { id } = await integration('Cancelled, then its start failed');
    startGate.close();
    startFailure = new Error('engine went away');
    const starting = app.request(`/api/integrations/${id}/runs`, json('POST', {}));
    const runId = await recordedRun(id);
    const res = await app.request(`/api/runs/${runId}/cancel`, json('POST'));
    expect(res.status, await res.clone().text()).toBe(202);
    startGate.open();
    expect((await starting).status).toBe(503);
    const run = await store.getRun(runId);
    expect(run?.status).toBe('cancelled');
    expect(run?.error).toBe('Cancelled before it started.');
  });
});
