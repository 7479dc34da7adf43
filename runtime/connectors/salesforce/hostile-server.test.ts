// The Salesforce connector against a Salesforce server that misbehaves the way a broken or hostile endpoint can:
// nextRecordsUrl pointing at another host (the session's token must not go there), query locators that repeat or
// never end, done:false with nothing to follow, bodies that are not JSON or nested without end, a token endpoint
// answering garbage, and collection answers that leave a record without a verdict.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startListener, type Listener } from '../../../test/support/saas/listener';
import { SalesforceServer } from '../../../test/support/saas/salesforce-server';
import { saasHttpDefaults } from '../saas/http';
import type { ConnectorSession, ReadBatch } from '../types';
import { salesforceConnector, type SalesforceConfig, type SalesforceSecrets } from './index';

process.env.WEFT_ALLOW_PRIVATE_HOSTS = 'true';
saasHttpDefaults.backoffMs = 5;

let sf: SalesforceServer;
let other: Listener;
const config = (s: SalesforceServer): SalesforceConfig => ({ loginUrl: s.url, flow: 'client_credentials', clientId: s.clientId, username: '', apiVersion: s.version, maxConcurrency: 2 });
const secrets = (s: SalesforceServer): SalesforceSecrets => ({ clientSecret: s.clientSecret, password: '', securityToken: '' });
const open = () => salesforceConnector.open(config(sf), secrets(sf));

async function readAll(session: ConnectorSession, object: string): Promise<ReadBatch[]> {
  const out: ReadBatch[] = [];
  for await (const b of session.read(object, { batchSize: 1000 })) out.push(b);
  return out;
}

/** A query page as Salesforce writes it, with one User record. */
const page = (extra: Record<string, unknown>, id = '005000000000001AAA') => ({ totalSize: 5, done: false, records: [{ attributes: { type: 'User' }, Id: id, Email: 'a@example.com', Name: 'A', IsActive: true }], ...extra });
const json = (body: unknown, status = 200) => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json;charset=UTF-8' } });
const isQuery = (path: string) => /\/query(\/|$)/.test(path);

beforeAll(async () => {
  sf = await new SalesforceServer().start();
  other = await startListener();
});
afterAll(async () => {
  await sf.stop();
  await other.close();
});
beforeEach(() => {
  sf.intercept = null;
  sf.requests.length = 0;
  other.hits.length = 0;
});

describe('salesforce connector against a misbehaving server', () => {
  it('never sends the session token to a nextRecordsUrl on another host', async () => {
    const port = new URL(other.url).port;
    // A whole URL and a network-path reference name another server; `@host` glued to the instance URL made it userinfo.
    for (const [next, refusal] of [
      [`${other.url}/services/data/v62.0/query/01g-2000`, { code: 'permission', message: expect.stringMatching(/another server/) }],
      [`//127.0.0.1:${port}/services/data/v62.0/query/01g-2000`, { code: 'permission', message: expect.stringMatching(/another server/) }],
      [`@127.0.0.1:${port}/services/data/v62.0/query/01g-2000`, { code: 'unknown', message: expect.stringMatching(/again/) }],
    ] as const) {
      sf.intercept = (c) => (isQuery(c.req.path) ? json(page({ nextRecordsUrl: next })) : undefined);
      const session = await open();
      try {
        await expect(readAll(session, 'User'), next).rejects.toMatchObject(refusal);
      } finally {
        await session.close();
      }
      expect(other.hits, next).toEqual([]);
    }
  });

  it('stops a query whose nextRecordsUrl repeats (done:false forever) with a clear error, in a few requests', async () => {
    sf.intercept = (c) => (isQuery(c.req.path) ? json(page({ nextRecordsUrl: `/services/data/v${sf.version}/query/01gLOOP-2000` })) : undefined);
    const session = await open();
    try {
      await expect(readAll(session, 'User')).rejects.toMatchObject({ message: expect.stringMatching(/nextRecordsUrl.*(again|repeat)/i) });
    } finally {
      await session.close();
    }
    expect(sf.requests.filter((r) => isQuery(r.path)).length).toBeLessThanOrEqual(3);
  });

  it('stops a query whose locators go round in a circle', async () => {
    let n = 0;
    sf.intercept = (c) => (isQuery(c.req.path) ? json(page({ nextRecordsUrl: `/services/data/v${sf.version}/query/01gRING-${(n++ % 3) * 2000}` })) : undefined);
    const session = await open();
    try {
      await expect(readAll(session, 'User')).rejects.toMatchObject({ message: expect.stringMatching(/nextRecordsUrl.*(again|repeat)/i) });
    } finally {
      await session.close();
    }
    expect(n).toBeLessThanOrEqual(5);
  });

  it('fails, not silently ends, when a page says done:false but gives no nextRecordsUrl', async () => {
    sf.intercept = (c) => (isQuery(c.req.path) ? json(page({})) : undefined);
    const session = await open();
    try {
      await expect(readAll(session, 'User')).rejects.toMatchObject({ message: expect.stringMatching(/done.*nextRecordsUrl|nextRecordsUrl.*done/i) });
    } finally {
      await session.close();
    }
  });

  it('says in words that a 200 answer is not JSON (an HTML page, an empty body, truncated JSON)', async () => {
    for (const body of ['<html><body>Maintenance</body></html>', '', '{"totalSize":5,"done":false,"records":[{"Id":"00']) {
      sf.intercept = (c) => (isQuery(c.req.path) ? new Response(body, { status: 200, headers: { 'content-type': 'text/html' } }) : undefined);
      const session = await open();
      try {
        await expect(readAll(session, 'User'), body).rejects.toMatchObject({ code: 'unknown', message: expect.stringMatching(/Salesforce answered .*not JSON/) });
      } finally {
        await session.close();
      }
    }
  });

  it('refuses JSON nested deeper than any Salesforce answer, with a clear error instead of a stack overflow', async () => {
    const deep = `{"totalSize":1,"done":true,"records":[{"Id":"1","x":${'['.repeat(200_000)}${']'.repeat(200_000)}}]}`;
    sf.intercept = (c) => (isQuery(c.req.path) ? json(deep) : undefined);
    const session = await open();
    try {
      await expect(readAll(session, 'User')).rejects.toMatchObject({ code: 'unknown', message: expect.stringMatching(/nests .* levels deep/) });
    } finally {
      await session.close();
    }
  });

  it('a describe without its fields, or with junk among them, is an error in words or leaves the junk out', async () => {
    const session = await open();
    try {
      sf.intercept = (c) => (c.req.path.endsWith('/sobjects/User/describe') ? json({ name: 'User' }) : undefined);
      await expect(readAll(session, 'User')).rejects.toMatchObject({ code: 'unknown', message: expect.stringMatching(/without its fields while describing User/) });
      sf.intercept = (c) => (c.req.path.endsWith('/sobjects/User/describe') ? json({ fields: [null, { name: 42, type: 'string' }, { name: 'Id', type: 'id', nillable: false }, { name: 'Email', type: 'email', nillable: true }] }) : undefined);
      const rows = (await readAll(session, 'User')).flatMap((b) => b.rows);
      expect(rows).toHaveLength(7);
      expect(Object.keys(rows[0]!)).toEqual(['Id', 'Email']);
    } finally {
      await session.close();
    }
  });

  it('a token endpoint answering garbage is an auth error in words, not a TypeError', async () => {
    const answers: [number, string][] = [
      [200, '<html>login</html>'],
      [200, '{}'],
      [200, '{"access_token":"x"}'],
      [200, '{"access_token":"x","instance_url":"ftp://files.example.com"}'],
      [200, '{"access_token":42,"instance_url":"http://127.0.0.1:1"}'],
    ];
    for (const [status, body] of answers) {
      sf.intercept = (c) => (c.req.path === '/services/oauth2/token' ? new Response(body, { status, headers: { 'content-type': 'application/json' } }) : undefined);
      const session = await open();
      try {
        await expect(session.test(), body).rejects.toMatchObject({ code: 'auth', message: expect.stringMatching(/token endpoint|sign-in answer/i) });
      } finally {
        await session.close();
      }
    }
  });

  it('a token answer with a live token but no usable instance_url names its fields, never the token (probe19)', async () => {
    const token = '00Dxx0000000001!AQ4AQLiveToken7f3a9c1e5b2d';
    for (const body of [{ access_token: token, instance_url: 'ftp://files.example.com' }, { access_token: token }, { access_token: token, instance_url: 'not a url' }]) {
      sf.intercept = (c) => (c.req.path === '/services/oauth2/token' ? json(body) : undefined);
      const session = await open();
      try {
        const err = (await session.test().then(() => null, (e: unknown) => e)) as Error;
        expect(err.message).toMatch(/answered without an access token and an http\(s\) instance_url: an answer with the fields access_token/);
        expect(err.message).not.toContain(token);
        expect(err.message).not.toContain('AQ4AQLiveToken');
      } finally {
        await session.close();
      }
    }
  });

  it('a 401 that does not end signs in once per call, not in a loop', async () => {
    sf.intercept = (c) => (isQuery(c.req.path) ? json([{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }], 401) : undefined);
    const before = sf.issued.length;
    const session = await open();
    try {
      await expect(readAll(session, 'User')).rejects.toMatchObject({ code: 'auth' });
    } finally {
      await session.close();
    }
    expect(sf.issued.length - before).toBe(2);
    expect(sf.requests.filter((r) => isQuery(r.path))).toHaveLength(2);
  });

  it('every record of a collection call gets its verdict: a failure without errors, a short answer, an object instead of a list', async () => {
    const session = await open();
    const rows = [{ Name: 'one' }, { Name: 'two' }, { Name: 'three' }];
    try {
      for (const answer of [[{ id: null, success: false }, { id: '001000000000009AAA', success: true, created: true }], { message: 'not a list' }, []]) {
        sf.intercept = (c) => (c.req.path.endsWith('/composite/sobjects') ? json(answer) : undefined);
        const results = await session.write('Account', rows, { mode: 'insert', key: [], fields: [] });
        expect(results, JSON.stringify(answer)).toHaveLength(3);
        for (const r of results) expect(r.outcome === 'rejected' ? r.reason : 'ok', JSON.stringify(answer)).toMatch(/Salesforce|ok/);
        if (Array.isArray(answer) && answer.length === 2) expect(results.map((r) => r.outcome)).toEqual(['rejected', 'created', 'rejected']);
        else expect(results.every((r) => r.outcome === 'rejected')).toBe(true);
      }
    } finally {
      await session.close();
    }
  });
});
