// The Files connector beyond the contract suite: its PGP key (test, wrong key), the formula filter, node
// settings winning over the stored sniff, writing new output files and reading them back, and discovery.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../store';
import type { Store, StoredFile } from '../../store/types';
import { ConnectorError, type ConnectorSession, type ReadBatch, type ReadOptions } from '../types';
import { filesConnector, outputFileId } from '.';

let dir: string;
let filesDir: string;
let store: Store;
let session: ConnectorSession;
let key: { privateKey: string; publicKey: string };
let other: { privateKey: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-files-connector-'));
  filesDir = join(dir, 'files');
  await mkdir(filesDir);
  store = await openStore({ dataDir: dir, memory: true });
  await store.migrate();
  session = await filesConnector.open({}, {}, { store, filesDir });
  key = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'Ops', email: 'ops@weft.local' }], passphrase: 'pass phrase', format: 'armored' });
  other = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'Else', email: 'else@weft.local' }], format: 'armored' });
});
afterAll(async () => {
  await session.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function stored(content: string | Buffer, file: Partial<StoredFile> = {}): Promise<StoredFile> {
  const id = `file_unit_${++n}`;
  const path = join(filesDir, id);
  await writeFile(path, content);
  const f: StoredFile = {
    id,
    name: `f${n}.csv`,
    size: 1,
    sha256: '0'.repeat(64),
    columns: [
      { name: 'id', type: 'number' },
      { name: 'city', type: 'text' },
    ],
    delimiter: ',',
    sampleRows: [],
    format: 'csv',
    compression: 'none',
    path,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    ...file,
  };
  await store.saveFile(f);
  return f;
}

async function collect(s: ConnectorSession, object: string, options: Partial<ReadOptions> = {}): Promise<ReadBatch[]> {
  const out: ReadBatch[] = [];
  for await (const b of s.read(object, { batchSize: 100, ...options })) out.push(b);
  return out;
}
const rowsOf = (batches: ReadBatch[]) => batches.flatMap((b) => b.rows);

async function refusal(promise: Promise<unknown>): Promise<ConnectorError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
}

describe('opening and testing', () => {
  it('needs the store and files folder', async () => {
    const err = await refusal(filesConnector.open({}, {}));
    expect(err.code).toBe('invalid_config');
    expect(err.message).toMatch(/store and files folder/);
  });

  it('checks the PGP key when one is held, and that the files folder is writable', async () => {
    await expect(session.test()).resolves.toMatch(/^Weft can read and write its files folder\. No PGP key is set/);
    const good = await filesConnector.open({}, { pgpPrivateKey: key.privateKey, pgpPassphrase: 'pass phrase' }, { store, filesDir });
    const parsed = await openpgp.readPrivateKey({ armoredKey: key.privateKey });
    await expect(good.test()).resolves.toBe(`The PGP private key ${parsed.getFingerprint().toUpperCase()} (${parsed.getUserIDs()[0]}) is unlocked, and Weft can read and write its files folder.`);
    const wrongPass = await filesConnector.open({}, { pgpPrivateKey: key.privateKey, pgpPassphrase: 'nope' }, { store, filesDir });
    expect(await refusal(wrongPass.test())).toMatchObject({ code: 'auth', message: expect.stringMatching(/passphrase does not unlock/) });
    const publicOnly = await filesConnector.open({}, { pgpPrivateKey: key.publicKey.replace(/PUBLIC/g, 'PRIVATE') }, { store, filesDir });
    expect((await refusal(publicOnly.test())).code).toBe('auth');
    const readOnlyDir = join(dir, 'read-only');
    await mkdir(readOnlyDir);
    await chmod(readOnlyDir, 0o500);
    const locked = await filesConnector.open({}, {}, { store, filesDir: readOnlyDir });
    // root may write anywhere: then the folder is writable and the test passes, which is also the truth.
    const outcome = await locked.test().then(
      () => 'ok',
      (e: ConnectorError) => e.code,
    );
    expect(['ok', 'permission']).toContain(outcome);
  });
});

describe('reading', () => {
  it('decrypts with the session key, and says what is wrong without one or with the wrong one', async () => {
    const message = await openpgp.createMessage({ text: 'id,city\n1,Oslo\n2,Lima\n' });
    const encrypted = (await openpgp.encrypt({ message, encryptionKeys: await openpgp.readKey({ armoredKey: key.publicKey }) })) as string;
    const f = await stored(encrypted, { name: 'cities.csv.gpg', encrypted: true });
    const withKey = await filesConnector.open({}, { pgpPrivateKey: key.privateKey, pgpPassphrase: 'pass phrase' }, { store, filesDir });
    expect(rowsOf(await collect(withKey, f.id))).toEqual([
      { id: 1, city: 'Oslo' },
      { id: 2, city: 'Lima' },
    ]);
    const noKey = await refusal(collect(session, f.id));
    expect(noKey).toMatchObject({ code: 'auth', message: '"cities.csv.gpg" is PGP-encrypted; choose a Files connection with its private key ("Decrypt with").' });
    const wrong = await filesConnector.open({}, { pgpPrivateKey: other.privateKey }, { store, filesDir });
    const wrongKey = await refusal(collect(wrong, f.id));
    expect(wrongKey.code).toBe('auth');
    expect(wrongKey.message).toMatch(/^"cities.csv.gpg": This file was not encrypted for the private key/);
  });

  it('hands typed rows on as flow rows, the same rows, numbers and source records the unwrapped arrays give', async () => {
    const f = await stored('id,city\n1,Oslo\nx,Lima\n3,\n4,Rome\n', {});
    const batches = await collect(session, f.id, { batchSize: 2 });
    const flow = batches.flatMap((b) => b.flowRows ?? []);
    expect(flow.map((r) => [r.rowNumber, r.values, r.source])).toEqual([
      [1, { id: 1, city: 'Oslo' }, { id: '1', city: 'Oslo' }],
      [3, { id: 3, city: null }, { id: '3', city: null }],
      [4, { id: 4, city: 'Rome' }, { id: '4', city: 'Rome' }],
    ]);
    expect(batches.flatMap((b) => b.rows)).toEqual(flow.map((r) => r.values));
    expect(batches.flatMap((b) => b.rowNumbers ?? [])).toEqual([1, 3, 4]);
    expect(batches.flatMap((b) => b.sourceRows ?? [])).toEqual(flow.map((r) => r.source));
    expect(batches.flatMap((b) => b.rejected ?? []).map((r) => r.rowNumber)).toEqual([2]);
  });

  it('keeps the records a formula is TRUE for, resumable, and rejects records the formula cannot check', async () => {
    const f = await stored('id,city\n1,Oslo\n2,Lima\nx,Rome\n4,Oslo\n5,\n6,Oslo\n', {});
    const query = '[city] = "Oslo" OR ISBLANK([city])';
    const batches = await collect(session, f.id, { query, batchSize: 2 });
    expect(batches.map((b) => b.rows)).toEqual([
      [
        { id: 1, city: 'Oslo' },
        { id: 4, city: 'Oslo' },
      ],
      [
        { id: 5, city: null },
        { id: 6, city: 'Oslo' },
      ],
    ]);
    expect(batches.map((b) => b.rowNumbers)).toEqual([
      [1, 4],
      [5, 6],
    ]);
    expect(batches.flatMap((b) => b.rejected ?? []).map((r) => [r.rowNumber, r.reason.split(':')[0]])).toEqual([[3, 'id']]);
    expect(batches[0]?.sourceRows?.[0]).toEqual({ id: '1', city: 'Oslo' });
    expect(rowsOf(await collect(session, f.id, { query, batchSize: 2, cursor: batches[0]?.cursor }))).toEqual([
      { id: 5, city: null },
      { id: 6, city: 'Oslo' },
    ]);
    for (const bad of ['[city] = ', '[id] + 1', '[country] = "NO"']) {
      const err = await refusal(collect(session, f.id, { query: bad }));
      expect(err.code).toBe('invalid_query');
      expect(err.message).toMatch(/^The filter is not a valid TRUE\/FALSE formula over the file's columns: /);
    }
  });

  it("lets the node's settings win over the stored sniff, and refuses settings it does not know", async () => {
    const f = await stored('id;city\n1;Oslo\n', { delimiter: ',' });
    expect(rowsOf(await collect(session, f.id, { settings: { delimiter: ';' } }))).toEqual([{ id: 1, city: 'Oslo' }]);
    const noHeader = await collect(session, f.id, { settings: { delimiter: ';', hasHeader: false, columns: [{ name: 'a', type: 'text' }, { name: 'b', type: 'text' }] } });
    expect(rowsOf(noHeader)).toEqual([
      { a: 'id', b: 'city' },
      { a: '1', b: 'Oslo' },
    ]);
    expect(await refusal(collect(session, f.id, { settings: { delimter: ';' } }))).toMatchObject({ code: 'invalid_config', message: expect.stringMatching(/unknown setting delimter/) });
    expect((await refusal(collect(session, f.id, { settings: { format: 'xml' } }))).code).toBe('invalid_config');
    expect((await refusal(collect(session, f.id, { cursor: { after: [1] } }))).message).toMatch(/read position/);
  });

  it('reports a file whose bytes are gone as not_found', async () => {
    const f = await stored('id,city\n1,Oslo\n');
    await rm(f.path);
    expect(await refusal(collect(session, f.id))).toMatchObject({ code: 'not_found', message: expect.stringMatching(/missing from the server's file storage/) });
  });
});

describe('writing output files', () => {
  const fields = [
    { name: 'id', type: 'number' as const },
    { name: 'city', type: 'text' as const },
  ];

  it('creates CSV, NDJSON and JSON files by name, appends to them, and reads them back', async () => {
    for (const [name, expected] of [
      ['out.csv', 'id,city\n1,"Oslo, NO"\n2,\n3,Lima\n'],
      ['out.ndjson', '{"id":1,"city":"Oslo, NO"}\n{"id":2,"city":null}\n{"id":3,"city":"Lima"}\n'],
      ['out.json', '[\n{"id":1,"city":"Oslo, NO"},\n{"id":2,"city":null},\n{"id":3,"city":"Lima"}\n]\n'],
    ] as const) {
      const first = await session.write(name, [{ id: 1, city: 'Oslo, NO' }, { id: 2, city: null }], { mode: 'insert', key: [], fields });
      expect(first).toEqual([{ outcome: 'created' }, { outcome: 'created' }]);
      expect(await session.write(name, [{ id: 3, city: 'Lima' }], { mode: 'insert', key: [], fields })).toEqual([{ outcome: 'created' }]);
      const file = await store.getFile(outputFileId(name));
      expect(file).toMatchObject({ name, columns: fields, format: name.endsWith('.csv') ? 'csv' : name.endsWith('.json') ? 'json' : 'ndjson' });
      expect(await readFile(file!.path, 'utf8')).toBe(expected);
      expect(JSON.parse(JSON.stringify(file!.size))).toBe(Buffer.byteLength(expected));
      expect(rowsOf(await collect(session, file!.id))).toEqual([
        { id: 1, city: 'Oslo, NO' },
        { id: 2, city: null },
        { id: 3, city: 'Lima' },
      ]);
    }
  });

  it('refuses what a file cannot do, in words', async () => {
    expect((await refusal(session.write('x.csv', [{ id: 1 }], { mode: 'upsert', key: ['id'], fields }))).message).toMatch(/only appended to/);
    expect((await refusal(session.write('../escape.csv', [{ id: 1 }], { mode: 'insert', key: [], fields }))).message).toMatch(/without folders/);
    // The rule of an upload's name (probe19): no `..`, line breaks or direction marks in a name offered for download.
    for (const name of ['..', 'a\r\nb.csv', 'invoice\u202Evsc.csv']) {
      expect((await refusal(session.write(name, [{ id: 1 }], { mode: 'insert', key: [], fields }))).message, JSON.stringify(name)).toMatch(/cannot be an output file name/);
      expect(await store.getFile(outputFileId(name))).toBeNull();
    }
    const excel = await stored('not really', { format: 'excel', name: 'book.xlsx' });
    expect((await refusal(session.write(excel.id, [{ id: 1, city: 'x' }], { mode: 'insert', key: [], fields }))).message).toMatch(/"book.xlsx" is an Excel file; rows can only be appended/);
    await session.write('cols.csv', [{ id: 1, city: 'a' }], { mode: 'insert', key: [], fields });
    const unknown = await refusal(session.write('cols.csv', [{ id: 2, country: 'NO' }], { mode: 'insert', key: [], fields: [{ name: 'country', type: 'text' }] }));
    expect(unknown).toMatchObject({ code: 'not_found', message: '"cols.csv" has no column "country". Its columns are id, city.' });
  });

  it('appends to an uploaded CSV in its own delimiter and line ending, after a last line without one', async () => {
    const f = await stored('id;city\r\n1;Oslo', { delimiter: ';' });
    await session.write(f.id, [{ id: 2, city: 'Lima; PE' }], { mode: 'insert', key: [], fields });
    expect(await readFile(f.path, 'utf8')).toBe('id;city\r\n1;Oslo\n2;"Lima; PE"\r\n');
  });
});

describe('discover', () => {
  it('lists stored files newest first, by id, with their columns', async () => {
    const f = await stored('id,city\n', { name: 'latest.csv', createdAt: '2099-01-01T00:00:00.000Z' });
    const objects = await session.discover();
    expect(objects[0]).toEqual({
      name: f.id,
      label: 'latest.csv',
      fields: [
        { name: 'id', type: 'number', nativeType: 'csv number', nullable: true },
        { name: 'city', type: 'text', nativeType: 'csv text', nullable: true },
      ],
      primaryKey: [],
      cursorFields: [],
    });
    expect(objects.map((o) => o.name)).toContain(outputFileId('out.csv'));
  });
});

it('a filter that keeps every row of 100 KB hands its rows on before 16 MB of text, as the reader cut them (fix12a)', async () => {
  const big = 'x'.repeat(100_000);
  const f = await stored('id,city\n' + Array.from({ length: 300 }, (_, k) => `${k},${big}`).join('\n') + '\n');
  const plain = await collect(session, f.id, { batchSize: 1000 });
  const filtered = await collect(session, f.id, { query: 'NOT(ISBLANK([city]))', batchSize: 1000 });
  expect(plain[0]!.rows.length).toBeLessThan(300);
  expect(filtered[0]!.rows.length).toBeLessThan(300);
  // Nothing lost or repeated, and each batch's cursor resumes right after its last row.
  expect(rowsOf(filtered).map((r) => r.id)).toEqual(Array.from({ length: 300 }, (_, k) => k));
  for (const b of filtered) if (b.rows.length > 0) expect((b.cursor as { nextRow: number }).nextRow).toBe(b.rowNumbers?.at(-1));
});
