// Which hosts connections may reach, and what a port that does not speak the protocol answers: the policy alone, then
// through the connection service against the real Postgres (127.0.0.1:5432) and MariaDB (127.0.0.1:3306), and against
// plain TCP and HTTP servers on free loopback ports that write garbage, nothing, or a web page.
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlConnector } from '../connectors/mysql';
import { postgresConnector } from '../connectors/postgres';
import { type ConnectorError } from '../connectors/types';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { createHostPolicy, hostPolicyFromEnv, isPrivateAddress, type HostPolicy } from './host-policy';
import { connectorLookup } from './registry';
import { scratchPostgres, type ScratchPostgres } from './scratch-postgres';
import { createConnectionService } from './service';

const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as ConnectorError;
  }
  throw new Error('expected a refusal');
};

describe('host policy', () => {
  const dns = new Map([
    ['db.example.com', '203.0.113.10'],
    ['evil.example.com', '127.0.0.1'],
    ['metadata.example.org', '169.254.169.254'],
    ['mapped.example.org', '::ffff:10.1.2.3'],
    ['other.example.net', '198.51.100.7'],
    ['example.net', '198.51.100.8'],
    ['db.example.com.evil.org', '198.51.100.9'],
    ['localhost', '127.0.0.1'],
  ]);
  const resolve = async (h: string) => {
    const a = dns.get(h);
    if (!a) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${h}`), { code: 'ENOTFOUND' });
    return a;
  };

  it('knows loopback, private, link-local and unique-local addresses', () => {
    for (const a of ['127.0.0.1', '10.0.0.5', '172.16.3.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) expect([a, isPrivateAddress(a)]).toEqual([a, true]);
    // IPv6 that reaches an IPv4 address is checked as that address: mapped, NAT64, 6to4.
    for (const a of ['::ffff:7f00:1', '64:ff9b::7f00:1', '64:ff9b::10.0.0.1', '2002:c0a8:101::1', '2002:7f00:1::']) expect([a, isPrivateAddress(a)]).toEqual([a, true]);
    for (const a of ['203.0.113.10', '8.8.8.8', '172.32.0.1', '2001:db8::1', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1']) expect([a, isPrivateAddress(a)]).toEqual([a, false]);
  });

  it('allows any host by default (a local install reaches its own databases), and answers the resolved address', async () => {
    const open = createHostPolicy({ resolve });
    expect(await open.check('127.0.0.1')).toBe('127.0.0.1');
    expect(await open.check('evil.example.com')).toBe('127.0.0.1');
    expect(await open.check('DB.Example.com.')).toBe('203.0.113.10');
    expect((await refusal(open.check('nowhere.example'))).code).toBe('unreachable');
  });

  it('refuses loopback and private addresses when WEFT_ALLOW_PRIVATE_HOSTS is false, also behind a public name', async () => {
    const shared = createHostPolicy({ allowPrivate: false, resolve });
    expect(await shared.check('db.example.com')).toBe('203.0.113.10');
    for (const h of ['127.0.0.1', 'localhost', '[::1]', '10.0.0.8', 'evil.example.com', 'metadata.example.org', 'mapped.example.org', '0.0.0.0']) {
      const e = await refusal(shared.check(h));
      expect([h, e.code, e.message]).toEqual([h, 'permission', expect.stringMatching(/WEFT_ALLOW_PRIVATE_HOSTS is false/)]);
    }
  });

  it('limits hosts to WEFT_ALLOWED_HOSTS: names, wildcards, addresses and CIDR ranges', async () => {
    const listed = createHostPolicy({ allowed: ['db.example.com', '*.example.net', '10.1.0.0/16', '192.0.2.5', ' '], allowPrivate: false, resolve });
    expect(await listed.check('db.example.com')).toBe('203.0.113.10');
    expect(await listed.check('other.example.net')).toBe('198.51.100.7');
    // A listed address or range is allowed as listed, private or not.
    expect(await listed.check('10.1.200.3')).toBe('10.1.200.3');
    expect(await listed.check('mapped.example.org')).toBe('::ffff:10.1.2.3');
    expect(await listed.check('192.0.2.5')).toBe('192.0.2.5');
    for (const h of ['example.net', 'db.example.com.evil.org', '10.2.0.1', '192.0.2.6', 'evil.example.com', 'nowhere.example']) {
      const e = await refusal(listed.check(h));
      expect([h, e.code]).toEqual([h, h === 'nowhere.example' ? 'unreachable' : 'permission']);
    }
    // A listed name that resolves to a private address still needs WEFT_ALLOW_PRIVATE_HOSTS (or its address listed).
    const byName = createHostPolicy({ allowed: ['evil.example.com'], allowPrivate: false, resolve });
    expect((await refusal(byName.check('evil.example.com'))).message).toMatch(/loopback or private/);
  });

  it('reads the environment, and refuses a malformed setting with its name', async () => {
    expect(await hostPolicyFromEnv({}).check('127.0.0.1')).toBe('127.0.0.1');
    expect((await refusal(hostPolicyFromEnv({ WEFT_ALLOW_PRIVATE_HOSTS: 'false' }).check('127.0.0.1'))).code).toBe('permission');
    expect(await hostPolicyFromEnv({ WEFT_ALLOW_PRIVATE_HOSTS: 'false', WEFT_ALLOWED_HOSTS: '127.0.0.0/8, ::1' }).check('127.0.0.1')).toBe('127.0.0.1');
    expect(() => hostPolicyFromEnv({ WEFT_ALLOWED_HOSTS: 'db.example.com, not a host' })).toThrow(/WEFT_ALLOWED_HOSTS: " not a host"/);
    expect(() => hostPolicyFromEnv({ WEFT_ALLOWED_HOSTS: '10.0.0.0/40' })).toThrow(/prefix longer/);
    expect(() => hostPolicyFromEnv({ WEFT_ALLOW_PRIVATE_HOSTS: 'no' })).toThrow(/WEFT_ALLOW_PRIVATE_HOSTS must be true or false/);
  });
});

/** Servers on free loopback ports: one writes garbage, one says nothing, one is a web server. */
const servers: Server[] = [];
const ports = { garbage: 0, silent: 0, http: 0, closed: 0 };
async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

let store: Store;
let db: ScratchPostgres | null;
const secretKey = randomBytes(32);
const service = (hosts: HostPolicy) => createConnectionService({ store, secretKey, connectors: connectorLookup([postgresConnector, mysqlConnector]), hosts, warn: () => undefined });

beforeAll(async () => {
  ports.garbage = await listen(createServer((s) => s.end('\x00\x01garbage\xff\r\n not a database at all\n')));
  ports.silent = await listen(createServer(() => undefined));
  ports.http = await listen(createHttpServer((_, res) => res.end('hello')) as unknown as Server);
  const closed = createServer();
  ports.closed = await new Promise<number>((r) => closed.listen(0, '127.0.0.1', () => r((closed.address() as AddressInfo).port)));
  await new Promise((r) => closed.close(r));
  store = await openStore({ memory: true });
  db = await scratchPostgres(3);
});
afterAll(async () => {
  for (const s of servers) s.close();
  await store?.close();
  await db?.drop();
});

describe('Test connection on a port that does not speak the protocol', () => {
  const pgConfig = (port: number) => ({ host: '127.0.0.1', port, database: 'x', user: 'weft' });
  const myConfig = (port: number) => ({ host: '127.0.0.1', port, database: 'x', user: 'weft' });

  for (const kind of ['garbage', 'silent', 'http'] as const) {
    it(`answers "Not a PostgreSQL server" quickly for a port that ${kind === 'http' ? 'serves HTTP' : kind === 'silent' ? 'says nothing' : 'writes garbage'}`, async () => {
      const started = Date.now();
      const result = await service(createHostPolicy()).testUnsaved({ connector: 'postgres', config: pgConfig(ports[kind]), secrets: {} });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(result).toMatchObject({ ok: false, code: 'unreachable', message: expect.stringMatching(new RegExp(`^Not a PostgreSQL server at this address \\(127\\.0\\.0\\.1:${ports[kind]}\\)`)) });
    });

    it(`answers "Not a MySQL/MariaDB server" quickly for a port that ${kind === 'http' ? 'serves HTTP' : kind === 'silent' ? 'says nothing' : 'writes garbage'}`, async () => {
      const started = Date.now();
      const result = await service(createHostPolicy()).testUnsaved({ connector: 'mysql', config: myConfig(ports[kind]), secrets: {} });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(result).toMatchObject({ ok: false, code: 'unreachable', message: expect.stringMatching(/^Not a MySQL\/MariaDB server at this address/) });
    });
  }

  it('says the same, quickly, when discover or a run opens a saved connection on such a port', async () => {
    const svc = service(createHostPolicy());
    const saved = await svc.create({ connector: 'postgres', name: `Garbage ${randomBytes(3).toString('hex')}`, config: pgConfig(ports.garbage), secrets: {} });
    const started = Date.now();
    const e = await refusal(svc.withSession(saved.id, (s) => s.discover()));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(e.message).toMatch(/^Not a PostgreSQL server at this address/);
    const mine = await svc.create({ connector: 'mysql', name: `Garbage my ${randomBytes(3).toString('hex')}`, config: myConfig(ports.garbage), secrets: {} });
    const session = await svc.open(mine.id);
    try {
      const read = await refusal((async () => {
        for await (const _ of session.read('t', { batchSize: 10 })) void _;
      })());
      expect(read.message).toMatch(/^Not a MySQL\/MariaDB server at this address/);
    } finally {
      await session.close();
    }
  });

  it('still says a closed port refused, and tests the real servers as connected', async () => {
    const closed = await service(createHostPolicy()).testUnsaved({ connector: 'postgres', config: pgConfig(ports.closed), secrets: {} });
    expect(closed).toMatchObject({ ok: false, code: 'unreachable', message: expect.stringMatching(/refused/) });
    expect(await service(createHostPolicy()).testUnsaved({ connector: 'mysql', config: { ...myConfig(3306), user: 'root', database: 'mysql' }, secrets: {} })).toMatchObject({ ok: true });
    if (db) expect(await service(createHostPolicy()).testUnsaved({ connector: 'postgres', config: db.config, secrets: db.secrets })).toMatchObject({ ok: true });
  });
});

describe('the connection service enforces the host policy', () => {
  it('refuses test, discover and preview on a host the policy refuses, and allows it once listed', async ({ skip }) => {
    if (!db) skip();
    const allowed = service(createHostPolicy());
    const saved = await allowed.create({ connector: 'postgres', name: `Shop ${randomBytes(3).toString('hex')}`, config: db!.config, secrets: db!.secrets });
    const shared = service(createHostPolicy({ allowPrivate: false }));
    expect(await shared.test(saved.id)).toMatchObject({ ok: false, code: 'permission', message: expect.stringMatching(/WEFT_ALLOW_PRIVATE_HOSTS is false/) });
    expect(await shared.testUnsaved({ connector: 'postgres', config: db!.config, secrets: db!.secrets })).toMatchObject({ ok: false, code: 'permission' });
    // Discover, preview (both through withSession) and runs (open) go through the same check.
    expect((await refusal(shared.withSession(saved.id, (s) => s.discover()))).code).toBe('permission');
    expect((await refusal(shared.open(saved.id))).message).toMatch(/^Weft may not connect to "127\.0\.0\.1"/);
    const listed = service(createHostPolicy({ allowPrivate: false, allowed: ['127.0.0.1/32'] }));
    expect(await listed.test(saved.id)).toMatchObject({ ok: true });
    expect((await listed.withSession(saved.id, (s) => s.discover())).map((o) => o.name)).toContain('public.orders');
  });

  it('connects to the address it checked, not to a fresh DNS answer', async ({ skip }) => {
    if (!db) skip();
    // A name the machine's DNS does not know: the session can only reach the database through the checked address.
    let lookups = 0;
    const pinned = createHostPolicy({
      resolve: async () => {
        lookups += 1;
        return '127.0.0.1';
      },
    });
    const config = { ...db!.config, host: `weft-db-${randomBytes(3).toString('hex')}.invalid` };
    expect(await service(pinned).testUnsaved({ connector: 'postgres', config, secrets: db!.secrets })).toMatchObject({ ok: true });
    expect(await service(pinned).testUnsaved({ connector: 'mysql', config: { host: config.host, port: 3306, user: 'root', database: 'mysql' }, secrets: {} })).toMatchObject({ ok: true });
    expect(lookups).toBe(2);
  });
});
