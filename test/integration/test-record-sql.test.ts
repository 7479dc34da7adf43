// "Test a record" for database targets (issue 14) on real Postgres and MariaDB, through the API on the Temporal dev
// server: the plan (create / update which fields from what to what / unchanged / reject with reason) is read from the
// target table without writing, and agrees with the real run that follows, record by record: hostile values included
// (a `__proto__` column, U+0000 in text, keys past 2^53 side by side with their double-rounded neighbour).
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Connection, Integration, Page, RejectedRecord, UploadedFile, type Graph, type RunDetail, type TestRecordResult } from '../../shared';
import { withFilePreview } from '../../shared/graph/kinds/file-source';
import { normalizeValue } from '../../shared/sync/two-way';
import { json, openApiRig, type ApiRig } from '../support/api-rig';

const PG_URL = process.env.WEFT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MY = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
const name = `weft_trs_${randomBytes(4).toString('hex')}`;
let rig: ApiRig;
let pgAdmin: pg.Client;
let pgDb: pg.Client;
let myDb: mysql.Connection;
let file: UploadedFile;
const connections: Record<'postgres' | 'mariadb', string> = { postgres: '', mariadb: '' };

// 2^53 + 1 is not a double: read as exact text, and MySQL would round a text-to-number comparison to 2^53, which is
// also a key here. `__proto__` and `constructor` are values and a field name like any other; record 4 holds U+0000
// (an NDJSON upload: a CSV with a NUL byte is refused as binary).
const LINES = [
  { id: '9007199254740993', proto: 'p', name: 'Ada', score: '1.50' },
  { id: '2', proto: 'p', name: 'Bob', score: '2' },
  { id: '9007199254740992', proto: 'q', name: 'Cy', score: '3' },
  { id: '4', proto: 'p', name: 'D\u0000e', score: '4' },
  { id: '5', proto: 'constructor', name: 'Eve', score: '5.25' },
];
// JSON.stringify of a literal would drop `__proto__` (it sets the prototype): the lines are written by hand.
const NDJSON = LINES.map((l) => `{"id":${JSON.stringify(l.id)},"__proto__":${JSON.stringify(l.proto)},"name":${JSON.stringify(l.name)},"score":${JSON.stringify(l.score)}}`).join('\n') + '\n';

beforeAll(async () => {
  rig = await openApiRig({ address: inject('temporalAddress'), name: 'test-record-sql', batchSize: 50 });
  pgAdmin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  await pgAdmin.connect();
  await pgAdmin.query(`CREATE DATABASE ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  pgDb = new pg.Client({ connectionString: url.toString() });
  await pgDb.connect();
  myDb = await mysql.createConnection({ ...MY, supportBigNumbers: true, bigNumberStrings: true });
  await myDb.query(`CREATE DATABASE ${name}`);
  await myDb.query(`USE ${name}`);
  const made = async (body: Record<string, unknown>) => {
    const res = await rig.app.request('/api/connections', json('POST', body));
    expect(res.status, await res.clone().text()).toBe(201);
    return Connection.parse(await res.json()).id;
  };
  connections.postgres = await made({ connector: 'postgres', name: 'PG', config: { host: url.hostname, port: Number(url.port || 5432), database: name, user: decodeURIComponent(url.username || 'postgres') }, secrets: { password: decodeURIComponent(url.password) } });
  connections.mariadb = await made({ connector: 'mysql', name: 'Maria', config: { host: MY.host, port: MY.port, database: name, user: MY.user }, secrets: { password: MY.password } });
  const up = await rig.app.request('/api/files?name=hostile.ndjson', { method: 'POST', body: NDJSON, headers: { 'content-type': 'application/x-ndjson' } });
  expect(up.status, await up.clone().text()).toBe(201);
  file = UploadedFile.parse(await up.json());
});
afterAll(async () => {
  await rig?.close();
  await pgDb?.end();
  await pgAdmin?.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await pgAdmin?.end();
  await myDb?.query(`DROP DATABASE IF EXISTS ${name}`);
  await myDb?.end();
});

const COLUMNS = [
  { name: 'id', type: 'number' as const },
  { name: '__proto__', type: 'text' as const },
  { name: 'name', type: 'text' as const },
  { name: 'score', type: 'number' as const },
];

function graph(connectionId: string, nameFormula: string, target: Record<string, unknown> = {}): Graph {
  return {
    version: 1,
    nodes: [
      { id: 'source', kind: 'csv-source', label: 'People', position: { x: 0, y: 0 }, config: withFilePreview({ fileId: file.id, fileName: file.name, format: file.format, delimiter: ',', hasHeader: true, columns: file.columns.map((c) => ({ ...c, type: 'text' as const })) }) },
      {
        id: 'map',
        kind: 'map',
        label: 'Map',
        position: { x: 300, y: 0 },
        config: {
          fields: [
            { from: 'field', source: 'id', target: 'id', type: 'number', key: true },
            { from: 'field', source: '__proto__', target: '__proto__', type: 'text', key: false },
            { from: 'formula', formula: nameFormula, target: 'name', type: 'text', key: false },
            { from: 'field', source: 'score', target: 'score', type: 'number', key: false },
          ],
        },
      },
      { id: 'target', kind: 'sql-target', label: 'People table', position: { x: 600, y: 0 }, config: { connectionId, object: 'people', mode: 'upsert', columns: COLUMNS, key: ['id'], ...target } },
    ],
    edges: [
      { id: 'e1', source: 'source', target: 'map' },
      { id: 'e2', source: 'map', target: 'target' },
    ],
  };
}

interface Side {
  connectionId: () => string;
  /** The table as rows ordered by id, every value as text (null as null). */
  snapshot(): Promise<Record<string, unknown>[]>;
}

const sides: Record<'postgres' | 'mariadb', Side> = {
  postgres: {
    connectionId: () => connections.postgres,
    snapshot: async () =>
      (await pgDb.query<unknown[]>({ text: 'SELECT id::text, "__proto__", name, score::text FROM people ORDER BY id', rowMode: 'array' })).rows.map((r) => {
        const record = Object.create(null) as Record<string, unknown>;
        COLUMNS.forEach((c, i) => (record[c.name] = r[i]));
        return record;
      }),
  },
  mariadb: {
    connectionId: () => connections.mariadb,
    snapshot: async () => {
      // As arrays: mysql2 refuses to make objects with a `__proto__` key.
      const [rows] = await myDb.query<mysql.RowDataPacket[]>({ sql: 'SELECT CAST(id AS CHAR) AS a, `__proto__` AS b, name AS c, CAST(score AS CHAR) AS d FROM people ORDER BY id', rowsAsArray: true });
      return (rows as unknown as unknown[][]).map((r) => {
        const record = Object.create(null) as Record<string, unknown>;
        COLUMNS.forEach((c, i) => (record[c.name] = r[i]));
        return record;
      });
    },
  },
};

async function setUp(system: 'postgres' | 'mariadb') {
  if (system === 'postgres') {
    await pgDb.query('CREATE TABLE people (id bigint PRIMARY KEY, "__proto__" text, name text, score numeric(12,2))');
    await pgDb.query(`INSERT INTO people VALUES (9007199254740993, 'p', 'Ada', 1.5), (2, 'p', 'Old', 2)`);
  } else {
    await myDb.query('CREATE TABLE people (id bigint PRIMARY KEY, `__proto__` text, name text, score decimal(12,2))');
    await myDb.query(`INSERT INTO people VALUES (9007199254740993, 'p', 'Ada', 1.5), (2, 'p', 'Old', 2)`);
  }
}

async function testRecord(integrationId: string, g: Graph, rowNumber: number): Promise<NonNullable<TestRecordResult['trace']>> {
  const res = await rig.app.request(`/api/integrations/${integrationId}/test-record`, json('POST', { graph: g, rowNumber }));
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as TestRecordResult).trace!;
}

async function publishAndRun(integrationId: string, g: Graph): Promise<RunDetail> {
  expect((await rig.app.request(`/api/integrations/${integrationId}`, json('PUT', { graph: g }))).status).toBe(200);
  const published = await rig.app.request(`/api/integrations/${integrationId}/publish`, json('POST'));
  expect(published.status, await published.clone().text()).toBe(200);
  const started = await rig.app.request(`/api/integrations/${integrationId}/runs`, json('POST', {}));
  expect(started.status, await started.clone().text()).toBe(202);
  return rig.waitForEnd(((await started.json()) as { runId: string }).runId);
}

/** Every record's plan, then the run: its counts, rejected records and the table's values are what was planned. */
async function planThenRun(system: 'postgres' | 'mariadb', integrationId: string, g: Graph) {
  const side = sides[system];
  const before = await side.snapshot();
  const plans: Record<number, NonNullable<TestRecordResult['trace']>['target']> = {};
  for (let n = 1; n <= 5; n++) plans[n] = (await testRecord(integrationId, g, n)).target;
  // Planning wrote nothing.
  expect(await side.snapshot()).toEqual(before);
  const run = await publishAndRun(integrationId, g);
  const target = run.steps.find((s) => s.nodeId === 'target')!;
  const actions = Object.values(plans).map((p) => p.action);
  expect({ created: target.counts.created, updated: target.counts.updated, unchanged: target.counts.unchanged, rejected: target.counts.rejected, skipped: target.counts.skipped ?? 0 }, JSON.stringify(plans)).toEqual({
    skipped: actions.filter((a) => a === 'skip').length,
    created: actions.filter((a) => a === 'create').length,
    updated: actions.filter((a) => a === 'update').length,
    unchanged: actions.filter((a) => a === 'unchanged').length,
    rejected: actions.filter((a) => a === 'reject').length,
  });
  const rejected = Page(RejectedRecord).parse(await (await rig.app.request(`/api/runs/${run.id}/rejected`)).json());
  expect(rejected.items.map((r) => [r.rowNumber, r.reason])).toEqual(
    Object.entries(plans)
      .filter(([, p]) => p.action === 'reject')
      .map(([n, p]) => [Number(n), p.reason]),
  );
  // What the plan said the table would hold is what it holds, field by field (compared by type: 1.5 is 1.50).
  const now = new Map((await side.snapshot()).map((r) => [String(r.id), r]));
  for (const p of Object.values(plans)) {
    if (!p.after) continue;
    const stored = now.get(String(p.after.id));
    expect(stored, `record ${String(p.after.id)}`).toBeDefined();
    for (const c of COLUMNS) expect(normalizeValue(stored![c.name], c.type), `${String(p.after.id)}.${c.name}`).toEqual(normalizeValue(p.after[c.name], c.type));
  }
  return plans;
}

describe.each(['postgres', 'mariadb'] as const)('test a record against a %s table', (system) => {
  it('plans create / update / unchanged / reject read-only, and the run that follows does exactly that', async () => {
    await setUp(system);
    const created = await rig.app.request('/api/integrations', json('POST', { name: `Tested ${system}`, graph: graph(sides[system].connectionId(), '[name]') }));
    expect(created.status, await created.clone().text()).toBe(201);
    const id = Integration.parse(await created.json()).id;

    const first = await planThenRun(system, id, graph(sides[system].connectionId(), '[name]'));
    // 2^53 + 1 is there with the same values (1.50 = 1.5): unchanged, never confused with 2^53 (created).
    expect(first[1]).toMatchObject({ action: 'unchanged', key: '9007199254740993', changes: [] });
    expect(first[2]).toMatchObject({ action: 'update', key: '2', changes: [{ field: 'name', before: 'Old', after: 'Bob' }] });
    expect(first[3]).toMatchObject({ action: 'create', key: '9007199254740992' });
    expect(first[5]).toMatchObject({ action: 'create', key: '5' });
    expect(first[5]?.after?.__proto__).toBe('constructor');
    if (system === 'postgres') expect(first[4]).toMatchObject({ action: 'reject', reason: expect.stringMatching(/U\+0000/) });
    else expect(first[4]).toMatchObject({ action: 'create', key: '4' });

    // After a formula change: the records it changes are updates (from what to what), the rest unchanged.
    const second = await planThenRun(system, id, graph(sides[system].connectionId(), 'IF(VALUE([score]) > 2, UPPER([name]), [name])'));
    expect(second[1]?.action).toBe('unchanged');
    expect(second[2]?.action).toBe('unchanged');
    expect(second[3]).toMatchObject({ action: 'update', changes: [{ field: 'name', before: 'Cy', after: 'CY' }] });
    expect(second[5]).toMatchObject({ action: 'update', changes: [{ field: 'name', before: 'Eve', after: 'EVE' }] });

    // "Allow new records" off: a record the table no longer has is skipped ("skipped: no match"), as the run counts it.
    if (system === 'postgres') await pgDb.query('DELETE FROM people WHERE id = 5');
    else await myDb.query('DELETE FROM people WHERE id = 5');
    const third = await planThenRun(system, id, graph(sides[system].connectionId(), 'IF(VALUE([score]) > 2, UPPER([name]), [name])', { allowNew: false }));
    expect(third[5]).toMatchObject({ action: 'skip', reason: expect.stringContaining('skipped: no match') });
    expect(third[1]?.action).toBe('unchanged');
  });
});
