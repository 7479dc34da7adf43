// The trigger API and alerts on the real Temporal dev server: a run started with a trigger token (and its parameters)
// runs to the end; failing runs email a real SMTP server and post signed webhooks once per change of state; the Nth
// failure in a row deactivates the integration, which then refuses to run.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CreatedTriggerToken, Integration, TriggerResult, UploadedFile } from '../../shared';
import { createAlerts } from '../../runtime/alerts';
import { createDeliverer, type Deliverer } from '../../runtime/alerts/deliver';
import { createAddressGuard } from '../../runtime/net';
import { startSmtp, startWebhookReceiver } from '../support/alert-receivers';
import { json, openApiRig, type ApiRig } from '../support/api-rig';
import { customersGraph } from '../support/temporal-harness';

let rig: ApiRig;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let deliverer: Deliverer;

beforeAll(async () => {
  smtp = await startSmtp();
  receiver = await startWebhookReceiver();
  deliverer = createDeliverer({ smtpUrl: smtp.url, smtpFrom: 'Weft <alerts@weft.test>', guard: createAddressGuard({ allowPrivate: true }), backoffMs: 50 });
  rig = await openApiRig({
    address: inject('temporalAddress'),
    name: 'ops-trigger',
    batchSize: 50,
    alerts: (store, secrets) => createAlerts({ store, deliverer, publicUrl: 'http://localhost', secrets }),
  });
});

afterAll(async () => {
  await rig?.close();
  deliverer?.close();
  await smtp?.close();
  await receiver?.close();
});

async function published(name: string, csv: string): Promise<Integration> {
  const { app } = rig;
  const upload = await app.request(`/api/files?name=${encodeURIComponent(`${name}.csv`)}`, { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } });
  const file = UploadedFile.parse(await upload.json());
  const graph = customersGraph({ fileId: file.id, object: `trig_${name.toLowerCase()}` });
  const created = Integration.parse(await (await app.request('/api/integrations', json('POST', { name, graph }))).json());
  expect((await app.request(`/api/integrations/${created.id}/publish`, json('POST'))).status).toBe(200);
  return created;
}

async function tokenOf(id: string): Promise<string> {
  return CreatedTriggerToken.parse(await (await rig.app.request(`/api/integrations/${id}/tokens`, json('POST', { name: 'Scheduler' }))).json()).token;
}

const trigger = (id: string, token: string, params?: Record<string, unknown>) =>
  rig.app.request(`/api/integrations/${id}/trigger`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(params ? { params } : {}),
  });

describe('trigger API and alerts on the dev server', () => {
  it('a good token starts a run that completes, with its parameters and trigger "api"; wrong, revoked and foreign tokens start nothing', async () => {
    const integration = await published('Good', 'Email,Name,Amount,Active\na@example.com,A,1,true\nb@example.com,B,2,true\n');
    const other = await published('Other', 'Email,Name,Amount,Active\nc@example.com,C,3,true\n');
    const token = await tokenOf(integration.id);
    const res = await trigger(integration.id, token, { region: 'EU' });
    expect(res.status).toBe(202);
    const { runId } = TriggerResult.parse(await res.json());
    const run = await rig.waitForEnd(runId);
    expect(run).toMatchObject({ status: 'completed', trigger: 'api', params: { region: 'EU' } });
    expect(run.counts).toMatchObject({ read: 2, created: 2 });

    expect((await trigger(integration.id, `weft_trg_${'0'.repeat(43)}`)).status).toBe(401);
    expect((await trigger(other.id, token)).status).toBe(403);
    const [info] = await rig.store.ops.listTriggerTokens(integration.id);
    expect((await rig.app.request(`/api/integrations/${integration.id}/tokens/${info!.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await trigger(integration.id, token)).status).toBe(401);
    expect((await rig.store.listRuns(integration.id, { limit: 10 })).total).toBe(1);
    expect((await rig.store.listRuns(other.id, { limit: 10 })).total).toBe(0);
  });

  it('alerts by email and signed webhook once per change of state, and deactivates after N failures in a row', async () => {
    // Every Amount is not a number: every record is rejected, so each run ends Failed.
    const integration = await published('Failing', 'Email,Name,Amount,Active\na@example.com,A,lots,true\nb@example.com,B,many,true\n');
    const alerts = { emails: ['ops@example.com'], webhookUrl: receiver.url, onFailure: true, rejectedAbovePercent: null, onAutoDisable: true, autoDisableAfter: 3 };
    expect((await rig.app.request(`/api/integrations/${integration.id}/alerts`, json('PUT', alerts))).status).toBe(200);
    const { webhookSecret } = (await (await rig.app.request(`/api/integrations/${integration.id}/alerts`)).json()) as { webhookSecret: string };
    const token = await tokenOf(integration.id);
    const mailsBefore = smtp.mails.length;
    const hooksBefore = receiver.hooks.length;

    const runIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await trigger(integration.id, token);
      expect(res.status).toBe(202);
      const { runId } = TriggerResult.parse(await res.json());
      runIds.push(runId);
      expect((await rig.waitForEnd(runId)).status).toBe('failed');
    }
    await deliverer.drain();

    // Run 1: "the run failed"; run 2: nothing (still failing); run 3: deactivated.
    const mails = (await smtp.waitFor(mailsBefore + 2)).slice(mailsBefore);
    expect(mails).toHaveLength(2);
    expect(mails.map((m) => /^Subject: (.*)$/m.exec(m.raw)?.[1])).toEqual(['[Weft] Failing: the run failed', '[Weft] Failing was deactivated']);
    expect(mails[0]!.to).toEqual(['ops@example.com']);
    expect(mails[0]!.raw).toContain(`http://localhost/#/runs/${runIds[0]}`);
    expect(mails[1]!.raw).toContain('Deactivated after 3 failed runs in a row');

    const hooks = (await receiver.waitFor(hooksBefore + 2)).slice(hooksBefore);
    expect(hooks.map((h) => h.headers['x-weft-event'])).toEqual(['run.failed', 'integration.auto_disabled']);
    for (const hook of hooks) {
      const ts = String(hook.headers['x-weft-timestamp']);
      expect(hook.headers['x-weft-signature']).toBe(`sha256=${createHmac('sha256', webhookSecret).update(`${ts}.${hook.body}`).digest('hex')}`);
    }
    expect(JSON.parse(hooks[0]!.body)).toMatchObject({ event: 'run.failed', integration: { id: integration.id, name: 'Failing' }, run: { id: runIds[0], status: 'failed' } });

    // Deactivated, and says why; a fourth trigger is refused with a sentence.
    const after = Integration.parse(await (await rig.app.request(`/api/integrations/${integration.id}`)).json());
    expect(after.active).toBe(false);
    expect(after.disabledReason).toMatch(/^Deactivated after 3 failed runs in a row \(last: All 2 records were rejected/);
    const refused = await trigger(integration.id, token);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/"Failing" is deactivated \(Deactivated after 3 failed runs/);
    const audit = await rig.store.auth.listAudit({ action: 'integration.auto_disabled', limit: 5, offset: 0 });
    expect(audit.items[0]).toMatchObject({ actor: 'system', targetId: integration.id });
  });

  it('alerts once when a completed run rejects more than the threshold, and not again while it stays above', async () => {
    // One of three records is rejected (33%): Completed with errors, above a 20% threshold.
    const integration = await published('Leaky', 'Email,Name,Amount,Active\na@example.com,A,1,true\nb@example.com,B,2,true\nc@example.com,C,oops,true\n');
    const alerts = { emails: [], webhookUrl: receiver.url, onFailure: true, rejectedAbovePercent: 20, onAutoDisable: true, autoDisableAfter: 5 };
    expect((await rig.app.request(`/api/integrations/${integration.id}/alerts`, json('PUT', alerts))).status).toBe(200);
    const token = await tokenOf(integration.id);
    const before = receiver.hooks.length;
    for (let i = 0; i < 2; i++) {
      const { runId } = TriggerResult.parse(await (await trigger(integration.id, token)).json());
      expect((await rig.waitForEnd(runId)).status).toBe('completed_with_errors');
    }
    await deliverer.drain();
    const hooks = receiver.hooks.slice(before);
    expect(hooks.map((h) => h.headers['x-weft-event'])).toEqual(['run.rejected_above_threshold']);
    expect(JSON.parse(hooks[0]!.body)).toMatchObject({ rejectedPercent: 33.33, threshold: 20, integration: { name: 'Leaky' } });
    const view = (await (await rig.app.request(`/api/integrations/${integration.id}/alerts`)).json()) as { state: string };
    expect(view.state).toBe('errors');
  });
});
