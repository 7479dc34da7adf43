// Alerts after a run: every run's decision is made under the integration row's lock (transitionAlerts), in the order
// the decisions reach it. lat16h (ninth session) skipped the lock when the memory read by the run's end said nothing
// would change; the outsider review found that a success ending while a failure's decision was still on its way then
// left the state "failing" for good, so the next failure sent no alert. That shortcut is gone; this test keeps it out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../shared';
import { openStore } from '../store';
import { graphOf } from '../store/store-suite';
import type { Store } from '../store/types';
import type { AlertMessage, Deliverer } from './deliver';
import { createAlerts } from './index';
import { testConnections } from '../../test/support/connections';
import { createConnectionService, connectorLookup } from '../connections';
import type { SecretBox } from './secret';

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

function setUp(secrets: SecretBox = testConnections(store), log: (m: string, err?: unknown) => void = (m, err) => expect.fail(`${m}: ${String(err)}`)) {
  const sent: { message: AlertMessage; webhookSecret: string; webhookUrl: string | null }[] = [];
  const deliverer: Deliverer = {
    enqueue: (message, targets) => void sent.push({ message, webhookSecret: targets.webhookSecret, webhookUrl: targets.webhookUrl }),
    drain: () => Promise.resolve(),
    emailConfigured: false,
    close: () => undefined,
  };
  const alerts = createAlerts({ store, deliverer, publicUrl: 'http://localhost', secrets, log });
  return { sent, alerts };
}

/** A run of `integrationId` that read `read` records and rejected `rejected`, ended with `status` (as finishRun ends it). */
async function endedRun(integrationId: string, versionId: string, status: 'completed' | 'completed_with_errors' | 'failed', read: number, rejected: number) {
  const run = await store.createRun({ integrationId, versionId, trigger: 'manual', params: {}, steps: STEPS });
  await store.markRunStarted(run.id);
  await store.commitBatch({ runId: run.id, pipelineId: 'p1', batch: 1, cursor: null, counts: { src: { read }, dst: { written: read - rejected, created: read - rejected, rejected } }, rejected: [] });
  return store.endRun(run.id, status, status === 'failed' ? 'the target refused' : null);
}

describe('alerts after a run', () => {
  it('a success that ends while a failure is being decided still resets the state: the next failure alerts', async () => {
    const integration = await store.createIntegration({ name: 'Overlap', description: '', graph: graphOf('map') });
    const version = await store.createVersion(integration.id, integration.graph, plan, 'h');
    await store.ops.setAlerts(integration.id, { emails: [], webhookUrl: 'https://hooks.example.com/weft', onFailure: true, rejectedAbovePercent: null, onAutoDisable: true, autoDisableAfter: 5 });
    const { sent, alerts } = setUp();
    // R1 fails and R2 succeeds; R2's end is recorded before R1's decision is made, and R2 is decided last.
    const r1 = await endedRun(integration.id, version.id, 'failed', 10, 0);
    const r2 = await endedRun(integration.id, version.id, 'completed', 10, 0);
    await alerts.afterRun(r1!.id, r1!);
    await alerts.afterRun(r2!.id, r2!);
    expect(sent.map((s) => s.message.event)).toEqual(['run.failed']);
    expect(await store.ops.getAlerts(integration.id)).toMatchObject({ state: 'ok', consecutiveFailures: 0 });
    // The next failure is a new failure: it alerts.
    const r3 = await endedRun(integration.id, version.id, 'failed', 10, 0);
    await alerts.afterRun(r3!.id, r3!);
    expect(sent.map((s) => s.message.event)).toEqual(['run.failed', 'run.failed']);
    expect(await store.ops.getAlerts(integration.id)).toMatchObject({ state: 'failing', consecutiveFailures: 1 });
  });

  it('signs the webhook with the secret sealed in the store, and sends none it cannot sign (sec16)', async () => {
    const integration = await store.createIntegration({ name: 'Signed', description: '', graph: graphOf('map') });
    const version = await store.createVersion(integration.id, integration.graph, plan, 'h');
    await store.ops.setAlerts(integration.id, { emails: ['ops@example.com'], webhookUrl: 'https://hooks.example.com/weft', onFailure: true, rejectedAbovePercent: null, onAutoDisable: true, autoDisableAfter: 0 });
    // A worker without the secrets key: the email goes, the webhook does not (unsigned, it could not be told from a forgery).
    const logged: string[] = [];
    const keyless = createConnectionService({ store, secretKey: null, connectors: connectorLookup([]), warn: () => undefined });
    const without = setUp(keyless, (m) => void logged.push(m));
    const r1 = await endedRun(integration.id, version.id, 'failed', 10, 0);
    await without.alerts.afterRun(r1!.id, r1!);
    expect(without.sent.map((s) => [s.message.event, s.webhookUrl])).toEqual([['run.failed', null]]);
    expect(logged.join('\n')).toMatch(/signing secret cannot be read here/);
    expect((await store.ops.getAlerts(integration.id))!.webhookSecret).toBeNull();
    // With the key: made on first need, stored sealed, and the one the webhook is signed with.
    const box = testConnections(store);
    const { sent, alerts } = setUp(box);
    const r2 = await endedRun(integration.id, version.id, 'completed', 10, 0);
    await alerts.afterRun(r2!.id, r2!);
    const r3 = await endedRun(integration.id, version.id, 'failed', 10, 0);
    await alerts.afterRun(r3!.id, r3!);
    const stored = (await store.ops.getAlerts(integration.id))!.webhookSecret!;
    expect(sent.map((s) => s.webhookUrl)).toEqual(['https://hooks.example.com/weft']);
    expect(sent[0]!.webhookSecret).toMatch(/^whsec_/);
    expect(stored).not.toContain(sent[0]!.webhookSecret.slice(6));
    expect(box.openWebhookSecret(stored)).toBe(sent[0]!.webhookSecret);
  });
});
