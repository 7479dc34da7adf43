// Members by hand through app.request() on the real store, and migration 31 on PGlite: an email typed composed (é) or
// decomposed (e + U+0301) is one address, so the second is refused as taken; a bad email is a 400 naming the field.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, Member } from '../../shared';
import { openPglite, type Engine } from '../store/engines';
import { migrate } from '../store/migrate';
import { MIGRATIONS } from '../store/migrations';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { asOwner } from '../../test/support/signed-in';
import { testConnections } from '../../test/support/connections';
import { createApi } from './app';

let store: Store;
let app: ReturnType<typeof createApi>;

async function call(method: string, path: string, body?: unknown) {
  const res = await app.request(`/api${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  return { status: res.status, json: (await res.json()) as unknown };
}

beforeAll(async () => {
  store = await openStore({ memory: true });
  app = createApi({
    store,
    launcher: { start: async () => ({ workflowId: 'w' }) },
    filesDir: '/nonexistent',
    maxUploadBytes: 1024,
    connections: testConnections(store, { connectors: [], filesDir: '/nonexistent' }),
  });
  app = await asOwner(app, store);
}, 60_000);
afterAll(async () => {
  await store?.close();
});

describe('members by hand and Unicode emails', () => {
  it('takes an email once whether it is typed composed or decomposed, in any case', async () => {
    const made = await call('POST', '/members', { name: 'José', email: 'jos\u00e9@example.com' });
    expect(made.status).toBe(201);
    expect(Member.parse(made.json).email).toBe('jos\u00e9@example.com');
    for (const email of ['jose\u0301@example.com', 'JOSE\u0301@EXAMPLE.COM']) {
      const again = await call('POST', '/members', { name: 'José twice', email });
      expect(again.status, email).toBe(409);
      expect(ApiError.parse(again.json).error.message).toMatch(/^A member already has the email /);
    }
    expect((await call('POST', '/members', { name: 'Jose', email: 'jose@example.com' })).status).toBe(201);
  });

  it('refuses an email that is not one address as a bad request naming the field, and keeps the member unchanged', async () => {
    const made = Member.parse((await call('POST', '/members', { name: 'Ada', email: 'ada@example.com' })).json);
    for (const email of ['a@x.io b@x.io', 'no-at-sign', '@', 'two@@x.io x']) {
      const res = await call('POST', '/members', { name: 'Bad', email });
      expect(res.status, email).toBe(400);
      expect(ApiError.parse(res.json).error.issues?.map((i) => i.path), email).toEqual(['email']);
      const put = await call('PUT', `/members/${made.id}`, { name: 'Ada', email });
      expect(put.status, email).toBe(400);
    }
    const members = (await call('GET', '/members')).json as { members: Member[] };
    expect(members.members.find((m) => m.id === made.id)).toMatchObject({ name: 'Ada', email: 'ada@example.com' });
    // Blank or null: a member without an email.
    expect((await call('POST', '/members', { name: 'No mail', email: '  ' })).status).toBe(201);
    expect((await call('POST', '/members', { name: '__proto__', email: null })).status).toBe(201);
  });
});

describe('migration 31: email keys of existing members in canonical form', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await openPglite(null);
    await migrate(engine.db, MIGRATIONS.filter((m) => m.version < 31));
  }, 60_000);
  afterAll(async () => {
    await engine?.close();
  });

  it('re-keys a decomposed key, leaves a twin of an existing key as it was (no unique violation, no member lost)', async () => {
    const row = (id: string, email: string, key: string) => sql`INSERT INTO members (id, name, email, email_key) VALUES (${id}, ${id}, ${email}, ${key})`;
    await engine.db.execute(row('m_nfd', 'Rene\u0301@x.io', 'rene\u0301@x.io'));
    await engine.db.execute(row('m_nfc', 'Zo\u00eb@x.io', 'zo\u00eb@x.io'));
    await engine.db.execute(row('m_twin', 'ZOE\u0308@x.io', 'zoe\u0308@x.io'));
    await engine.db.execute(row('m_ascii', 'ada@x.io', 'ada@x.io'));
    // Without the secrets key the migrations that need it (sec16: 33, 35) stay pending.
    expect(await migrate(engine.db)).toEqual(MIGRATIONS.filter((m) => m.version >= 31 && !m.withKey).map((m) => m.version));
    const rows = ((await engine.db.execute(sql`SELECT id, email, email_key FROM members ORDER BY id`)) as unknown as { rows: unknown[] }).rows as { id: string; email: string; email_key: string }[];
    expect(rows.map((r) => [r.id, r.email_key])).toEqual([
      ['m_ascii', 'ada@x.io'],
      ['m_nfc', 'zo\u00eb@x.io'],
      ['m_nfd', 'ren\u00e9@x.io'],
      ['m_twin', 'zoe\u0308@x.io'],
    ]);
    expect(rows.find((r) => r.id === 'm_twin')?.email).toBe('ZOE\u0308@x.io');
  });
});
