// Request bodies are bounded before any route reads them, by who is asking (runtime/api/body-limit.ts), on a real
// socket server: a sign-in anyone may call used to buffer a body of any size (a 1 GB one answered 400 after the
// process had held it all), which a handful of requests at once turn into the process's end.
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { createApi } from './app';
import { BODY_LIMITS } from './body-limit';
import { testConnections } from '../../test/support/connections';
import { tokenFor } from '../../test/support/signed-in';

let store: Store;
let dir: string;
let server: ServerType;
let port = 0;
let editor = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-body-limit-'));
  store = await openStore({ memory: true });
  const app = createApi({
    store,
    launcher: { start: async (r) => ({ workflowId: `w-${r.runId}` }) },
    filesDir: join(dir, 'files'),
    maxUploadBytes: 4 * 1024 * 1024,
    connections: testConnections(store, { filesDir: join(dir, 'files') }),
    passwordCost: 10,
  });
  editor = await tokenFor(store, 'editor');
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  port = (server.address() as AddressInfo).port;
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** POSTs `size` bytes of a JSON body; chunked (no Content-Length) when `chunked`. Resolves with the status once answered. */
function post(path: string, size: number, opts: { chunked?: boolean; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string; sent: number }> {
  const head = '{"email":"nobody@example.com","password":"wrong password","pad":"';
  const tail = '"}';
  const total = Math.max(size, head.length + tail.length);
  return new Promise((resolve, reject) => {
    let sent = 0;
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        // A connection of its own: a kept-alive one the server closed after an earlier 413 would swallow this request.
        agent: false,
        path,
        method: 'POST',
        headers: {
          // The app's public URL is http://localhost (createApi's default): its Host.
          host: 'localhost',
          'content-type': 'application/json',
          ...(opts.chunked ? {} : { 'content-length': String(total) }),
          ...opts.headers,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sent }));
      },
    );
    // The server may answer and close while bytes are still on their way: that is the point, not a failure, as long as
    // the answer comes.
    let answered = false;
    req.on('response', () => (answered = true));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') return reject(err);
      setTimeout(() => (answered ? undefined : reject(err)), 2_000);
    });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const write = () => {
      if (sent === 0) {
        req.write(head);
        sent += head.length;
      }
      while (sent < total - tail.length) {
        const n = Math.min(chunk.length, total - tail.length - sent);
        sent += n;
        if (!req.write(chunk.subarray(0, n))) return void req.once('drain', write);
      }
      req.end(tail);
      sent += tail.length;
    };
    write();
  });
}

const audited = async () => (await store.auth.listAudit({ action: 'auth.sign_in_failed', limit: 1, offset: 0 })).total;

describe('request bodies are bounded before a route reads them', () => {
  it('refuses an anonymous sign-in body over 64 KB by its Content-Length, before the route sees it', async () => {
    const before = await audited();
    const res = await post('/api/auth/sign-in', 2 * 1024 * 1024);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'too_large' } });
    // The sign-in route never ran: no failed sign-in was counted or audited.
    expect(await audited()).toBe(before);
  });

  it('refuses a chunked anonymous body once it passes the bound, without waiting for the rest', async () => {
    const before = await audited();
    const res = await post('/api/auth/sign-in', 8 * 1024 * 1024, { chunked: true });
    expect(res.status).toBe(413);
    expect(await audited()).toBe(before);
  });

  it('still reads an ordinary sign-in (a wrong password is a 401, audited)', async () => {
    const before = await audited();
    const res = await post('/api/auth/sign-in', 200);
    expect(res.status).toBe(401);
    expect(await audited()).toBe(before + 1);
  });

  it('gives a signed-in caller the larger bound: 1 MB passes to the route, over 16 MB is refused', async () => {
    const auth = { authorization: `Bearer ${editor}` };
    // The route validates it (a sign-in body is no design): 400 from the route, not 413 from the bound.
    expect((await post('/api/integrations', 1024 * 1024, { headers: auth })).status).toBe(400);
    expect((await post('/api/integrations', BODY_LIMITS.signedIn + 1, { headers: auth })).status).toBe(413);
  });

  it('leaves inbound webhooks to their own limit (an unknown hook is a 404, not a 413)', async () => {
    expect((await post('/api/hooks/whk_unknown', 200 * 1024)).status).toBe(404);
  });
});
