// Alerts after a run (issue 16): the run's end (store.endRun) brings the integration's alert memory, so a run that
// changes nothing and sends nothing costs no statement of its own; every other decision still goes through
// transitionAlerts under the row's lock, and a rule added after earlier quiet runs still fires.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Plan } from '../../shared';
import { openStore } from '../store';
import { graphOf } from '../store/store-suite';
import type { Store } from '../store/types';
import type { AlertMessage, Deliverer } from './deliver';
import { createAlerts } from './index';

const plan: Plan = { version: 1, steps: [], pipelines: [{ id: 'p1', nodeIds: ['src', 'dst'] }], valueMaps: {} };
const STEPS = [
  { nodeId: 'src', kind: 'csv-source', label: 'People.csv' },
  { nodeId: 'dst', kind: 'workspace-target', label: 'Contacts' },
];

let store: Store;
beforeAll(async () => {
  store = await openStore({ memory: true });
});
afterAll(async () => {
  await store.close();
});

function setUp() {
  const sent: { message: AlertMessage; webhookSecret: string }[] = [];
  const deliverer: Deliverer = {
    enqueue: (message, targets) => void sent.push({ message, webhookSecret: targets.webhookSecret }),
    drain: () => Promise.resolve(),
    emailConfigured: false,
    close: () => undefined,
  };
  const transitions = vi.spyOn(store.ops, 'transitionAlerts');
  const alerts = createAlerts({ store, deliverer, publicUrl: 'http://localhost', log: (m, err) => expect.fail(`${m}: ${String(err)}`) });
  return { sent, transitions, alerts };
}

/** A run of `integrationId` that read `read` records and rejected `rejected`, ended with `status` (as finishRun ends it). */
async function endedRun(integrationId: string, versionId: string, status: 'completed' | 'completed_with_errors' | 'failed', read: number, rejected: number) {
  const run = await store.createRun({ integrationId, versionId, trigger: 'manual', params: {}, steps: STEPS });
  await store.markRunStarted(run.id);
  await store.commitBatch({ runId: run.id, pipelineId: 'p1', batch: 1, cursor: null, counts: { src: { read }, dst: { written: read - rejected, created: read - rejected, rejected } }, rejected: [] });
  return store.endRun(run.id, status, status === 'failed' ? 'the target refused' : null);
}

describe('alerts after a run', () => {
  it('costs no statement when the run leaves the alert memory as it was; a rule added later fires', async () => {
    const integration = await store.createIntegration({ name: 'Quiet', description: '', graph: graphOf('map') });
    const version = await store.createVersion(integration.id, integration.graph, plan, 'h');
    const { sent, transitions, alerts } = setUp();
    try {
      // Healthy runs of a healthy integration: nothing to change, nothing to send, no statement.
      for (const [status, rejected] of [
        ['completed', 0],
        ['completed_with_errors', 4],
      ] as const) {
        const ended = await endedRun(integration.id, version.id, status, 10, rejected);
        expect(ended?.alertMemory).toMatchObject({ state: 'ok', consecutiveFailures: 0 });
        await alerts.afterRun(ended!.id, ended!);
      }
      expect(transitions).not.toHaveBeenCalled();
      expect(sent).toEqual([]);

      // A rule added after those runs: the next run above it alerts (through the locked transition) and moves the state.
      await store.ops.setAlerts(integration.id, { emails: [], webhookUrl: 'https://hooks.example.com/weft', onFailure: true, rejectedAbovePercent: 20, onAutoDisable: true, autoDisableAfter: 2 });
      const above = await endedRun(integration.id, version.id, 'completed_with_errors', 10, 5);
      await alerts.afterRun(above!.id, above!);
      expect(transitions).toHaveBeenCalledTimes(1);
      expect(sent.map((s) => s.message.event)).toEqual(['run.rejected_above_threshold']);
      expect(sent[0]!.webhookSecret).toMatch(/./);
      expect((await store.ops.getAlerts(integration.id))?.state).toBe('errors');

      // Still above: the state is already 'errors', so nothing changes and nothing is sent, with no statement.
      const again = await endedRun(integration.id, version.id, 'completed_with_errors', 10, 6);
      await alerts.afterRun(again!.id, again!);
      expect(transitions).toHaveBeenCalledTimes(1);
      expect(sent).toHaveLength(1);

      // Recovered: the state moves back (a write), quietly.
      const ok = await endedRun(integration.id, version.id, 'completed', 10, 0);
      await alerts.afterRun(ok!.id, ok!);
      expect(transitions).toHaveBeenCalledTimes(2);
      expect((await store.ops.getAlerts(integration.id))?.state).toBe('ok');

      // Failures always count (a write each): the first alerts, the second deactivates.
      for (let i = 0; i < 2; i += 1) {
        const failed = await endedRun(integration.id, version.id, 'failed', 10, 0);
        await alerts.afterRun(failed!.id, failed!);
      }
      expect(transitions).toHaveBeenCalledTimes(4);
      expect(sent.map((s) => s.message.event)).toEqual(['run.rejected_above_threshold', 'run.failed', 'integration.auto_disabled']);
      expect((await store.getIntegration(integration.id))?.active).toBe(false);
    } finally {
      transitions.mockRestore();
    }
  });

  it('decides again under the lock when the memory it was given is not the stored one', async () => {
    const integration = await store.createIntegration({ name: 'Stale', description: '', graph: graphOf('map') });
    const version = await store.createVersion(integration.id, integration.graph, plan, 'h');
    const { sent, transitions, alerts } = setUp();
    try {
      // The run's end read the memory as failing; another run's end has made it ok since: the locked decision is the
      // stored one's (recovered from failing is a change), so it is written, and nothing is sent.
      await store.ops.transitionAlerts(integration.id, () => ({ update: { state: 'failing', consecutiveFailures: 1 }, result: null }));
      const ended = await endedRun(integration.id, version.id, 'completed', 3, 0);
      expect(ended?.alertMemory).toMatchObject({ state: 'failing', consecutiveFailures: 1 });
      await store.ops.transitionAlerts(integration.id, () => ({ update: { state: 'ok', consecutiveFailures: 0 }, result: null }));
      transitions.mockClear();
      await alerts.afterRun(ended!.id, ended!);
      expect(transitions).toHaveBeenCalledTimes(1);
      expect(sent).toEqual([]);
      expect((await store.ops.getAlerts(integration.id))?.state).toBe('ok');
      // Without the memory (a caller that has only the run), the alerts read and decide as before.
      const other = await endedRun(integration.id, version.id, 'failed', 3, 0);
      const { alertMemory: _m, ...runOnly } = other!;
      await alerts.afterRun(other!.id, runOnly);
      expect(transitions).toHaveBeenCalledTimes(2);
      expect(sent.map((s) => s.message.event)).toEqual(['run.failed']);
      expect((await store.ops.getAlerts(integration.id))?.state).toBe('failing');
    } finally {
      transitions.mockRestore();
    }
  });
});
