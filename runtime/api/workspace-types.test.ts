// Currency and Reference attributes end to end through the store and the API, on PGlite and on a real Postgres:
// references checked at write (a missing record rejects the row with its reason, the rest of the batch is written),
// amounts past 2^53 and with many decimals kept digit for digit, and attributes that say their code and object.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Page, WorkspaceObject, WorkspaceRecord, createTransform, type Field } from '../../shared';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { asOwner } from '../../test/support/signed-in';
import { createApi } from './app';
import { testConnections } from '../../test/support/connections';
import { ADMIN_URL, admin } from '../../test/support/pg-admin';

const dbName = `weft_types_${randomBytes(5).toString('hex')}`;
/** False when no Postgres answers: the Postgres half is skipped. */
const postgresUp = await admin(ADMIN_URL, `CREATE DATABASE ${dbName}`).then(
  () => true,
  () => false,
);
afterAll(async () => {
  if (postgresUp) await admin(ADMIN_URL, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
});

const COMPANIES: Field[] = [
  { name: 'id', type: 'text' },
  { name: 'name', type: 'text' },
];
const CONTACTS: Field[] = [
  { name: 'email', type: 'text' },
  { name: 'company', type: 'reference', ref: 'companies' },
  { name: 'mrr', type: 'currency', currency: 'EUR' },
];

for (const engine of ['pglite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && !postgresUp)(`currency and reference attributes (${engine})`, () => {
    let store: Store;
    let app: ReturnType<typeof createApi>;
    beforeAll(async () => {
      const url = new URL(ADMIN_URL);
      url.pathname = `/${dbName}`;
      store = engine === 'pglite' ? await openStore({ memory: true }) : await openStore({ dataDir: '/nonexistent', databaseUrl: url.toString() });
      app = createApi({ store, launcher: { start: async () => ({ workflowId: 'w' }) }, filesDir: '/nonexistent', maxUploadBytes: 4096, connections: testConnections(store, { filesDir: '/nonexistent' }) });
      app = await asOwner(app, store);
      const companies = [{ id: 'acme', name: 'Acme' }, JSON.parse('{"id": "__proto__", "name": "Proto Inc"}') as Record<string, unknown>, { id: 'constructor', name: 'Ctor' }, { id: '9007199254740993', name: 'Big id' }];
      expect((await store.writeWorkspace({ object: 'companies', key: ['id'], fields: COMPANIES, mode: 'upsert', rows: companies })).map((o) => o.outcome)).toEqual(['created', 'created', 'created', 'created']);
    });
    afterAll(async () => store?.close());

    it('rejects a reference to a missing record with its reason and writes the rest of the batch', async () => {
      // The rows as the Map makes them: amounts parsed exactly, a code in the text checked.
      const map = createTransform(
        {
          nodeId: 'm',
          kind: 'map',
          label: 'Map',
          input: { fields: [{ name: 'email', type: 'text' }, { name: 'company', type: 'text' }, { name: 'mrr', type: 'text' }], key: [] },
          config: {
            fields: [
              { from: 'field', source: 'email', target: 'email', type: 'text', key: true },
              { from: 'field', source: 'company', target: 'company', type: 'reference', ref: 'companies' },
              { from: 'field', source: 'mrr', target: 'mrr', type: 'currency', currency: 'EUR' },
            ],
          },
        },
        {},
      );
      const source = [
        { email: 'a@x.io', company: 'acme', mrr: '12345678901234567890.123456789012345678' },
        { email: 'b@x.io', company: 'nobody', mrr: '1.10' },
        { email: 'c@x.io', company: '__proto__', mrr: 'EUR 9007199254740993.01' },
        { email: 'd@x.io', company: 'constructor', mrr: '-0.000000000000000000001' },
        { email: 'e@x.io', company: '9007199254740993', mrr: '5 eur' },
        { email: 'f@x.io', company: 'ACME', mrr: '7' },
        { email: 'g@x.io', company: '', mrr: '' },
        { email: 'h@x.io', company: 'acme', mrr: '12.50 USD' },
      ].map((values, i) => ({ rowNumber: i + 1, values: values as Record<string, unknown>, source: values as Record<string, unknown> }));
      const { rows, rejected } = map.apply(source);
      expect(rejected.map((r) => [r.rowNumber, r.reason])).toEqual([[8, 'mrr: "12.50 USD" is in USD, but the field holds EUR amounts']]);
      const outcomes = await store.writeWorkspace({ object: 'contacts', key: ['email'], fields: CONTACTS, mode: 'upsert', rows: rows.map((r) => r.values) });
      expect(outcomes).toEqual([
        { outcome: 'created' },
        { outcome: 'rejected', reason: 'company: no companies record has the key "nobody" (a Reference must name an existing record)' },
        { outcome: 'created' },
        { outcome: 'created' },
        { outcome: 'created' },
        // Keys are exact: 'ACME' is not 'acme'.
        { outcome: 'rejected', reason: 'company: no companies record has the key "ACME" (a Reference must name an existing record)' },
        // A blank reference is no reference.
        { outcome: 'created' },
      ]);

      const obj = WorkspaceObject.parse(await (await app.request('/api/workspace/objects/contacts')).json());
      expect(obj.attributes).toEqual(CONTACTS);
      const page = Page(WorkspaceRecord).parse(await (await app.request('/api/workspace/objects/contacts/records?limit=50')).json());
      const byEmail = new Map(page.items.map((r) => [r.key, r.values]));
      expect([...byEmail.keys()].sort()).toEqual(['a@x.io', 'c@x.io', 'd@x.io', 'e@x.io', 'g@x.io']);
      // Amounts come back digit for digit (decimal text where a double would round them).
      expect(byEmail.get('a@x.io')).toMatchObject({ company: 'acme', mrr: '12345678901234567890.123456789012345678' });
      expect(byEmail.get('c@x.io')).toMatchObject({ company: '__proto__', mrr: '9007199254740993.01' });
      // A double that reads back as the same decimal stays a number (Weft's rule for every number).
      expect(byEmail.get('d@x.io')).toMatchObject({ company: 'constructor', mrr: -1e-21 });
      expect(byEmail.get('e@x.io')).toMatchObject({ company: '9007199254740993', mrr: 5 });
      expect(byEmail.get('g@x.io')).toMatchObject({ company: null, mrr: null });
    });

    it('takes a record this batch creates in the object itself, and rejects NUL and unknown ids in references', async () => {
      const fields: Field[] = [
        { name: 'id', type: 'text' },
        { name: 'parent', type: 'reference', ref: 'teams' },
      ];
      const outcomes = await store.writeWorkspace({
        object: 'teams',
        key: ['id'],
        fields,
        mode: 'upsert',
        rows: [
          { id: 'child', parent: 'root' },
          { id: 'root', parent: null },
          { id: 'x', parent: 'a\u0000b' },
          { id: 'y', parent: 'ghost' },
          // probe14: half a character in a reference failed the batch's lookup of the referenced keys (jsonb refuses it).
          { id: 'z', parent: 'half \ud83d' },
          { id: 'w', parent: 'child' },
        ],
      });
      expect(outcomes).toEqual([
        { outcome: 'created' },
        { outcome: 'created' },
        { outcome: 'rejected', reason: expect.stringContaining('parent') },
        { outcome: 'rejected', reason: 'parent: no teams record has the key "ghost" (a Reference must name an existing record)' },
        { outcome: 'rejected', reason: "parent contains half of a character (a lone UTF-16 surrogate, U+D83D), which the workspace cannot store. Fix the source's text." },
        { outcome: 'created' },
      ]);
      // A reference whose attribute names no object cannot be checked: rejected, saying what to fix.
      const [loose] = await store.writeWorkspace({ object: 'loose', key: ['id'], fields: [{ name: 'id', type: 'text' }, { name: 'to', type: 'reference' }], mode: 'upsert', rows: [{ id: '1', to: 'acme' }] });
      expect(loose).toEqual({ outcome: 'rejected', reason: 'to is a Reference that names no workspace object; choose the object it references in the Map' });
    });
  });
}
