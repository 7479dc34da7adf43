// Inbound webhooks on the real Temporal dev server and an in-memory PGlite store, through the whole API: signed
// requests answered 202 and drained by runs of one workflow per integration, a burst of 1,000 concurrent requests
// written exactly once by far fewer runs, and every refusal (signature, token, replay, size, type, unknown URL,
// hostile bodies). The 10,000-request burst and a worker killed mid-drain are test/faults/webhook-burst.heavy.test.ts.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CreatedWebhookSecret, Integration, WebhookEndpoint, type Graph } from '../../shared';
import { signWebhookBody } from '../../runtime/api/webhooks';
import { json, openApiRig, type ApiRig } from '../support/api-rig';
import { webhookGraph } from '../support/webhook-fixtures';

let rig: ApiRig;

beforeAll(async () => {
  rig = await openApiRig({ address: inject('temporalAddress'), name: 'webhooks', batchSize: 200 });
});
afterAll(async () => {
  await rig?.close();
});

async function publishedHook(name: string, graph: Graph, auth: 'signature' | 'token' = 'signature'): Promise<{ integration: Integration; secret: string; url: string; path: string }> {
  const integration = Integration.parse(await (await rig.app.request('/api/integrations', json('POST', { name, graph }))).json());
  const made = await rig.app.request(`/api/integrations/${integration.id}/webhook/secret`, json('POST', { auth }));
  expect(made.status).toBe(201);
  const created = CreatedWebhookSecret.parse(await made.json());
  expect((await rig.app.request(`/api/integrations/${integration.id}/publish`, json('POST'))).status).toBe(200);
  return { integration, secret: created.secret, url: created.url, path: new URL(created.url).pathname };
}

/** What a sender does: sign "<timestamp>.<raw body>" and POST it. */
function send(path: string, secret: string, body: string, opts: { timestamp?: number; headers?: Record<string, string>; signature?: string } = {}) {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  return rig.anonymous.request(path, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-weft-timestamp': String(timestamp),
      'x-weft-signature': opts.signature ?? signWebhookBody(secret, timestamp, body),
      ...opts.headers,
    },
  });
}

/** Waits until the integration's queue is empty and every run it started has ended. */
async function drained(integrationId: string, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await rig.webhookDrain.idle();
    const depth = await rig.store.webhooks.queueDepth(integrationId);
    const runs = await rig.store.listRuns(integrationId, { limit: 500 });
    const open = runs.items.some((r) => !['completed', 'completed_with_errors', 'failed', 'cancelled'].includes(r.status));
    if (depth.waiting === 0 && depth.inRuns === 0 && !open) return runs.items;
    if (Date.now() > until) throw new Error(`not drained: ${JSON.stringify(depth)}, runs ${runs.items.map((r) => r.status).join(',')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function inParallel<T>(count: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

describe('inbound webhooks on the dev server', () => {
  it('a burst of 1,000 concurrent signed requests: all answered 202, every record written exactly once, by far fewer runs', async () => {
    const hook = await publishedHook('Burst', webhookGraph('hook_burst'));
    const started = Date.now();
    const statuses = await inParallel(1_000, 50, async (i) => {
      // Every tenth request carries two records: 1,100 records in all.
      const body = i % 10 === 0 ? JSON.stringify([{ id: `c${i}`, name: `N${i}`, amount: i }, { id: `c${i}b`, name: `M${i}`, amount: i + 0.5 }]) : JSON.stringify({ id: `c${i}`, name: `N${i}`, amount: i });
      return (await send(hook.path, hook.secret, body)).status;
    });
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    const received = Date.now();
    const runs = await drained(hook.integration.id);
    console.log(`burst of 1,000: received in ${received - started} ms, drained ${Date.now() - received} ms later by ${runs.length} run(s), ${rig.webhookDrain.sent} signal(s)`);
    expect(runs.every((r) => r.trigger === 'webhook' && r.status === 'completed')).toBe(true);
    expect(runs.reduce((n, r) => n + (r.webhookRequests ?? 0), 0)).toBe(1_000);
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.length).toBeLessThan(50);
    const ids: unknown[] = [];
    for (let offset = 0; offset < 1_200; offset += 500) ids.push(...(await rig.store.listWorkspaceRecords('hook_burst', { limit: 500, offset })).items.map((r) => r.values.id));
    expect(ids.length).toBe(1_100);
    expect(new Set(ids).size).toBe(1_100);
    // Far fewer signals than requests reached Temporal: they were coalesced.
    expect(rig.webhookDrain.sent).toBeLessThan(1_000);
    // The queue is empty once the runs completed.
    const view = WebhookEndpoint.parse(await (await rig.app.request(`/api/integrations/${hook.integration.id}/webhook`)).json());
    expect(view.queue).toMatchObject({ waiting: 0, inRuns: 0 });
    // Sync history says who started them and how many requests each drained.
    const history = await (await rig.app.request(`/api/integrations/${hook.integration.id}/runs`)).json() as { items: { trigger: string; webhookRequests?: number }[] };
    expect(history.items[0]).toMatchObject({ trigger: 'webhook' });
    expect(history.items[0]!.webhookRequests).toBeGreaterThan(0);
  });

  it('refuses wrong, missing and stale signatures, replays, other types, big bodies and unknown URLs, and stores none of them', async () => {
    const hook = await publishedHook('Refusals', webhookGraph('hook_refusals'));
    const body = JSON.stringify({ id: 'r1', name: 'One', amount: 1 });
    const now = Math.floor(Date.now() / 1000);

    expect((await send(hook.path, 'whin_not-the-secret', body)).status).toBe(401);
    const missing = await rig.anonymous.request(hook.path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(missing.status).toBe(401);
    // The body changed after signing: the signature covers every byte.
    expect((await send(hook.path, hook.secret, body.replace('One', 'Two'), { signature: signWebhookBody(hook.secret, now, body) , timestamp: now })).status).toBe(401);
    const stale = await send(hook.path, hook.secret, body, { timestamp: now - 3_600 });
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe('stale_timestamp');

    // The same signed request twice: the second is a replay.
    const signature = signWebhookBody(hook.secret, now, body);
    expect((await send(hook.path, hook.secret, body, { timestamp: now, signature })).status).toBe(202);
    const replay = await send(hook.path, hook.secret, body, { timestamp: now, signature });
    expect(replay.status).toBe(409);
    expect(((await replay.json()) as { error: { code: string } }).error.code).toBe('replayed');

    expect((await send(hook.path, hook.secret, body, { headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await send(hook.path, hook.secret, body, { headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
    const big = JSON.stringify({ id: 'big', name: 'x'.repeat(1_100_000), amount: 1 });
    const tooBig = await send(hook.path, hook.secret, big);
    expect(tooBig.status).toBe(413);
    const tooMany = JSON.stringify(Array.from({ length: 1_001 }, (_, i) => ({ id: `m${i}`, name: 'n', amount: i })));
    expect((await send(hook.path, hook.secret, tooMany)).status).toBe(413);
    expect((await send(hook.path, hook.secret, '{"id": "x", ')).status).toBe(400);
    expect((await send(hook.path, hook.secret, '"just text"')).status).toBe(422);

    // Unknown URL and a made-up hook id look alike; neither says whether any integration exists.
    const unknown = await send('/api/hooks/whk_doesnotexist', hook.secret, body);
    expect(unknown.status).toBe(404);
    const unknownBody = await unknown.text();
    expect(unknownBody).not.toContain(hook.integration.id);
    expect(unknownBody).not.toContain('Refusals');

    // An unpublished integration with an inbound URL: a wrong signature learns nothing (401, as for any wrong signature).
    const draft = Integration.parse(await (await rig.app.request('/api/integrations', json('POST', { name: 'Draft hook', graph: webhookGraph('hook_draft') }))).json());
    const draftHook = CreatedWebhookSecret.parse(await (await rig.app.request(`/api/integrations/${draft.id}/webhook/secret`, json('POST', {}))).json());
    const draftPath = new URL(draftHook.url).pathname;
    expect((await send(draftPath, 'whin_wrong', body)).status).toBe(401);
    // With the secret, the sender is told why nothing was stored.
    const unpublished = await send(draftPath, draftHook.secret, body);
    expect(unpublished.status).toBe(409);
    expect(((await unpublished.json()) as { error: { code: string } }).error.code).toBe('not_published');

    await drained(hook.integration.id);
    const stored = await rig.store.listWorkspaceRecords('hook_refusals', { limit: 10 });
    expect(stored.items.map((r) => r.values.id)).toEqual(['r1']);
    expect((await rig.store.webhooks.queueDepth(draft.id)).waiting).toBe(0);
  });

  it('a new secret refuses the old one at once, keeps the URL, and a token endpoint compares the token', async () => {
    const hook = await publishedHook('Rotate', webhookGraph('hook_rotate'));
    const body = JSON.stringify({ id: 't1', name: 'T', amount: 2 });
    const again = CreatedWebhookSecret.parse(await (await rig.app.request(`/api/integrations/${hook.integration.id}/webhook/secret`, json('POST', {}))).json());
    expect(again.url).toBe(hook.url);
    expect(again.secret).not.toBe(hook.secret);
    expect((await send(hook.path, hook.secret, body)).status).toBe(401);
    expect((await send(hook.path, again.secret, body)).status).toBe(202);

    const put = await rig.app.request(`/api/integrations/${hook.integration.id}/webhook`, json('PUT', { auth: 'token' }));
    expect(put.status).toBe(200);
    const byToken = (token: string) => rig.anonymous.request(hook.path, { method: 'POST', body: JSON.stringify({ id: 't2', name: 'U', amount: 3 }), headers: { 'content-type': 'application/json', 'x-weft-token': token } });
    expect((await byToken(`${again.secret}x`)).status).toBe(401);
    expect((await byToken(again.secret.slice(0, -1))).status).toBe(401);
    expect((await byToken(again.secret)).status).toBe(202);
    await drained(hook.integration.id);
    const stored = await rig.store.listWorkspaceRecords('hook_rotate', { limit: 10, order: 'key' });
    expect(stored.items.map((r) => r.values.id)).toEqual(['t1', 't2']);
  });

  it('hostile bodies: __proto__ keys stay data, ids past 2^53 and long decimals stay exact, a NUL value rejects its record into the inbox', async () => {
    const hook = await publishedHook('Hostile', webhookGraph('hook_hostile'));
    const raw = '[{"id": "h1", "name": "ok", "amount": 12345678901234567890123, "__proto__": {"polluted": "yes"}}, {"id": "h2", "name": "nul\\u0000here", "amount": 0.1000000000000000055511151231257827}, {"id": "h3", "name": "__proto__", "amount": -9007199254740993}]';
    expect((await send(hook.path, hook.secret, raw)).status).toBe(202);
    // A raw NUL byte is no JSON at all.
    expect((await send(hook.path, hook.secret, '{"id": "h4\u0000", "name": "x", "amount": 1}')).status).toBe(400);
    // Bytes that are not UTF-8.
    const notUtf8 = Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const ts = Math.floor(Date.now() / 1000);
    const bad = await rig.anonymous.request(hook.path, { method: 'POST', body: notUtf8, headers: { 'content-type': 'application/json', 'x-weft-timestamp': String(ts), 'x-weft-signature': signWebhookBody(hook.secret, ts, notUtf8) } });
    expect(bad.status).toBe(400);

    const runs = await drained(hook.integration.id);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const stored = await rig.store.listWorkspaceRecords('hook_hostile', { limit: 10, order: 'key' });
    const byId = new Map(stored.items.map((r) => [r.values.id, r.values]));
    expect([...byId.keys()]).toEqual(['h1', 'h3']);
    expect(String(byId.get('h1')!.amount)).toBe('12345678901234567890123');
    expect(String(byId.get('h3')!.amount)).toBe('-9007199254740993');
    expect(byId.get('h3')!.name).toBe('__proto__');
    expect(runs[0]!.status).toBe('completed_with_errors');
    const rejected = await rig.store.listRejected(runs[0]!.id, { limit: 10 });
    expect(rejected.total).toBe(1);
    expect(rejected.items[0]!.reason).toMatch(/U\+0000/);
    expect(rejected.items[0]!.source).toMatchObject({ id: 'h2' });
  });

  it('leaves the browser-origin guard as it was everywhere else: only the inbound URL takes a request from another origin, and only signed', async () => {
    const hook = await publishedHook('Origin', webhookGraph('hook_origin'));
    const body = JSON.stringify({ id: 'o1', name: 'O', amount: 1 });
    const foreign = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
    expect((await send(hook.path, hook.secret, body, { headers: foreign })).status).toBe(202);
    expect((await send(hook.path, 'whin_forged', body, { headers: foreign })).status).toBe(401);
    // Another state-changing route from the same foreign origin is still refused.
    const create = await rig.app.request('/api/integrations', { ...json('POST', { name: 'x', graph: webhookGraph('hook_x') }), headers: { 'content-type': 'application/json', ...foreign } });
    expect(create.status).toBe(403);
    await drained(hook.integration.id);
  });
});
