// runPipeline on the real dev server with commits slower than reads: the source is held back, never more than
// DEFAULT_MAX_ALIVE batches ahead of the last commit. (Before, reads raced ahead and every batch waited in memory
// for its commit: the out-of-memory worker of issue 11.)
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_MAX_ALIVE } from '../executors/drive';
import { openStore } from '../store';
import type { BatchCommit, Store } from '../store/types';
import { graphFixture } from '../../test/support/graph-fixtures';
import { FAST_PIPELINE, openTemporalRig, publishAndCreateRun, quietTemporalLogs, type TemporalRig } from '../../test/support/temporal-harness';
import { createActivities } from '.';
import { testConnections } from '../../test/support/connections';

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
  { name: 'amount', type: 'number' as const },
];

const graph = graphFixture('workspace-map-workspace', { source: { object: 'bounded_src' }, target: { object: 'bounded_dst' } });

describe('runPipeline with a slow commit', () => {
  it('holds the source back: at most four batches between the pages read and the batches committed', async () => {
    await store.writeWorkspace({ object: 'bounded_src', key: ['email'], fields, mode: 'upsert', rows: Array.from({ length: 300 }, (_, k) => ({ email: `b${k}@example.com`, amount: k })) });
    const pages = new Set<string | null>();
    let committed = 0;
    let ahead = 0;
    // Distinct pages read (one per batch: no filter; a page is known by the key it starts after) against commits
    // ended; each commit takes 40 ms, each read far less. A page read again is not counted twice: the local part
    // handing over (its budget spent on a loaded machine) or a retried attempt reads again from the last commit.
    const slowCommits = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'readWorkspacePage') {
          return (...args: Parameters<Store['readWorkspacePage']>) => {
            pages.add(args[1].after);
            ahead = Math.max(ahead, pages.size - committed);
            return target.readWorkspacePage(...args);
          };
        }
        if (prop === 'commitBatch') {
          return async (c: BatchCommit) => {
            await new Promise((resolve) => setTimeout(resolve, 40));
            const done = await target.commitBatch(c);
            committed += 1;
            return done;
          };
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const launcher = await rig.worker(createActivities({ store: slowCommits, sessions: testConnections(slowCommits), batchSize: 10 }), FAST_PIPELINE);
    const { runId, versionId } = await publishAndCreateRun(store, graph, 'Bounded');
    const { workflowId } = await launcher.start({ runId, versionId });
    const result = (await rig.client.workflow.getHandle(workflowId).result()) as { status: string };

    expect(result.status).toBe('completed');
    expect(committed).toBe(30);
    expect((await store.listWorkspaceRecords('bounded_dst')).total).toBe(300);
    // The stages still overlap (reads go ahead of commits), but only within the bound.
    expect(ahead).toBeGreaterThan(1);
    expect(ahead).toBeLessThanOrEqual(DEFAULT_MAX_ALIVE);
  });
});
