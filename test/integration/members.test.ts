// Member alignment on real servers: users read from Postgres tables through a saved connection, matched on email into
// the PGlite store, and MEMBER() in a published integration run on the Temporal dev server — reject vs default member.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Integration, MembersView, Page, RejectedRecord, RefreshOutcome, RunDetail, UploadedFile, WorkspaceRecord, type Graph, type TestRecordResult } from '../../shared';
import { withFilePreview } from '../../shared/graph/kinds/file-source';
import { scratchPostgres, type ScratchPostgres } from '../../runtime/connections/scratch-postgres';
import { json, openApiRig, type ApiRig } from '../support/api-rig';

let rig: ApiRig;
let app: ApiRig['app'];
let db: ScratchPostgres | null;
let connectionId = '';
const systems: Record<string, string> = {};

const post = async (path: string, body: unknown) => app.request(`/api${path}`, json('POST', body));
const view = async () => MembersView.parse(await (await app.request('/api/members')).json());

beforeAll(async () => {
  rig = await openApiRig({ address: inject('temporalAddress'), name: 'members', batchSize: 50 });
  ({ app } = rig);
  db = await scratchPostgres(1);
  if (!db) throw new Error('Postgres at 127.0.0.1:5432 does not answer');
  const client = new pg.Client({ host: db.config.host, port: db.config.port, database: db.config.database, user: db.config.user, password: db.secrets.password });
  await client.connect();
  await client.query('CREATE TABLE hs_owners (id bigint PRIMARY KEY, email text, name text)');
  await client.query(`INSERT INTO hs_owners VALUES (301, '  ADA@example.com ', 'Ada Lovelace'), (302, 'bob@example.com', 'Bob'), (303, 'twin@x.io', 'Twin A'), (304, ' TWIN@x.io', 'Twin B'), (305, NULL, 'Nobody'), (306, 'queue@example.com', 'Queue')`);
  await client.query('CREATE TABLE sf_users (id text PRIMARY KEY, email text, full_name text)');
  await client.query(`INSERT INTO sf_users VALUES ('005A', 'Ada@Example.com', 'Ada L.'), ('005Q', 'queue@example.com', 'Queue'), ('005Z', 'zed@x.io', 'Zed')`);
  await client.end();
  const made = await post('/connections', { connector: 'postgres', name: 'CRM mirror', config: db.config, secrets: db.secrets });
  expect(made.status, await made.clone().text()).toBe(201);
  connectionId = ((await made.json()) as { id: string }).id;
});
afterAll(async () => {
  await rig?.close();
  await db?.drop();
});

describe('member systems and matching on email', () => {
  it('refuses hostile names and unknown connections', async () => {
    const source = { type: 'table', table: 'public.hs_owners', idColumn: 'id', emailColumn: 'email' };
    for (const name of ['__proto__', 'weft', 'Hub Spot', '', 'a'.repeat(41), 'x\u0000y']) expect((await post('/member-systems', { name, connectionId, source })).status, name).toBe(400);
    expect((await post('/member-systems', { name: 'ghost', connectionId: 'con_nope', source })).status).toBe(400);
    expect((await app.request('/api/member-systems/msy_nope/refresh', json('POST'))).status).toBe(404);
  });

  it('reads each system, links by email (case and spaces ignored), creates members, lists the unmatched with why', async () => {
    for (const [name, table, nameColumn] of [
      ['hubspot', 'public.hs_owners', 'name'],
      ['salesforce', 'public.sf_users', 'full_name'],
    ] as const) {
      const res = await post('/member-systems', { name, connectionId, source: { type: 'table', table, idColumn: 'id', emailColumn: 'email', nameColumn } });
      expect(res.status, await res.clone().text()).toBe(201);
      systems[name] = ((await res.json()) as { id: string }).id;
    }
    expect((await post('/member-systems', { name: 'hubspot', connectionId, source: { type: 'connector' } })).status).toBe(409);

    const hs = RefreshOutcome.parse(await (await app.request(`/api/member-systems/${systems.hubspot}/refresh`, json('POST'))).json());
    expect(hs).toEqual({ system: 'hubspot', read: 6, matched: 3, created: 3, unmatched: 3, skipped: [] });
    const sf = RefreshOutcome.parse(await (await app.request(`/api/member-systems/${systems.salesforce}/refresh`, json('POST'))).json());
    expect(sf).toEqual({ system: 'salesforce', read: 3, matched: 3, created: 1, unmatched: 0, skipped: [] });

    const v = await view();
    const ada = v.members.find((m) => m.email === 'ADA@example.com');
    expect(ada?.accounts.map((a) => [a.system, a.externalId])).toEqual([
      ['hubspot', '301'],
      ['salesforce', '005A'],
    ]);
    expect(v.members.map((m) => m.email).sort()).toEqual(['ADA@example.com', 'bob@example.com', 'queue@example.com', 'zed@x.io']);
    expect(v.unmatched.map((u) => [u.system, u.externalId, u.problem])).toEqual([
      ['hubspot', '303', '2 users in hubspot share this email'],
      ['hubspot', '304', '2 users in hubspot share this email'],
      ['hubspot', '305', 'no email'],
    ]);
    expect(v.systems.map((s) => [s.name, s.accounts, s.unmatched, s.connectionName])).toEqual([
      ['hubspot', 6, 3, 'CRM mirror'],
      ['salesforce', 3, 0, 'CRM mirror'],
    ]);
    // A second refresh changes nothing.
    expect(RefreshOutcome.parse(await (await app.request(`/api/member-systems/${systems.hubspot}/refresh`, json('POST'))).json())).toMatchObject({ matched: 3, created: 0, unmatched: 3 });
  });

  it('resolves by hand: links a twin to a member, makes a member of another, and keeps both across a refresh', async () => {
    const bob = (await view()).members.find((m) => m.email === 'bob@example.com');
    // Bob already has hubspot 302: a second hubspot id for him is refused.
    expect((await post(`/member-systems/${systems.hubspot}/links`, { externalId: '303', memberId: bob?.id })).status).toBe(409);
    const zed = (await view()).members.find((m) => m.email === 'zed@x.io');
    const linked = await post(`/member-systems/${systems.hubspot}/links`, { externalId: '303', memberId: zed?.id });
    expect(linked.status, await linked.clone().text()).toBe(200);
    expect(await linked.json()).toMatchObject({ externalId: '303', memberId: zed?.id, matchedBy: 'manual', problem: null });
    const made = await post(`/member-systems/${systems.hubspot}/links`, { externalId: '305', createMember: true });
    expect(await made.json()).toMatchObject({ externalId: '305', matchedBy: 'manual' });
    expect((await post(`/member-systems/${systems.hubspot}/links`, { externalId: 'nope', memberId: null })).status).toBe(404);
    expect((await post(`/member-systems/${systems.hubspot}/links`, { externalId: '304', memberId: 'mem_nope' })).status).toBe(400);
    await app.request(`/api/member-systems/${systems.hubspot}/refresh`, json('POST'));
    const v = await view();
    expect(v.unmatched.map((u) => u.externalId)).toEqual(['304']);
    expect(v.members.find((m) => m.name === 'Nobody')?.accounts.map((a) => a.externalId)).toEqual(['305']);
  });

  it('members by hand: NUL and two addresses refused (bad requests), an email in another case is taken', async () => {
    expect((await post('/members', { name: 'N', email: 'n\u0000@x.io' })).status).toBe(400);
    expect((await post('/members', { name: 'N', email: 'a@x.io b@x.io' })).status).toBe(400);
    expect((await post('/members', { name: 'Ada again', email: ' ada@EXAMPLE.com' })).status).toBe(409);
    const ok = await post('/members', { name: '__proto__', email: null });
    expect(ok.status).toBe(201);
  });

  it('a table without the named column says so and keeps the reason on the system', async () => {
    const res = await post('/member-systems', { name: 'broken', connectionId, source: { type: 'table', table: 'public.sf_users', idColumn: 'id', emailColumn: 'mail' } });
    const id = ((await res.json()) as { id: string }).id;
    const refresh = await app.request(`/api/member-systems/${id}/refresh`, json('POST'));
    expect(refresh.status).toBe(422);
    expect(((await refresh.json()) as { error: { message: string } }).error.message).toBe('The table public.sf_users has no column "mail"');
    expect((await view()).systems.find((s) => s.name === 'broken')?.refreshError).toBe('The table public.sf_users has no column "mail"');
    expect((await app.request(`/api/member-systems/${id}`, { method: 'DELETE' })).status).toBe(204);
  });
});

describe('MEMBER() in a run', () => {
  let file: UploadedFile;
  const graph = (formula: string, extra: Record<string, unknown> = {}): Graph => ({
    version: 1,
    nodes: [
      { id: 'source', kind: 'csv-source', label: 'Deals', position: { x: 0, y: 0 }, config: withFilePreview({ fileId: file.id, fileName: file.name, format: file.format, delimiter: ',', hasHeader: true, columns: file.columns }) },
      {
        id: 'map',
        kind: 'map',
        label: 'Map',
        position: { x: 300, y: 0 },
        config: {
          fields: [
            { from: 'field', source: 'deal', target: 'deal', type: 'text', key: true },
            { from: 'formula', formula, target: 'sf_owner', type: 'text', key: false },
            { from: 'formula', formula: 'MEMBER("hubspot", [owner_id])', target: 'owner_email', type: 'text', key: false },
          ],
          ...extra,
        },
      },
      { id: 'target', kind: 'workspace-target', label: 'Deals', position: { x: 600, y: 0 }, config: { object: 'member_deals', mode: 'upsert' } },
    ],
    edges: [
      { id: 'e1', source: 'source', target: 'map' },
      { id: 'e2', source: 'map', target: 'target' },
    ],
  });

  async function publishAndRun(g: Graph, integrationId?: string) {
    let id = integrationId;
    if (!id) {
      const created = await post('/integrations', { name: 'Deals with owners', graph: g });
      id = Integration.parse(await created.json()).id;
    } else expect((await app.request(`/api/integrations/${id}`, json('PUT', { graph: g }))).status).toBe(200);
    const published = await app.request(`/api/integrations/${id}/publish`, json('POST'));
    expect(published.status, await published.clone().text()).toBe(200);
    const started = await app.request(`/api/integrations/${id}/runs`, json('POST', {}));
    const { runId } = (await started.json()) as { runId: string };
    return { id, runId, run: await rig.waitForEnd(runId) };
  }
  const records = async () => Object.fromEntries(Page(WorkspaceRecord).parse(await (await app.request('/api/workspace/objects/member_deals/records?limit=50')).json()).items.map((r) => [r.key, r.values]));

  it('refuses to publish an unknown member system', async () => {
    const res = await app.request('/api/files?name=deals.csv', { method: 'POST', body: 'deal,owner_id\nd1,301\nd2,302\nd3,999\nd4,\n', headers: { 'content-type': 'text/csv' } });
    file = UploadedFile.parse(await res.json());
    const created = await post('/integrations', { name: 'Typo', graph: graph('MEMBER("hubspt", [owner_id], "salesforce")') });
    const { id } = Integration.parse(await created.json());
    const published = await app.request(`/api/integrations/${id}/publish`, json('POST'));
    expect(published.status).toBe(422);
    expect(await published.text()).toContain('Unknown member system \\"hubspt\\". Did you mean \\"hubspot\\"?');
  });

  it('rejects a record whose owner has no one on the other side, with the reason; then the default member fills in', async () => {
    const first = await publishAndRun(graph('MEMBER("hubspot", [owner_id], "salesforce")'));
    expect(first.run.status, first.run.error ?? '').toBe('completed_with_errors');
    expect(first.run.counts).toMatchObject({ read: 4, written: 2, rejected: 2 });
    expect(await records()).toEqual({
      d1: { deal: 'd1', sf_owner: '005A', owner_email: 'ADA@example.com' },
      d4: { deal: 'd4', sf_owner: null, owner_email: null },
    });
    const rejected = Page(RejectedRecord).parse(await (await app.request(`/api/runs/${first.runId}/rejected`)).json());
    expect(rejected.items.map((r) => [r.rowNumber, r.reason])).toEqual([
      [2, 'sf_owner: #N/A Bob (bob@example.com) has no id in salesforce in MEMBER("hubspot", [owner_id], "salesforce")'],
      [3, 'sf_owner: #N/A No member has hubspot id "999" (Members page: link it to a member) in MEMBER("hubspot", [owner_id], "salesforce"); owner_email: #N/A No member has hubspot id "999" (Members page: link it to a member) in MEMBER("hubspot", [owner_id])'],
    ]);

    const second = await publishAndRun(graph('MEMBER("hubspot", [owner_id], "salesforce")', { unmatchedMembers: 'default', defaultMember: 'QUEUE@example.com' }), first.id);
    expect(second.run.status, second.run.error ?? '').toBe('completed');
    const after = await records();
    expect(after.d2).toEqual({ deal: 'd2', sf_owner: '005Q', owner_email: 'bob@example.com' });
    expect(after.d3).toEqual({ deal: 'd3', sf_owner: '005Q', owner_email: 'queue@example.com' });
    expect(after.d1).toEqual({ deal: 'd1', sf_owner: '005A', owner_email: 'ADA@example.com' });
  });

  it('a Map field set to "Align member from hubspot" runs the same lookup, rejecting or falling back as the Map says', async () => {
    const memberGraph = (extra: Record<string, unknown> = {}): Graph => {
      const g = graph('[owner_id]', extra);
      const map = g.nodes.find((n) => n.id === 'map')!;
      (map.config as { fields: unknown[] }).fields = [
        { from: 'field', source: 'deal', target: 'deal', type: 'text', key: true },
        { from: 'member', system: 'hubspot', source: 'owner_id', target: 'owner_email', type: 'text', key: false },
      ];
      (g.nodes.find((n) => n.id === 'target')!.config as { object: string }).object = 'member_field_deals';
      return g;
    };
    const stored = async () => Object.fromEntries(Page(WorkspaceRecord).parse(await (await app.request('/api/workspace/objects/member_field_deals/records?limit=50')).json()).items.map((r) => [r.key, r.values]));
    const first = await publishAndRun(memberGraph());
    expect(first.run.status, first.run.error ?? '').toBe('completed_with_errors');
    expect(first.run.counts).toMatchObject({ read: 4, written: 3, rejected: 1 });
    expect(await stored()).toEqual({
      d1: { deal: 'd1', owner_email: 'ADA@example.com' },
      d2: { deal: 'd2', owner_email: 'bob@example.com' },
      d4: { deal: 'd4', owner_email: null },
    });
    const rejected = Page(RejectedRecord).parse(await (await app.request(`/api/runs/${first.runId}/rejected`)).json());
    expect(rejected.items.map((r) => [r.rowNumber, r.reason])).toEqual([[3, 'owner_email: #N/A No member has hubspot id "999" (Members page: link it to a member) in MEMBER("hubspot", [owner_id])']]);
    // An unknown system is refused at publish like the formula's.
    const typo = memberGraph();
    ((typo.nodes.find((n) => n.id === 'map')!.config as { fields: { system?: string }[] }).fields[1]!).system = 'hubspt';
    const bad = await post('/integrations', { name: 'Typo field', graph: typo });
    const refused = await app.request(`/api/integrations/${Integration.parse(await bad.json()).id}/publish`, json('POST'));
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('Unknown member system \\"hubspt\\". Did you mean \\"hubspot\\"?');

    const second = await publishAndRun(memberGraph({ unmatchedMembers: 'default', defaultMember: 'queue@example.com' }), first.id);
    expect(second.run.status, second.run.error ?? '').toBe('completed');
    expect((await stored()).d3).toEqual({ deal: 'd3', owner_email: 'queue@example.com' });
  });
});

describe('test a record, then the real run', () => {
  let file: UploadedFile;
  let integrationId = '';
  const graph = (nameFormula: string): Graph => ({
    version: 1,
    nodes: [
      { id: 'source', kind: 'csv-source', label: 'People', position: { x: 0, y: 0 }, config: withFilePreview({ fileId: file.id, fileName: file.name, format: file.format, delimiter: ',', hasHeader: true, columns: file.columns }) },
      { id: 'filter', kind: 'filter', label: 'Only active', position: { x: 200, y: 0 }, config: { mode: 'formula', match: 'all', conditions: [], formula: '[status] = "active"' } },
      {
        id: 'map',
        kind: 'map',
        label: 'Map',
        position: { x: 400, y: 0 },
        config: {
          fields: [
            { from: 'field', source: 'id', target: 'id', type: 'text', key: true },
            { from: 'formula', formula: nameFormula, target: 'name', type: 'text', key: false },
            { from: 'formula', formula: 'MEMBER("hubspot", [owner_id])', target: 'owner', type: 'text', key: false },
          ],
        },
      },
      { id: 'target', kind: 'workspace-target', label: 'People', position: { x: 600, y: 0 }, config: { object: 'tested_people', mode: 'upsert' } },
    ],
    edges: [
      { id: 'e1', source: 'source', target: 'filter' },
      { id: 'e2', source: 'filter', target: 'map' },
      { id: 'e3', source: 'map', target: 'target' },
    ],
  });
  const test = async (body: Record<string, unknown>) => {
    const res = await app.request(`/api/integrations/${integrationId}/test-record`, json('POST', body));
    return { status: res.status, body: (await res.json()) as TestRecordResult & { error?: { message: string } } };
  };
  /** Every record's planned action, by row number. */
  async function plans(g: Graph) {
    const out: Record<number, TestRecordResult['trace']> = {};
    for (let n = 1; n <= 5; n++) out[n] = (await test({ graph: g, rowNumber: n })).body.trace;
    return out;
  }
  async function runWith(g: Graph) {
    expect((await app.request(`/api/integrations/${integrationId}`, json('PUT', { graph: g }))).status).toBe(200);
    expect((await app.request(`/api/integrations/${integrationId}/publish`, json('POST'))).status).toBe(200);
    const { runId } = (await (await app.request(`/api/integrations/${integrationId}/runs`, json('POST', {}))).json()) as { runId: string };
    return { runId, run: await rig.waitForEnd(runId) };
  }
  const stored = async () => Object.fromEntries(Page(WorkspaceRecord).parse(await (await app.request('/api/workspace/objects/tested_people/records?limit=50')).json()).items.map((r) => [r.key, r.values]));

  /** The run's counts and stored values are the ones the test planned, record by record. */
  async function agree(planned: Awaited<ReturnType<typeof plans>>, runId: string, counts: Record<string, number>) {
    const actions = Object.values(planned).map((t) => t?.target.action);
    const run = RunDetail.parse(await (await app.request(`/api/runs/${runId}`)).json());
    const target = run.steps.find((s) => s.nodeId === 'target');
    expect({ created: target?.counts.created, updated: target?.counts.updated, unchanged: target?.counts.unchanged }).toEqual({
      created: actions.filter((a) => a === 'create').length,
      updated: actions.filter((a) => a === 'update').length,
      unchanged: actions.filter((a) => a === 'unchanged').length,
    });
    expect(run.counts).toMatchObject(counts);
    const rejected = Page(RejectedRecord).parse(await (await app.request(`/api/runs/${runId}/rejected`)).json());
    const rejectedPlans = Object.entries(planned).filter(([, t]) => t?.steps.some((s) => s.outcome === 'rejected'));
    expect(rejected.items.map((r) => [r.rowNumber, r.reason])).toEqual(rejectedPlans.map(([n, t]) => [Number(n), t?.steps.find((s) => s.outcome === 'rejected')?.reason]));
    const now = await stored();
    for (const t of Object.values(planned)) if (t?.target.after && t.target.key) expect(now[t.target.key]).toEqual(t.target.after);
  }

  it('finds records by any field, refuses hostile searches, and traces one through every step', async () => {
    const res = await app.request('/api/files?name=people.csv', { method: 'POST', body: 'id,name,status,owner_id\n1,Ada,active,301\n2,Bob,inactive,302\n3,Cy,active,999\n4,Dee,active,306\n5,__proto__,active,\n', headers: { 'content-type': 'text/csv' } });
    file = UploadedFile.parse(await res.json());
    const created = await post('/integrations', { name: 'Tested people', graph: graph('[name]') });
    integrationId = Integration.parse(await created.json()).id;

    const found = await test({ search: ' dee ' });
    expect(found.status).toBe(200);
    expect(found.body.candidates.map((c) => c.rowNumber)).toEqual([4]);
    expect(found.body).toMatchObject({ scanned: 5, complete: true, trace: null });
    expect((await test({ search: '306' })).body.candidates.map((c) => c.rowNumber)).toEqual([4]);
    // Names people choose are data: text, not a pattern or a property.
    expect((await test({ search: '__proto__' })).body.candidates.map((c) => c.rowNumber)).toEqual([5]);
    expect((await test({ search: '.*' })).body.candidates).toEqual([]);
    expect((await test({ search: 'constructor' })).body.candidates).toEqual([]);
    expect((await test({ search: '' })).body.candidates).toHaveLength(5);
    expect((await test({ search: 'a\u0000b' })).status).toBe(400);
    expect((await test({ search: 'x'.repeat(201) })).status).toBe(400);
    expect((await test({ rowNumber: 0 })).status).toBe(400);
    expect((await test({ rowNumber: 99 })).body.error?.message).toBe('Record 99 was not found in the first 5 records of People');
    expect((await app.request('/api/integrations/int_nope/test-record', json('POST', {}))).status).toBe(404);

    const ada = (await test({ rowNumber: 1 })).body.trace;
    expect(ada?.steps.map((s) => [s.label, s.outcome, s.detail])).toEqual([
      ['People', 'read', null],
      ['Only active', 'passed', '[status] = "active" → TRUE'],
      ['Map', 'passed', null],
    ]);
    expect(ada?.steps[2]?.values).toEqual({ id: '1', name: 'Ada', owner: 'ADA@example.com' });
    expect(ada?.target).toMatchObject({ action: 'create', key: '1', changes: [{ field: 'id', before: null, after: '1' }, { field: 'name', before: null, after: 'Ada' }, { field: 'owner', before: null, after: 'ADA@example.com' }] });
    const bob = (await test({ rowNumber: 2 })).body.trace;
    expect(bob?.steps[1]).toMatchObject({ outcome: 'stopped', detail: '[status] = "active" → FALSE' });
    expect(bob?.target.action).toBe('not-reached');
    const cy = (await test({ rowNumber: 3 })).body.trace;
    expect(cy?.steps[2]).toMatchObject({ outcome: 'rejected', reason: 'owner: #N/A No member has hubspot id "999" (Members page: link it to a member) in MEMBER("hubspot", [owner_id])' });
    // A graph with errors is refused with its problems.
    expect((await test({ graph: graph('[nmae]'), rowNumber: 1 })).status).toBe(422);
  });

  it('agrees with the real run that follows: creates, then after a formula change, updates and unchanged', async () => {
    const first = graph('[name]');
    const planned = await plans(first);
    expect(Object.values(planned).map((t) => t?.target.action)).toEqual(['create', 'not-reached', 'not-reached', 'create', 'create']);
    const { runId } = await runWith(first);
    await agree(planned, runId, { read: 5, created: 3, rejected: 1 });

    const second = graph('IF([name] = "Ada", UPPER([name]), [name])');
    const again = await plans(second);
    expect(again[1]?.target).toMatchObject({ action: 'update', changes: [{ field: 'name', before: 'Ada', after: 'ADA' }] });
    expect(Object.values(again).map((t) => t?.target.action)).toEqual(['update', 'not-reached', 'not-reached', 'unchanged', 'unchanged']);
    const rerun = await runWith(second);
    await agree(again, rerun.runId, { read: 5, updated: 1, rejected: 1 });
  });
});
