// A run's event stream is checked once when it opens, but a run can wait for hours (queued, paused by an outage): a
// token revoked or a session ended meanwhile must end the stream, not keep sending the run to whoever held it.
// Real in-memory store; the launcher never starts the run, so it stays queued and the stream would run forever.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Integration, SessionInfo, StartRunResult } from '../../shared';
import { issueToken } from './tokens';
import type { Store } from '../store/types';
import type { createApi } from './app';
import { openApiApp, type ApiApp } from '../../test/support/api-app';
import { webhookGraph } from '../../test/support/webhook-fixtures';

let store: Store;
let rig: ApiApp;
let app: ReturnType<typeof createApi>;
let ownerToken = '';

beforeAll(async () => {
  rig = await openApiApp({ name: 'run-events', maxUploadBytes: 4096, deps: { passwordCost: 10, ssePollMs: 50, sseRecheckMs: 200 } });
  ({ anonymous: app, store } = rig);
  ownerToken = (await issueToken(store, { name: 'owner', role: 'owner', createdBy: null })).token;
}, 60_000);

afterAll(async () => {
  await rig?.close();
});

const as = (auth: Record<string, string>, method: string, body?: unknown) => ({
  method,
  body: body === undefined ? undefined : JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...auth },
});

async function queuedRun(): Promise<string> {
  const owner = { authorization: `Bearer ${ownerToken}` };
  const integration = Integration.parse(await (await app.request('/api/integrations', as(owner, 'POST', { name: `Waits ${Math.random()}`, graph: webhookGraph(`waits_${Date.now()}`) }))).json());
  expect((await app.request(`/api/integrations/${integration.id}/publish`, as(owner, 'POST'))).status).toBe(200);
  const started = await app.request(`/api/integrations/${integration.id}/runs`, as(owner, 'POST', {}));
  expect(started.status).toBe(202);
  return StartRunResult.parse(await started.json()).runId;
}

/** Reads the stream until it ends (resolves true) or `ms` pass while it is still open (resolves false). */
async function endsWithin(res: Response, ms: number): Promise<{ ended: boolean; text: string }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) {
      await reader.cancel();
      return { ended: false, text };
    }
    const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), left))]);
    if (next === null) continue;
    if (next.done) return { ended: true, text };
    text += decoder.decode(next.value);
  }
}

describe("a run's event stream outlives no credential", () => {
  it('keeps streaming to a token that holds, and ends once the token is revoked', async () => {
    const runId = await queuedRun();
    const kept = await issueToken(store, { name: 'kept viewer', role: 'viewer', createdBy: null });
    const revoked = await issueToken(store, { name: 'revoked viewer', role: 'viewer', createdBy: null });
    const keptStream = await app.request(`/api/runs/${runId}/events`, { headers: { authorization: `Bearer ${kept.token}` } });
    const revokedStream = await app.request(`/api/runs/${runId}/events`, { headers: { authorization: `Bearer ${revoked.token}` } });
    expect([keptStream.status, revokedStream.status]).toEqual([200, 200]);
    expect(await store.auth.deleteToken(revoked.info.id)).not.toBeNull();
    const [a, b] = await Promise.all([endsWithin(keptStream, 1_500), endsWithin(revokedStream, 1_500)]);
    expect(a.ended).toBe(false);
    expect(a.text).toContain('event: run');
    expect(b.ended).toBe(true);
  });

  it('ends once the session signs out', async () => {
    const runId = await queuedRun();
    const person = { email: 'watcher@example.com', name: 'Wat', role: 'viewer', password: 'a long password' };
    expect((await app.request('/api/users', as({ authorization: `Bearer ${ownerToken}` }, 'POST', person))).status).toBe(201);
    const signedIn = await app.request('/api/auth/sign-in', as({}, 'POST', { email: person.email, password: person.password }));
    expect(signedIn.status).toBe(200);
    SessionInfo.parse(await signedIn.json());
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const stream = await app.request(`/api/runs/${runId}/events`, { headers: { cookie } });
    expect(stream.status).toBe(200);
    expect((await app.request('/api/auth/sign-out', as({ cookie }, 'POST', {}))).status).toBe(204);
    expect((await endsWithin(stream, 1_500)).ended).toBe(true);
  });
});
