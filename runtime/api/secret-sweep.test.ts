// Every secret Weft is given or makes, followed through the API and the server's own output (probe19): passwords
// (setup, sign-in, change, invitation), API and trigger tokens, an inbound webhook's secret, a REST connection's API key
// and client secret. Each comes back once where it is made (the token's, the secret's own answer) and nowhere else:
// not in another answer (lists, the audit log, the OpenAPI document, a failed test's message), not on stdout/stderr.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Connection, CreatedToken, CreatedTriggerToken, CreatedWebhookSecret, Integration, UploadedFile } from '../../shared';
import { customersGraph } from '../../test/support/temporal-harness';
import { openApiApp, type ApiApp } from '../../test/support/api-app';

const PASSWORDS = { setup: 'Owner-pass-7f3a9c1e', wrong: 'Guess-pass-2b8d4f60', changed: 'Owner-new-5e1a7c93', invited: 'Invited-pass-0c4e8a2f' };
const CONNECTION = { apiKey: 'ak_live_6d2f9b1c4e7a3058', clientSecret: 'cs_live_3a7e1f9d5b2c8046' };
let rig: ApiApp;
/** Everything the server wrote: console calls and raw writes to stdout/stderr. */
const output: string[] = [];
/** Every answer body but the one-time answers that hand a new secret to its maker. */
const answers: { what: string; body: string }[] = [];
/** Secrets the server made during the test, learnt from their one-time answers. */
const made: string[] = [];
let cookie = '';

async function call(what: string, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; anonymous?: boolean } = {}, oneTime = false) {
  const headers: Record<string, string> = { ...(init.body !== undefined && { 'content-type': 'application/json' }), ...(cookie && init.anonymous && { cookie }), ...init.headers };
  const app = init.anonymous ? rig.anonymous : rig.app;
  const res = await app.request(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body) });
  const body = await res.text();
  if (!oneTime) answers.push({ what: `${what} (${res.status})`, body: `${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${body}` });
  return { status: res.status, body, headers: res.headers };
}

beforeAll(async () => {
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void output.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' ')));
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      output.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
  rig = await openApiApp({ name: 'secret-sweep', maxUploadBytes: 1 << 20, deps: { passwordCost: 10 } });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await rig?.close();
});

describe('secrets in answers and logs (probe19)', () => {
  it('never sends back or prints a secret outside its one-time answer', async () => {
    // People: the owner's setup, a wrong password, a change, an invitation with a password.
    const setup = await call('setup', '/api/auth/setup', { method: 'POST', anonymous: true, body: { email: 'owner@example.com', name: 'Owner', password: PASSWORDS.setup } });
    expect(setup.status).toBe(201);
    cookie = setup.headers.get('set-cookie')!.split(';')[0]!;
    expect((await call('wrong sign-in', '/api/auth/sign-in', { method: 'POST', anonymous: true, headers: { cookie: '' }, body: { email: 'owner@example.com', password: PASSWORDS.wrong } })).status).toBe(401);
    expect((await call('change password', '/api/auth/password', { method: 'POST', anonymous: true, body: { currentPassword: PASSWORDS.setup, newPassword: PASSWORDS.changed } })).status).toBe(204);
    expect((await call('invite', '/api/users', { method: 'POST', body: { email: 'ed@example.com', name: 'Ed', role: 'editor', password: PASSWORDS.invited } })).status).toBe(201);
    // An API token, an integration with a trigger token and an inbound webhook secret, each used once.
    const apiToken = CreatedToken.parse(JSON.parse((await call('token', '/api/tokens', { method: 'POST', body: { name: 'ci', role: 'viewer' } }, true)).body)).token;
    made.push(apiToken);
    expect((await call('token use', '/api/integrations', { anonymous: true, headers: { authorization: `Bearer ${apiToken}`, cookie: '' } })).status).toBe(200);
    const file = UploadedFile.parse(JSON.parse((await call('upload', '/api/files?name=customers.csv', { method: 'POST', body: 'Email,Name,Amount,Active\na@example.com,A,1,true\n', headers: { 'content-type': 'text/csv' } })).body));
    const integration = Integration.parse(JSON.parse((await call('create', '/api/integrations', { method: 'POST', body: { name: 'Sweep', graph: customersGraph({ fileId: file.id, object: 'sweep' }) } })).body));
    expect((await call('publish', `/api/integrations/${integration.id}/publish`, { method: 'POST', body: {} })).status).toBe(200);
    const trigger = CreatedTriggerToken.parse(JSON.parse((await call('trigger token', `/api/integrations/${integration.id}/tokens`, { method: 'POST', body: { name: 'cron' } }, true)).body)).token;
    made.push(trigger);
    expect((await call('trigger', `/api/integrations/${integration.id}/trigger`, { method: 'POST', anonymous: true, headers: { authorization: `Bearer ${trigger}`, cookie: '' }, body: {} })).status).toBe(202);
    const hook = CreatedWebhookSecret.parse(JSON.parse((await call('webhook secret', `/api/integrations/${integration.id}/webhook/secret`, { method: 'POST', body: { auth: 'token' } }, true)).body));
    made.push(hook.secret);
    const hookPath = new URL(hook.url).pathname;
    await call('hook, wrong token', hookPath, { method: 'POST', anonymous: true, headers: { 'x-weft-token': `${hook.secret}x`, cookie: '' }, body: [{ a: 1 }] });
    await call('hook', hookPath, { method: 'POST', anonymous: true, headers: { 'x-weft-token': hook.secret, cookie: '' }, body: [{ a: 1 }] });
    // A REST connection with an API key and a client secret: saved, tested (it fails: nothing answers there), duplicated.
    const connection = Connection.parse(JSON.parse((await call('connection', '/api/connections', { method: 'POST', body: { connector: 'rest', name: 'Shop', config: { baseUrl: 'http://127.0.0.1:9/v1', authType: 'api-key', apiKeyIn: 'query', apiKeyName: 'key' }, secrets: { apiKey: CONNECTION.apiKey, clientSecret: CONNECTION.clientSecret } } })).body));
    const tested = await call('connection test', `/api/connections/${connection.id}/test`, { method: 'POST', body: {} });
    expect(tested.status).toBe(200);
    expect(JSON.parse(tested.body)).toMatchObject({ ok: false });
    await call('test request', `/api/connections/${connection.id}/test-request`, { method: 'POST', body: { endpoint: { name: 'items', path: '/items' } } });
    await call('duplicate', `/api/connections/${connection.id}/duplicate`, { method: 'POST', body: {} });
    // Everything a reader can ask for afterwards.
    for (const path of ['/api/audit?limit=500', '/api/connections', `/api/connections/${connection.id}`, '/api/tokens', `/api/integrations/${integration.id}/tokens`, `/api/integrations/${integration.id}/webhook`, '/api/users', '/api/openapi.json', '/api/auth/session', `/api/integrations/${integration.id}/runs`, `/api/integrations/${integration.id}`]) {
      expect((await call(path, path)).status, path).toBe(200);
    }
    expect(made).toHaveLength(3);
    const secrets = [...Object.values(PASSWORDS), ...Object.values(CONNECTION), ...made];
    const leaks = secrets.flatMap((secret) => [
      ...answers.filter((a) => a.body.includes(secret)).map((a) => `${secret.slice(0, 6)}… in the answer to ${a.what}`),
      ...output.filter((line) => line.includes(secret)).map((line) => `${secret.slice(0, 6)}… printed: ${line.slice(0, 200)}`),
    ]);
    expect(leaks).toEqual([]);
    // The sweep saw what it claims to have seen.
    expect(answers.length).toBeGreaterThan(20);
    expect(answers.some((a) => a.what.startsWith('/api/audit') && a.body.includes('auth.sign_in_failed'))).toBe(true);
  });
});
