// The file routes beyond the upload: an encrypted upload that needs a key (kept, sniffed again with a Files
// connection), sniffing again with other settings, and a file source's preview with its filter and stamp.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, FilePreview, UploadedFile } from '../../shared';
import { FileSourceConfig, filePreviewHash } from '../../shared/graph/kinds/file-source';
import { filesConnector } from '../connectors/files';
import { postgresConnector } from '../connectors/postgres';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { asOwner } from '../../test/support/signed-in';
import { createApi } from './app';
import { testConnections } from '../../test/support/connections';

let store: Store;
let dir: string;
let app: ReturnType<typeof createApi>;
let key: { privateKey: string; publicKey: string };
let otherKey: { privateKey: string };

const CSV = 'Email,Plan,MRR,Active\na@x.io,Pro,10,true\nb@x.io,Free,0,false\nc@x.io,Pro,30,true\nd@x.io,Pro,oops,true\n';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-file-reads-'));
  store = await openStore({ dataDir: dir, memory: true });
  await store.migrate();
  app = createApi({
    store,
    launcher: { start: async () => ({ workflowId: 'w' }) },
    filesDir: join(dir, 'files'),
    maxUploadBytes: 1024 * 1024,
    connections: testConnections(store, { connectors: [filesConnector, postgresConnector], filesDir: join(dir, 'files') }),
  });
  app = await asOwner(app, store);
  key = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'Weft test', email: 'test@weft.local' }], format: 'armored' });
  otherKey = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'Someone else', email: 'else@weft.local' }], format: 'armored' });
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const post = (path: string, body: unknown) => app.request(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
const upload = (name: string, body: string | Uint8Array, query = '') =>
  app.request(`/api/files?name=${encodeURIComponent(name)}${query}`, { method: 'POST', body: body as BodyInit, headers: { 'content-type': 'application/octet-stream' } });
const errorOf = async (res: Response) => ApiError.parse(await res.json()).error;

async function encrypt(text: string): Promise<string> {
  const message = await openpgp.createMessage({ text });
  return (await openpgp.encrypt({ message, encryptionKeys: await openpgp.readKey({ armoredKey: key.publicKey }) })) as string;
}

async function filesConnection(name: string, privateKey: string): Promise<string> {
  const res = await post('/api/connections', { connector: 'files', name, secrets: { pgpPrivateKey: privateKey } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function uploaded(name: string, body: string): Promise<UploadedFile> {
  const res = await upload(name, body);
  expect(res.status).toBe(201);
  return UploadedFile.parse(await res.json());
}

describe('encrypted uploads', () => {
  it('keeps an encrypted upload without a key, says needs_key, and sniffs it once a Files connection is chosen', async () => {
    const res = await upload('customers.csv.gpg', await encrypt(CSV));
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err).toMatchObject({ code: 'needs_key', message: 'This file is PGP-encrypted; choose a Files connection with its private key' });
    const fileId = err.fileId as string;
    expect(UploadedFile.parse(await (await app.request(`/api/files/${fileId}`)).json())).toMatchObject({ encrypted: true, columns: [] });

    // A preview without a key says the same.
    const noKey = await post(`/api/files/${fileId}/preview`, {});
    expect(noKey.status).toBe(400);
    expect((await errorOf(noKey)).code).toBe('needs_key');

    const connectionId = await filesConnection('Partner key', key.privateKey);
    const sniffed = await post(`/api/files/${fileId}/sniff`, { connectionId });
    expect(sniffed.status).toBe(200);
    const file = UploadedFile.parse(await sniffed.json());
    expect(file).toMatchObject({ id: fileId, encrypted: true, format: 'csv', hasHeader: true });
    expect(file.columns.map((c) => c.name)).toEqual(['Email', 'Plan', 'MRR', 'Active']);

    const preview = await post(`/api/files/${fileId}/preview`, { connectionId, query: '[Active]' });
    expect(preview.status).toBe(200);
    expect(FilePreview.parse(await preview.json()).rows.map((r) => r.Email)).toEqual(['a@x.io', 'c@x.io', 'd@x.io']);
  });

  it('sniffs an encrypted upload in one go when the connection is given, and refuses a key it was not encrypted for', async () => {
    const right = await filesConnection('Right key', key.privateKey);
    const res = await upload('c.csv.gpg', await encrypt(CSV), `&connectionId=${right}`);
    expect(res.status).toBe(201);
    const file = UploadedFile.parse(await res.json());
    expect(file.encrypted).toBe(true);

    const wrong = await filesConnection('Wrong key', otherKey.privateKey);
    const refused = await post(`/api/files/${file.id}/sniff`, { connectionId: wrong });
    expect(refused.status).toBe(400);
    const err = await errorOf(refused);
    expect(err.code).toBe('key_refused');
    expect(err.message).toMatch(/not encrypted for the private key/);
    const preview = await post(`/api/files/${file.id}/preview`, { connectionId: wrong });
    expect((await errorOf(preview)).code).toBe('key_refused');
  });

  it('refuses a connection that is not a Files connection, or does not exist', async () => {
    const pg = await post('/api/connections', { connector: 'postgres', name: 'Some DB', config: { database: 'crm', user: 'weft' }, secrets: { password: 'x-long-enough' } });
    expect(pg.status).toBe(201);
    const pgId = ((await pg.json()) as { id: string }).id;
    const file = await uploaded('plain.csv', CSV);
    const notFiles = await post(`/api/files/${file.id}/sniff`, { connectionId: pgId });
    expect(notFiles.status).toBe(400);
    expect((await errorOf(notFiles)).message).toMatch(/"Some DB" is not a Files connection/);
    expect((await post(`/api/files/${file.id}/sniff`, { connectionId: 'con_missing' })).status).toBe(404);
    expect((await upload('x.csv', CSV, '&connectionId=con_missing')).status).toBe(404);
  });
});

describe('sniffing a stored file again', () => {
  it('finds the columns under another records path (no new upload needed) and keeps them', async () => {
    const json = JSON.stringify({ data: { items: [{ a: 1, b: 'x' }] }, other: [{ c: true }] });
    const file = await uploaded('nested.json', json);
    expect(file).toMatchObject({ format: 'json', recordsPath: 'data.items' });
    const res = await post(`/api/files/${file.id}/sniff`, { recordsPath: 'other' });
    expect(res.status).toBe(200);
    expect(UploadedFile.parse(await res.json())).toMatchObject({ recordsPath: 'other', columns: [{ name: 'c', type: 'boolean' }] });
    expect(UploadedFile.parse(await (await app.request(`/api/files/${file.id}`)).json()).recordsPath).toBe('other');
  });

  it('says why a setting does not fit the file, and refuses unknown settings and files', async () => {
    const file = await uploaded('nested2.json', JSON.stringify({ data: { items: [{ a: 1 }] } }));
    const bad = await post(`/api/files/${file.id}/sniff`, { recordsPath: 'nope' });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toMatch(/^Could not read "nested2.json" this way: /);
    const unknown = await post(`/api/files/${file.id}/sniff`, { delimiter: ';' });
    expect(unknown.status).toBe(400);
    expect((await errorOf(unknown)).code).toBe('invalid_request');
    expect((await post('/api/files/file_missing/sniff', {})).status).toBe(404);
  });

  it('reads a file as the format the user chose', async () => {
    const file = await uploaded('lines.txt', '{"a":1}\n{"a":2}\n');
    const res = await post(`/api/files/${file.id}/sniff`, { format: 'ndjson' });
    expect(res.status).toBe(200);
    expect(UploadedFile.parse(await res.json())).toMatchObject({ format: 'ndjson', columns: [{ name: 'a', type: 'number' }] });
  });
});

describe('file source preview', () => {
  it('returns the first records the filter keeps, typed, with rejected ones and the stamp the node keeps', async () => {
    const file = await uploaded('customers.csv', CSV);
    // "oops" made the sniff call MRR text; the user sets it to Number in the columns widget.
    expect(file.columns.find((c) => c.name === 'MRR')?.type).toBe('text');
    const columns = file.columns.map((c) => (c.name === 'MRR' ? { ...c, type: 'number' as const } : c));
    const res = await post(`/api/files/${file.id}/preview`, { format: 'csv', delimiter: ',', hasHeader: true, columns, query: '[MRR] > 5' });
    expect(res.status).toBe(200);
    const preview = FilePreview.parse(await res.json());
    expect(preview.rows).toEqual([
      { Email: 'a@x.io', Plan: 'Pro', MRR: 10, Active: true },
      { Email: 'c@x.io', Plan: 'Pro', MRR: 30, Active: true },
    ]);
    expect(preview.rejected).toEqual([{ rowNumber: 4, reason: expect.stringMatching(/^MRR: /) }]);
    expect(preview.scanned).toBe(4);
    const node = FileSourceConfig.parse({ fileId: file.id, fileName: file.name, columns, query: ' [MRR] > 5 ' });
    expect(preview.preview.hash).toBe(filePreviewHash(node));
  });

  it('stops at 10 matching records', async () => {
    const many = `n\n${Array.from({ length: 50 }, (_, i) => i + 1).join('\n')}\n`;
    const file = await uploaded('many.csv', many);
    const preview = FilePreview.parse(await (await post(`/api/files/${file.id}/preview`, { query: 'MOD([n], 2) = 0' })).json());
    expect(preview.rows.map((r) => r.n)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
  });

  it('reads further when asked (a deeper sample for the designer), with record numbers and the records as read', async () => {
    const many = `n,city\n${Array.from({ length: 3000 }, (_, i) => `${i + 1},c${i + 1}`).join('\n')}\n`;
    const file = await uploaded('deep.csv', many);
    const preview = FilePreview.parse(await (await post(`/api/files/${file.id}/preview`, { query: '[n] > 2390', limit: 10_000 })).json());
    expect(preview.rows).toHaveLength(610);
    expect(preview.rowNumbers?.slice(0, 3)).toEqual([2391, 2392, 2393]);
    expect(preview.sourceRows?.[0]).toEqual({ n: '2391', city: 'c2391' });
    expect(preview.rows[0]).toMatchObject({ n: 2391 });
    expect(preview.scanned).toBe(3000);
    expect(preview.timedOut).toBeUndefined();
    // Without a limit, 10 as before; a limit past SAMPLE_LIMITS is refused.
    expect(FilePreview.parse(await (await post(`/api/files/${file.id}/preview`, {})).json()).rows).toHaveLength(10);
    expect((await post(`/api/files/${file.id}/preview`, { limit: 10_001 })).status).toBe(400);
  });

  it('explains a filter that is not a TRUE/FALSE formula over the columns, and bad settings', async () => {
    const file = await uploaded('c2.csv', CSV);
    const unknownField = await post(`/api/files/${file.id}/preview`, { query: '[Amount] > 5' });
    expect(unknownField.status).toBe(422);
    const err = await errorOf(unknownField);
    expect(err.code).toBe('invalid_query');
    expect(err.message).toMatch(/Amount/);
    const notBoolean = await post(`/api/files/${file.id}/preview`, { query: '[MRR] + 1' });
    expect((await errorOf(notBoolean)).code).toBe('invalid_query');
    const badSetting = await post(`/api/files/${file.id}/preview`, { delimiter: 'x' });
    expect(badSetting.status).toBe(400);
    expect((await post('/api/files/file_missing/preview', {})).status).toBe(404);
  });
});
