// Hostile and careless uploads through the real API (probe16b): records, values, nesting and workbook parts past the
// limits of runtime/files/limits.ts are refused or rejected in plain words, instead of taking the process's memory or
// answering "Maximum call stack size exceeded". Files are made here, small on disk (gzip and deflate do the rest),
// against limits turned down for the test (WEFT_FILES_MAX_RECORD_MB=1, WEFT_FILES_MAX_SHARED_STRINGS_MB=1).
import { gzipSync } from 'node:zlib';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilePreview, UploadedFile } from '../../shared';
import { zipOf } from '../../test/support/zip';
import { boundedLines } from '../files/json';
import { fileLimits } from '../files/limits';
import { Readable } from 'node:stream';
import type { createApi } from './app';
import { openApiApp, type ApiApp } from '../../test/support/api-app';

let app: ReturnType<typeof createApi>;
let rig: ApiApp;
const saved = { record: process.env.WEFT_FILES_MAX_RECORD_MB, strings: process.env.WEFT_FILES_MAX_SHARED_STRINGS_MB };

beforeAll(async () => {
  process.env.WEFT_FILES_MAX_RECORD_MB = '1';
  process.env.WEFT_FILES_MAX_SHARED_STRINGS_MB = '1';
  rig = await openApiApp({ name: 'file-limits', maxUploadBytes: 4 * 1024 * 1024, temporalHealthy: true });
  ({ app } = rig);
});
afterAll(async () => {
  for (const [name, value] of [['WEFT_FILES_MAX_RECORD_MB', saved.record], ['WEFT_FILES_MAX_SHARED_STRINGS_MB', saved.strings]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await rig?.close();
});

const MB = 1024 * 1024;
const upload = (name: string, body: string | Buffer) =>
  app.request(`/api/files?name=${encodeURIComponent(name)}`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'content-type': 'application/octet-stream' } });
const post = (path: string, body: unknown) => app.request(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

async function refused(name: string, body: string | Buffer): Promise<string> {
  const res = await upload(name, body);
  const answer = (await res.json()) as { error?: { code: string; message: string } };
  expect(res.status, JSON.stringify(answer).slice(0, 300)).toBe(400);
  expect(answer.error?.code).toBe('unreadable_file');
  return answer.error?.message ?? '';
}

async function previewOf(name: string, body: string | Buffer): Promise<FilePreview> {
  const res = await upload(name, body);
  expect(res.status).toBe(201);
  const file = UploadedFile.parse(await res.json());
  const preview = await post(`/api/files/${file.id}/preview`, {});
  expect(preview.status).toBe(200);
  return FilePreview.parse(await preview.json());
}

// A workbook of one sheet, its XML given (and shared strings when asked), deflated as Excel writes it.
const SHEET_HEAD = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
function workbook(sheetXml: string | Buffer, sharedStrings?: string | Buffer): Buffer {
  const rels = [
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>',
    sharedStrings ? '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' : '',
  ].join('');
  return zipOf([
    { name: '[Content_Types].xml', content: '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>' },
    {
      name: 'xl/workbook.xml',
      content:
        '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
    },
    { name: 'xl/_rels/workbook.xml.rels', content: `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels}</Relationships>` },
    { name: 'xl/worksheets/sheet1.xml', content: sheetXml },
    ...(sharedStrings ? [{ name: 'xl/sharedStrings.xml', content: sharedStrings }] : []),
  ]);
}
const HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>';

describe('boundedLines', () => {
  const lines = async (chunks: string[], max = 10) => {
    const out: unknown[] = [];
    for await (const l of boundedLines(Readable.from(chunks.map((c) => Buffer.from(c))), max)) out.push(l);
    return out;
  };
  it('splits as readline does (\\n, \\r\\n across chunks, a lone \\r, a last line without an end) and stands in for a long line', async () => {
    expect(await lines(['a\r', '\nb\rc\n', '\n', 'dé'])).toEqual(['a', 'b', 'c', '', 'dé']);
    expect(await lines(['x'.repeat(8), 'y'.repeat(8), 'z\nok\n'])).toEqual([{ chars: 17, head: `${'x'.repeat(8)}${'y'.repeat(8)}` }, 'ok']);
    expect(await lines(['0123456789ABC\n1\n'])).toEqual([{ chars: 13, head: '0123456789ABC' }, '1']);
  });
});

describe('file limits, through upload and preview', () => {
  it('has defaults that fit a worker heap of 160 MB', () => {
    const saved = { ...process.env };
    delete process.env.WEFT_FILES_MAX_RECORD_MB;
    delete process.env.WEFT_FILES_MAX_SHARED_STRINGS_MB;
    try {
      expect(fileLimits()).toEqual({ maxRecordBytes: 8 * MB, maxJsonDepth: 64, maxSharedStringsBytes: 64 * MB, maxDecryptedBytes: 20_480 * MB });
      process.env.WEFT_FILES_MAX_JSON_DEPTH = 'deep';
      expect(() => fileLimits()).toThrow('WEFT_FILES_MAX_JSON_DEPTH must be a positive number (it is "deep")');
    } finally {
      process.env = saved;
    }
  });

  it('rejects an NDJSON line past the record limit without holding it, and reads the lines after it', async () => {
    const body = gzipSync(Buffer.concat([Buffer.from('{"id":1,"note":"'), Buffer.alloc(3 * MB, 'x'), Buffer.from('"}\n{"id":2,"note":"ok"}\n')]));
    const preview = await previewOf('events.ndjson.gz', body);
    expect(preview.rows).toEqual([{ id: 2, note: 'ok' }]);
    expect(preview.rejected).toEqual([{ rowNumber: 1, reason: 'Line 1 has 3,145,746 characters; a line has at most 1,048,576 characters (WEFT_FILES_MAX_RECORD_MB)' }]);
  });

  it('calls a CSV value past 256 KB too long, not "a quote that is never closed", when its quote closes far away', async () => {
    const body = gzipSync(Buffer.concat([Buffer.from('id,note\n1,"'), Buffer.alloc(300 * 1024, 'x'), Buffer.from('"\n2,ok\n')]));
    const preview = await previewOf('notes.csv.gz', body);
    expect(preview.rows.map((r) => r.note)).toEqual(['ok']);
    expect(preview.rejected).toEqual([{ rowNumber: 1, reason: 'row 1 is longer than 256 KB' }]);
  });

  it('refuses JSON nested past the depth limit in words, not a stack overflow', async () => {
    const deep = `[{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}]`;
    expect(await refused('deep.json', deep)).toBe('Could not read "deep.json": The JSON cannot be read: objects or arrays are nested more than 64 levels deep (WEFT_FILES_MAX_JSON_DEPTH)');
    // NDJSON: the deep line is a rejected record, the others are read.
    const lines = `{"id":1}\n{"a":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}\n{"id":3}\n`;
    const preview = await previewOf('deep.ndjson', lines);
    expect(preview.rows.map((r) => r.id)).toEqual([1, 3]);
    expect(preview.rejected).toEqual([{ rowNumber: 2, reason: 'Line 2 nests objects or arrays more than 64 levels deep (WEFT_FILES_MAX_JSON_DEPTH)' }]);
  });

  it('refuses a JSON string longer than the record limit', async () => {
    const body = gzipSync(Buffer.concat([Buffer.from('[{"id":1,"note":"'), Buffer.alloc(2 * MB, 'x'), Buffer.from('"}]')]));
    expect(await refused('big.json.gz', body)).toMatch(/^Could not read "big\.json\.gz": The JSON cannot be read: a value is longer than 1,048,576 characters \(WEFT_FILES_MAX_RECORD_MB\)/);
  });

  it('keeps an NDJSON number of more than 400 digits exact (it was cut at 400, and the line called invalid)', async () => {
    const n = '7'.repeat(450);
    const preview = await previewOf('big-numbers.ndjson', `{"id":1,"n":${n}}\n{"id":2,"n":1}\n`);
    expect(preview.rejected).toEqual([]);
    expect(preview.rows.map((r) => r.n)).toEqual([n, '1']);
  });

  it('refuses workbooks whose XML would be held whole: a long cell, a long comment, many shared strings', async () => {
    const longCell = workbook(Buffer.concat([Buffer.from(`${SHEET_HEAD}${HEADER_ROW}<row r="2"><c r="A2" t="inlineStr"><is><t>`), Buffer.alloc(2 * MB, 'x'), Buffer.from('</t></is></c></row></sheetData></worksheet>')]));
    expect(await refused('cell.xlsx', longCell)).toBe(
      'Could not read "cell.xlsx": This Excel workbook has a text in xl/worksheets/sheet1.xml longer than 1,048,576 characters (WEFT_FILES_MAX_RECORD_MB; a cell holds at most 32,767 characters in Excel). Save the sheet as CSV and upload that.',
    );
    const comment = workbook(Buffer.concat([Buffer.from(`${SHEET_HEAD}${HEADER_ROW}<!--`), Buffer.alloc(2 * MB, ' '), Buffer.from('--></sheetData></worksheet>')]));
    expect(await refused('comment.xlsx', comment)).toMatch(/This Excel workbook has a text in xl\/worksheets\/sheet1\.xml longer than 1,048,576 characters/);
    const strings = `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${'<si><t>s</t></si>'.repeat(60_000)}</sst>`;
    const shared = workbook(`${SHEET_HEAD}<row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>`, strings);
    expect(await refused('strings.xlsx', shared)).toMatch(/shared text \(xl\/sharedStrings\.xml\) takes more than 1 MB of memory \([\d,]+ strings so far; WEFT_FILES_MAX_SHARED_STRINGS_MB\)/);
  });

  it('refuses a cell past column XFD and a row of more cells than Excel has columns, in words', async () => {
    const far = workbook(`${SHEET_HEAD}<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="ZZZZZZZZZ1" t="inlineStr"><is><t>b</t></is></c></row></sheetData></worksheet>`);
    expect(await refused('far.xlsx', far)).toBe('Could not read "far.xlsx": This Excel workbook is damaged: xl/worksheets/sheet1.xml has a cell (ZZZZZZZZZ1) past column XFD, Excel\'s last. Open it in Excel and save it again.');
    const wide = workbook(`${SHEET_HEAD}<row r="1">${'<c><v>1</v></c>'.repeat(20_000)}</row></sheetData></worksheet>`);
    expect(await refused('wide.xlsx', wide)).toMatch(/has a cell \(number 16385 in row 1\) past column XFD/);
  });

  it('refuses a zip holding two files of one name, an unsafe entry name, and an entry larger than its header says', async () => {
    const twice = zipOf([
      { name: 'orders.csv', content: 'id\n1\n' },
      { name: 'orders.csv', content: 'id\n2\n3\n' },
    ]);
    expect(await refused('orders.zip', twice)).toBe('Could not read "orders.zip": This zip holds two files named "orders.csv", so which one to read is unclear. Rename one of them and zip the files again.');
    expect(await refused('climb.zip', zipOf([{ name: '../orders.csv', content: 'id\n1\n' }]))).toMatch(/This zip has an entry with an unsafe name \(invalid relative path: \.\.\/orders\.csv\)/);
    const forged = zipOf([{ name: 'orders.csv', content: `id\n${'1\n'.repeat(50_000)}`, declaredSize: 16 }]);
    expect(await refused('forged.zip', forged)).toMatch(/This zip is damaged or forged: its entry "orders\.csv" does not hold the size its header declares/);
  });

  it('reads a PGP-encrypted zip that inflates 40-fold, and stops decrypting one past WEFT_FILES_MAX_DECRYPTED_MB before the disk fills', async () => {
    const key = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ email: 'limits@weft.local' }], format: 'armored' });
    const made = await post('/api/connections', { connector: 'files', name: 'Bomb key', secrets: { pgpPrivateKey: key.privateKey } });
    expect(made.status).toBe(201);
    const connectionId = ((await made.json()) as { id: string }).id;
    // A stored (not deflated) zip of 4 MB of one repeated row: PGP's zlib packet makes it a few KB. A real file can
    // be like it (a sparse export zipped without compression, then encrypted), so it is read under the default cap.
    const plain = zipOf([{ name: 'orders.csv', content: `id\n${'1\n'.repeat(2 * MB)}` }], { method: 'store' });
    const message = await openpgp.createMessage({ binary: new Uint8Array(plain) });
    const sealed = (await openpgp.encrypt({
      message,
      encryptionKeys: await openpgp.readKey({ armoredKey: key.publicKey }),
      format: 'binary',
      config: { preferredCompressionAlgorithm: openpgp.enums.compression.zlib },
    })) as Uint8Array;
    expect(sealed.length).toBeLessThan(100_000);
    expect(plain.length / sealed.length).toBeGreaterThan(40);
    const send = () => app.request(`/api/files?name=orders.zip.gpg&connectionId=${connectionId}`, { method: 'POST', body: sealed as BodyInit, headers: { 'content-type': 'application/octet-stream' } });
    const read = await send();
    expect(read.status, JSON.stringify(await read.clone().json()).slice(0, 300)).toBe(201);
    // The same file under a cap of 1 MB stands for a bomb under the default: the copy stops at the cap.
    process.env.WEFT_FILES_MAX_DECRYPTED_MB = '1';
    try {
      const res = await send();
      const answer = (await res.json()) as { error?: { message: string } };
      expect(res.status).toBe(400);
      expect(answer.error?.message).toBe(
        'Could not read "orders.zip.gpg": This encrypted file decrypts to more than 1 MB, the most a decrypted zip or Excel workbook may take on disk (WEFT_FILES_MAX_DECRYPTED_MB). Ask the sender for a smaller file, or raise the setting.',
      );
    } finally {
      delete process.env.WEFT_FILES_MAX_DECRYPTED_MB;
    }
  });
});
