// A signed inbound webhook request is accepted once: the replay digest names what was signed, not how the header was
// written. X-Weft-Signature may carry several comma-separated `sha256=` values (a sender changing secrets), so one
// that only captured a signed request could send it again within the 5-minute window with the header rewritten
// (a trailing comma, the value twice, a made-up second value) and have it stored twice. Real in-memory store, no drain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreatedWebhookSecret, Integration } from '../../shared';
import type { Store } from '../store/types';
import type { createApi } from './app';
import { openApiApp, type ApiApp } from '../../test/support/api-app';
import { signWebhookBody } from './webhooks';
import { webhookGraph } from '../../test/support/webhook-fixtures';

let store: Store;
let rig: ApiApp;
let anonymous: ReturnType<typeof createApi>;
let owner: ReturnType<typeof createApi>;

beforeAll(async () => {
  rig = await openApiApp({ name: 'webhook-replay', maxUploadBytes: 4096, deps: { passwordCost: 10 } });
  ({ anonymous, app: owner, store } = rig);
}, 60_000);

afterAll(async () => {
  await rig?.close();
});

const json = (method: string, body?: unknown) => ({ method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });

async function publishedHook(name: string) {
  const integration = Integration.parse(await (await owner.request('/api/integrations', json('POST', { name, graph: webhookGraph(name.toLowerCase().replace(/\W/g, '_')) }))).json());
  const made = CreatedWebhookSecret.parse(await (await owner.request(`/api/integrations/${integration.id}/webhook/secret`, json('POST', {}))).json());
  expect((await owner.request(`/api/integrations/${integration.id}/publish`, json('POST'))).status).toBe(200);
  return { integration, secret: made.secret, path: new URL(made.url).pathname };
}

const post = (path: string, body: string, timestamp: number, signature: string) =>
  anonymous.request(path, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-weft-timestamp': String(timestamp), 'x-weft-signature': signature } });

describe('inbound webhook replays', () => {
  it('refuses a captured signed request sent again with its signature header rewritten', async () => {
    const hook = await publishedHook('Replay rewritten');
    const body = JSON.stringify({ id: 'p1', name: 'Paid once', amount: 100 });
    const now = Math.floor(Date.now() / 1000);
    const signature = signWebhookBody(hook.secret, now, body);
    expect((await post(hook.path, body, now, signature)).status).toBe(202);

    const hex = signature.slice('sha256='.length);
    const rewritten = [
      signature,
      `${signature},`,
      `${signature}, ${signature}`,
      `sha256=${'0'.repeat(64)},${signature}`,
      `${signature},sha256=${'f'.repeat(64)}`,
      `SHA256=${hex.toUpperCase()}`,
      ` ${signature} ,`,
    ];
    for (const header of rewritten) {
      const res = await post(hook.path, body, now, header);
      expect({ header, status: res.status }).toEqual({ header, status: 409 });
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('replayed');
    }
    // Stored once.
    expect((await store.webhooks.queueDepth(hook.integration.id)).waiting).toBe(1);
  });

  it('still accepts the same body signed anew (another timestamp)', async () => {
    const hook = await publishedHook('Replay fresh');
    const body = JSON.stringify({ id: 'p2', name: 'Twice on purpose', amount: 1 });
    const now = Math.floor(Date.now() / 1000);
    expect((await post(hook.path, body, now, signWebhookBody(hook.secret, now, body))).status).toBe(202);
    expect((await post(hook.path, body, now - 1, signWebhookBody(hook.secret, now - 1, body))).status).toBe(202);
    expect((await store.webhooks.queueDepth(hook.integration.id)).waiting).toBe(2);
  });
});
