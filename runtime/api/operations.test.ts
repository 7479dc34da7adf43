// The trigger API and the lifecycle routes over app.request(): tokens good, wrong, revoked and of another integration,
// the rate limit, a deactivated integration, duplicate and the delete summary. Runs are only started (a fake launcher);
// test/integration/ops-trigger.test.ts runs them on the real Temporal dev server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertView, CreatedTriggerToken, DeletionSummary, Integration, TriggerResult, TriggerTokenInfo, UploadedFile } from '../../shared';
import { TriggeredRunStatus } from '../../shared/api/routes';
import { customersGraph } from '../../test/support/temporal-harness';
import { asOwner, tokenFor } from '../../test/support/signed-in';
import { testConnections } from '../../test/support/connections';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { createApi } from './app';

let store: Store;
let dir: string;
let raw: ReturnType<typeof createApi>;
let app: ReturnType<typeof createApi>;
const started: string[] = [];

const json = (method: string, body?: unknown) => ({ method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
/** A machine call: the token and nothing else (no cookie, no Origin, no CSRF token). */
const trigger = (id: string, token: string, body?: string) =>
  raw.request(`/api/integrations/${id}/trigger`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) }, body });

async function publishedIntegration(name: string): Promise<Integration> {
  const upload = await app.request('/api/files?name=customers.csv', { method: 'POST', body: 'Email,Name,Amount,Active\na@example.com,A,1,true\n', headers: { 'content-type': 'text/csv' } });
  const uploaded = (await upload.json()) as unknown;
  if (upload.status !== 201) throw new Error(`upload: ${upload.status} ${JSON.stringify(uploaded)}`);
  const file = UploadedFile.parse(uploaded);
  const created = Integration.parse(await (await app.request('/api/integrations', json('POST', { name, graph: customersGraph({ fileId: file.id, object: `ops_${name.toLowerCase().replace(/\W/g, '_')}` }) }))).json());
  const pub = await app.request(`/api/integrations/${created.id}/publish`, json('POST'));
  if (pub.status !== 200) throw new Error(`publish: ${await pub.text()}`);
  return created;
}

async function newToken(id: string, name = 'CI'): Promise<string> {
  const res = await app.request(`/api/integrations/${id}/tokens`, json('POST', { name }));
  expect(res.status).toBe(201);
  return CreatedTriggerToken.parse(await res.json()).token;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-ops-'));
  store = await openStore({ memory: true });
  raw = createApi({
    store,
    launcher: {
      start: async (r) => {
        started.push(r.runId);
        return { workflowId: `w-${r.runId}` };
      },
    },
    filesDir: join(dir, 'files'),
    maxUploadBytes: 1 << 20,
    connections: testConnections(store, { filesDir: join(dir, 'files') }),
    publicUrl: 'http://localhost',
    triggerLimit: { max: 3, windowMs: 60_000 },
  });
  app = await asOwner(raw, store);
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the trigger API', () => {
  it('starts a run with a good token and its parameters, without a session, Origin or CSRF token, and answers a status URL', async () => {
    const integration = await publishedIntegration('Orders');
    const token = await newToken(integration.id);
    expect(token).toMatch(/^weft_trg_/);
    const res = await trigger(integration.id, token, JSON.stringify({ params: { since: '2026-01-01', limit: 5 } }));
    expect(res.status).toBe(202);
    const body = TriggerResult.parse(await res.json());
    expect(started).toContain(body.runId);
    expect(body.statusUrl).toBe(`http://localhost/api/integrations/${integration.id}/trigger/runs/${body.runId}`);
    const run = await store.getRun(body.runId);
    expect(run).toMatchObject({ trigger: 'api', params: { since: '2026-01-01', limit: 5 } });

    // The status URL answers to the same token.
    const status = await raw.request(new URL(body.statusUrl).pathname, { headers: { authorization: `Bearer ${token}` } });
    expect(status.status).toBe(200);
    expect(TriggeredRunStatus.parse(await status.json())).toMatchObject({ runId: body.runId, status: 'queued' });

    // Listed with its last use, never the token; the audit log names the token, not its value.
    const [info] = TriggerTokenInfo.array().parse(await (await app.request(`/api/integrations/${integration.id}/tokens`)).json());
    expect(info).toMatchObject({ name: 'CI', integrationId: integration.id });
    expect(info!.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(info)).not.toContain(token);
    const audit = await store.auth.listAudit({ action: 'integration.triggered', limit: 5, offset: 0 });
    expect(audit.items[0]).toMatchObject({ actor: 'trigger:CI', targetId: integration.id });
    expect(JSON.stringify(audit.items)).not.toContain(token);

    // No body at all is a run without parameters.
    const bare = await trigger(integration.id, token);
    expect(bare.status).toBe(202);
    expect((await store.getRun(TriggerResult.parse(await bare.json()).runId))?.params).toEqual({});
  });

  it('answers 401 to a wrong token and to a revoked one, and never logs either in full', async () => {
    const integration = await publishedIntegration('Contacts');
    const token = await newToken(integration.id, 'Nightly');
    const wrong = `weft_trg_${'x'.repeat(43)}`;
    const res = await trigger(integration.id, wrong, '{}');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');

    const [info] = TriggerTokenInfo.array().parse(await (await app.request(`/api/integrations/${integration.id}/tokens`)).json());
    expect((await app.request(`/api/integrations/${integration.id}/tokens/${info!.id}`, { method: 'DELETE' })).status).toBe(204);
    const revoked = await trigger(integration.id, token, '{}');
    expect(revoked.status).toBe(401);
    expect(await revoked.text()).not.toContain(token);

    const refused = await store.auth.listAudit({ action: 'trigger_token.refused', limit: 10, offset: 0 });
    expect(refused.items.length).toBeGreaterThanOrEqual(2);
    const logged = JSON.stringify(refused.items);
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(wrong);
    expect(logged).toContain('weft_trg_xxxxxx…');
  });

  it("answers 403 to a token of another integration, to an API token and to a session; the token opens no other route", async () => {
    const a = await publishedIntegration('A');
    const b = await publishedIntegration('B');
    const tokenOfA = await newToken(a.id);
    const other = await trigger(b.id, tokenOfA, '{}');
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('wrong_integration');
    // An owner's API token is not a trigger token.
    expect((await trigger(b.id, await tokenFor(store, 'owner', 'owner-2'), '{}')).status).toBe(403);
    // Without any credentials: 401.
    expect((await raw.request(`/api/integrations/${b.id}/trigger`, json('POST', {}))).status).toBe(401);
    // A trigger token is no principal anywhere else.
    expect((await raw.request(`/api/integrations/${a.id}`, { headers: { authorization: `Bearer ${tokenOfA}` } })).status).toBe(401);
    expect((await raw.request(`/api/integrations/${a.id}/runs`, { method: 'POST', headers: { authorization: `Bearer ${tokenOfA}`, 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
  });

  it('rate-limits per token with 429 and Retry-After', async () => {
    const integration = await publishedIntegration('Limited');
    const token = await newToken(integration.id);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const res = await trigger(integration.id, token, '{}');
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Another token of the same integration has its own allowance.
    expect((await trigger(integration.id, await newToken(integration.id, 'second'), '{}')).status).toBe(202);
  });

  it('keeps the Host, Origin and Sec-Fetch-Site checks for the trigger route (only the CSRF/content-type rule is a bearer\'s)', async () => {
    const integration = await publishedIntegration('Guarded');
    const token = await newToken(integration.id);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const path = `/api/integrations/${integration.id}/trigger`;
    const crossOrigin = await raw.request(path, { method: 'POST', headers: { ...headers, origin: 'http://evil.example' }, body: '{}' });
    expect(crossOrigin.status).toBe(403);
    expect(((await crossOrigin.json()) as { error: { code: string } }).error.code).toBe('cross_origin');
    const crossSite = await raw.request(path, { method: 'POST', headers: { ...headers, 'sec-fetch-site': 'cross-site' }, body: '{}' });
    expect(crossSite.status).toBe(403);
    const wrongHost = await raw.request(`http://evil.example${path}`, { method: 'POST', headers, body: '{}' });
    expect(wrongHost.status).toBe(421);
    // A body that is not JSON is refused by the route itself (a bearer call skips only the guard's CSRF rule).
    const plain = await raw.request(path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body: 'params=1' });
    expect(plain.status).toBe(415);
    expect((await store.listRuns(integration.id, { limit: 10 })).total).toBe(0);
    expect((await trigger(integration.id, token, '{}')).status).toBe(202);
  });

  it('refuses a body that is not {params} with the field at fault', async () => {
    const integration = await publishedIntegration('Bodies');
    const token = await newToken(integration.id);
    const res = await trigger(integration.id, token, JSON.stringify({ params: 'yes' }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { issues: { path: string }[] } }).error.issues[0]?.path).toBe('params');
  });
});

describe('lifecycle', () => {
  it('a deactivated integration cannot run (409 with a sentence) by hand or by trigger; activating lets it run again', async () => {
    const integration = await publishedIntegration('Paused');
    const token = await newToken(integration.id);
    const off = await app.request(`/api/integrations/${integration.id}/active`, json('PUT', { active: false }));
    expect(off.status).toBe(200);
    expect(Integration.parse(await off.json())).toMatchObject({ active: false, disabledReason: null });
    const byHand = await app.request(`/api/integrations/${integration.id}/runs`, json('POST', {}));
    expect(byHand.status).toBe(409);
    const error = ((await byHand.json()) as { error: { code: string; message: string } }).error;
    expect(error).toEqual({ code: 'inactive', message: '"Paused" is deactivated; activate it on its page before running it' });
    expect((await trigger(integration.id, token, '{}')).status).toBe(409);

    expect((await app.request(`/api/integrations/${integration.id}/active`, json('PUT', { active: true }))).status).toBe(200);
    expect((await app.request(`/api/integrations/${integration.id}/runs`, json('POST', {}))).status).toBe(202);
    const actions = (await store.auth.listAudit({ limit: 50, offset: 0 })).items.filter((e) => e.targetId === integration.id).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['integration.deactivated', 'integration.activated']));
  });

  it('duplicates the design as "<name> (copy)", unpublished, active, without tokens, with the alert settings', async () => {
    const integration = await publishedIntegration('Invoices');
    await newToken(integration.id);
    const alerts = { emails: ['ops@example.com'], webhookUrl: null, onFailure: true, rejectedAbovePercent: 10, onAutoDisable: true, autoDisableAfter: 3 };
    expect((await app.request(`/api/integrations/${integration.id}/alerts`, json('PUT', alerts))).status).toBe(200);
    const res = await app.request(`/api/integrations/${integration.id}/duplicate`, { method: 'POST' });
    expect(res.status).toBe(201);
    const copy = Integration.parse(await res.json());
    expect(copy).toMatchObject({ name: 'Invoices (copy)', publishedVersionId: null, active: true, description: integration.description });
    expect(copy.id).not.toBe(integration.id);
    expect(copy.graph).toEqual((await store.getIntegration(integration.id))!.graph);
    expect(await (await app.request(`/api/integrations/${copy.id}/tokens`)).json()).toEqual([]);
    const copied = AlertView.parse(await (await app.request(`/api/integrations/${copy.id}/alerts`)).json());
    expect(copied.settings).toEqual(alerts);
    // Its own signing secret, not the original's.
    const original = AlertView.parse(await (await app.request(`/api/integrations/${integration.id}/alerts`)).json());
    expect(copied.webhookSecret).not.toBe(original.webhookSecret);
  });

  it('keeps the alert signing secret sealed, shows it opened, and replaces it on rotate (sec16)', async () => {
    const integration = await publishedIntegration('Sealed alerts');
    const first = AlertView.parse(await (await app.request(`/api/integrations/${integration.id}/alerts`)).json());
    expect(first.webhookSecret).toMatch(/^whsec_[\w-]{32}$/);
    const stored = async () => (await store.ops.getAlerts(integration.id))!.webhookSecret!;
    // In the store: sealed (v1:iv:tag:data), never the secret itself; the next read shows the same one.
    expect(await stored()).toMatch(/^v1:[^:]+:[^:]+:[^:]+$/);
    expect(await stored()).not.toContain(first.webhookSecret!.slice(6));
    expect(AlertView.parse(await (await app.request(`/api/integrations/${integration.id}/alerts`)).json()).webhookSecret).toBe(first.webhookSecret);

    const rotated = await app.request(`/api/integrations/${integration.id}/alerts/rotate-secret`, json('POST'));
    expect(rotated.status).toBe(200);
    const second = AlertView.parse(await rotated.json());
    expect(second.webhookSecret).toMatch(/^whsec_/);
    expect(second.webhookSecret).not.toBe(first.webhookSecret);
    expect(await stored()).not.toContain(second.webhookSecret!.slice(6));
    expect(AlertView.parse(await (await app.request(`/api/integrations/${integration.id}/alerts`)).json()).webhookSecret).toBe(second.webhookSecret);
    const actions = (await store.auth.listAudit({ limit: 50, offset: 0 })).items.filter((e) => e.targetId === integration.id).map((e) => e.action);
    expect(actions).toContain('integration.alert_secret_rotated');
    expect((await app.request('/api/integrations/int_unknown/alerts/rotate-secret', json('POST'))).status).toBe(404);

    // Sealed with another key (a copy of the database on another server): not shown, and rotating makes a readable one.
    await store.ops.setAlertSecret(integration.id, testConnections(store).sealWebhookSecret('whsec_other'), false);
    expect(AlertView.parse(await (await app.request(`/api/integrations/${integration.id}/alerts`)).json()).webhookSecret).toBeNull();
    const again = AlertView.parse(await (await app.request(`/api/integrations/${integration.id}/alerts/rotate-secret`, json('POST'))).json());
    expect(again.webhookSecret).toMatch(/^whsec_/);
  });

  it('summarises what a delete removes, then deletes the integration with its tokens', async () => {
    const integration = await publishedIntegration('Doomed');
    await newToken(integration.id);
    await app.request(`/api/integrations/${integration.id}/runs`, json('POST', {}));
    const summary = DeletionSummary.parse(await (await app.request(`/api/integrations/${integration.id}/deletion`)).json());
    expect(summary).toEqual({ versions: 1, runs: 1, rejectedRecords: 0, tokens: 1 });
    // The run is "scheduled" (the fake launcher never ends it): finish it so the delete is allowed.
    const [run] = (await store.listRuns(integration.id, { limit: 1 })).items;
    await store.finishRun(run!.id, 'completed', null);
    expect((await app.request(`/api/integrations/${integration.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await app.request(`/api/integrations/${integration.id}/deletion`)).status).toBe(404);
    expect(await store.ops.listTriggerTokens(integration.id)).toEqual([]);
  });

  it('refuses a webhook address the host policy refuses, naming the field', async () => {
    const integration = await publishedIntegration('Hooks');
    const strict = await asOwner(
      createApi({
        store,
        launcher: { start: async (r) => ({ workflowId: r.runId }) },
        filesDir: join(dir, 'files'),
        maxUploadBytes: 1 << 20,
        connections: testConnections(store, { filesDir: join(dir, 'files') }),
        alertGuard: (await import('../net')).createAddressGuard({ allowPrivate: false }),
      }),
      store,
    );
    const res = await strict.request(`/api/integrations/${integration.id}/alerts`, json('PUT', { webhookUrl: 'http://127.0.0.1:9/hook' }));
    expect(res.status).toBe(400);
    const error = ((await res.json()) as { error: { issues: { path: string; message: string }[] } }).error;
    expect(error.issues[0]).toMatchObject({ path: 'webhookUrl' });
    expect(error.issues[0]!.message).toMatch(/WEFT_ALLOW_PRIVATE_HOSTS/);
  });
});
