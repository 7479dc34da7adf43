import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createGzip, gzipSync } from 'node:zlib';
import { zipBuffer } from '../../test/support/zip';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../../test/support/scratch-dir';
import { detectFormat, readFileBatches, sniffFile, type FileBatch, type ReadFileOptions } from './formats';
import { flattenRecord } from './json';

const scratch = scratchDir('weft-formats-');
/** A new scratch file (named without an extension unless `name` says one). */
const file = (content: string | Buffer, name = 'f') => scratch.file(content, name);

async function readAll(path: string, opts: Partial<ReadFileOptions> & Pick<ReadFileOptions, 'format' | 'columns'>): Promise<FileBatch[]> {
  const batches: FileBatch[] = [];
  for await (const b of readFileBatches(path, { compression: 'none', delimiter: ',', hasHeader: true, batchSize: 100, ...opts })) batches.push(b);
  return batches;
}

const cols = (...names: string[]) => names.map((name) => ({ name }));


const people = [
  { id: 1, name: 'Ada', address: { city: 'London', zip: 'N1' }, tags: ['a', 'b'], active: true },
  { id: 2, name: 'Bob', address: { city: 'Paris', zip: null }, tags: [], active: false },
];

describe('flattenRecord', () => {
  it('dots nested objects, keeps arrays as JSON text and scalars as text', () => {
    expect(flattenRecord({ a: 1, b: { c: { d: 'x' } }, e: [1, { f: 2 }], g: null, h: '', i: false })).toEqual({
      a: '1',
      'b.c.d': 'x',
      e: '[1,{"f":2}]',
      g: null,
      h: null,
      i: 'false',
    });
  });
});

describe('detectFormat', () => {
  it('trusts the extension, then the first character', () => {
    expect(detectFormat('a.jsonl', Buffer.from('x'))).toBe('ndjson');
    expect(detectFormat('a.json', Buffer.from('{"a":1}\n{"a":2}\n'))).toBe('json');
    expect(detectFormat('export.txt', Buffer.from('{"a":1}\n{"a":2}\n'))).toBe('ndjson');
    expect(detectFormat('export.txt', Buffer.from('{\n  "data": []\n}'))).toBe('json');
    expect(detectFormat('export.txt', Buffer.from(' [ {"a":1} ]'))).toBe('json');
    expect(detectFormat('export.txt', Buffer.from('a,b\n1,2\n'))).toBe('csv');
  });

  it('takes a workbook by its extension or its zip bytes, and refuses the old Excel formats', () => {
    expect(detectFormat('Report.xlsx', Buffer.from('x'))).toBe('excel');
    expect(detectFormat('macros.xlsm', Buffer.from('x'))).toBe('excel');
    expect(detectFormat('download', Buffer.from('PK\x03\x04rest'))).toBe('excel');
    expect(() => detectFormat('old.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]))).toThrow('save it as .xlsx');
    expect(() => detectFormat('old.xls', Buffer.from([0x09, 0x08, 0x10, 0, 0, 6]))).toThrow('This is an old Excel .xls workbook');
    expect(detectFormat('export.xls', Buffer.from('id\tname\n1\tAda\n'))).toBe('csv');
    expect(() => detectFormat('report.xls', Buffer.from('<html><table>'))).toThrow('This .xls file is a web page (HTML)');
    expect(detectFormat('misnamed.xls', Buffer.from('PK\x03\x04rest'))).toBe('excel');
    expect(() => detectFormat('big.xlsb', Buffer.from('x'))).toThrow('save it as .xlsx');
  });
});

describe('sniffFile', () => {
  it('reads a top-level JSON array, flattening nested fields', async () => {
    const s = await sniffFile(await file(JSON.stringify(people), 'people.json'), 'people.json');
    expect(s).toMatchObject({ format: 'json', compression: 'none', recordsPath: '' });
    expect(s.columns).toEqual([
      { name: 'id', type: 'number' },
      { name: 'name', type: 'text' },
      { name: 'address.city', type: 'text' },
      { name: 'address.zip', type: 'text' },
      { name: 'tags', type: 'text' },
      { name: 'active', type: 'boolean' },
    ]);
    expect(s.sampleRows[0]).toEqual({ id: '1', name: 'Ada', 'address.city': 'London', 'address.zip': 'N1', tags: '["a","b"]', active: 'true' });
    expect(s.sampleRows[1]?.['address.zip']).toBe('');
  });

  it('finds the array of records under a path, and says where it looked when there is none', async () => {
    const body = JSON.stringify({ meta: { count: 2, tags: ['x'] }, data: { items: people } });
    const s = await sniffFile(await file(body, 'export.json'), 'export.json');
    expect(s.recordsPath).toBe('data.items');
    expect(s.columns.map((c) => c.name)).toContain('address.city');
    const chosen = await sniffFile(await file(JSON.stringify({ a: [{ x: 1 }], b: [{ y: 2 }] })), 'x.json', { recordsPath: 'b' });
    expect(chosen.columns).toEqual([{ name: 'y', type: 'number' }]);
    await expect(sniffFile(await file(JSON.stringify({ meta: { n: 1 }, list: [1, 2] })), 'x.json')).rejects.toThrow(
      'The JSON has no array of records; looked at the top level, meta, list',
    );
  });

  it('sniffs NDJSON, gzip and zip', async () => {
    const nd = people.map((p) => JSON.stringify(p)).join('\n');
    expect(await sniffFile(await file(nd), 'people.ndjson')).toMatchObject({ format: 'ndjson', compression: 'none' });
    const gz = await sniffFile(await file(gzipSync(nd)), 'people.ndjson.gz');
    expect(gz).toMatchObject({ format: 'ndjson', compression: 'gzip' });
    expect(gz.columns).toHaveLength(6);
    const csvGz = await sniffFile(await file(gzipSync('id;name\n1;Ada\n')), 'people.csv.gz');
    expect(csvGz).toMatchObject({ format: 'csv', compression: 'gzip', delimiter: ';' });
    const z = await sniffFile(await file(zipBuffer({ 'readme.md': '# hi', 'dir/': '', 'dir/people.json': JSON.stringify(people) })), 'bundle.zip');
    expect(z).toMatchObject({ format: 'json', compression: 'zip', zipEntry: 'dir/people.json', recordsPath: '' });
    const chosen = await sniffFile(await file(zipBuffer({ 'a.csv': 'x\n1\n', 'b.csv': 'y\n2\n' })), 'two.zip', { zipEntry: 'b.csv' });
    expect(chosen.columns).toEqual([{ name: 'y', type: 'number' }]);
    await expect(sniffFile(await file(zipBuffer({ 'notes.md': 'x' })), 'x.zip')).rejects.toThrow('This zip has no CSV, JSON or NDJSON file inside');
  });

  it('says a plain file is not encrypted, and sends a workbook inside a zip back to be unzipped', async () => {
    expect(await sniffFile(await file('a\n1\n'), 'a.csv')).toMatchObject({ format: 'csv', encrypted: false });
    expect((await sniffFile(await file('a\n1\n'), 'a.csv')).sheets).toBeUndefined();
    await expect(sniffFile(await file(zipBuffer({ 'readme.txt.md': 'x', 'q3/Sales.xlsx': 'PK' })), 'q3.zip')).rejects.toThrow(
      'This zip holds an Excel workbook (q3/Sales.xlsx). Unzip it and upload the workbook itself.',
    );
    await expect(sniffFile(await file(zipBuffer({ 'a.csv': 'x\n1\n', 'b.xlsx': 'PK' })), 'two.zip', { zipEntry: 'b.xlsx' })).rejects.toThrow('This zip holds an Excel workbook (b.xlsx)');
  });
});

describe('readFileBatches', () => {
  it('reads JSON records under a path in batches, with missing fields as null and non-objects rejected', async () => {
    const items = [...people, 42, { id: 3, name: 'Cy' }];
    const path = await file(JSON.stringify({ data: { items } }));
    const all = await readAll(path, { format: 'json', recordsPath: 'data.items', columns: cols('id', 'name', 'address.city'), batchSize: 2 });
    expect(all.map((b) => b.nextRow)).toEqual([2, 4]);
    expect(all[0]?.rows).toEqual([
      { id: '1', name: 'Ada', 'address.city': 'London' },
      { id: '2', name: 'Bob', 'address.city': 'Paris' },
    ]);
    expect(all[1]?.malformed).toEqual([{ rowNumber: 3, raw: { value: 42 }, reason: 'Record 3 is not an object' }]);
    expect(all[1]?.rows).toEqual([{ id: '3', name: 'Cy', 'address.city': null }]);
    expect(all[1]?.rowNumbers).toEqual([4]);
  });

  it('resumes JSON and NDJSON from startRow', async () => {
    const records = Array.from({ length: 25 }, (_, i) => ({ id: i + 1 }));
    const json = await readAll(await file(JSON.stringify(records)), { format: 'json', columns: cols('id'), batchSize: 10, startRow: 20 });
    expect(json.flatMap((b) => b.rowNumbers)).toEqual([21, 22, 23, 24, 25]);
    const mixed = await readAll(await file(JSON.stringify([{ id: 1 }, 2, { id: 3 }, 'x', { id: 5 }])), { format: 'json', columns: cols('id'), startRow: 2 });
    expect(mixed.flatMap((b) => [...b.rowNumbers, ...b.malformed.map((m) => -m.rowNumber)])).toEqual([3, 5, -4]);
    const nd = await file(gzipSync(records.map((r) => JSON.stringify(r)).join('\n')));
    const resumed = await readAll(nd, { format: 'ndjson', compression: 'gzip', columns: cols('id'), batchSize: 10, startRow: 20 });
    expect(resumed.flatMap((b) => b.rows.map((r) => r.id))).toEqual(['21', '22', '23', '24', '25']);
    expect(resumed.at(-1)?.nextRow).toBe(25);
  });

  it('rejects a bad NDJSON line with its line number and keeps going', async () => {
    const path = await file('{"a":1}\n\n{"a":2,}\n{"a":3}\n');
    const [b] = await readAll(path, { format: 'ndjson', columns: cols('a') });
    expect(b?.rows).toEqual([{ a: '1' }, { a: '3' }]);
    expect(b?.rowNumbers).toEqual([1, 4]);
    expect(b?.malformed).toHaveLength(1);
    expect(b?.malformed[0]?.rowNumber).toBe(3);
    expect(b?.malformed[0]?.raw).toEqual({ line: '{"a":2,}' });
    expect(b?.malformed[0]?.reason).toMatch(/^Line 3 is not valid JSON: /);
  });

  it('fails a broken JSON document with a plain message', async () => {
    await expect(readAll(await file('[{"a":1},{"a":2'), { format: 'json', columns: cols('a') })).rejects.toThrow(/^The JSON is not valid after record 1/);
  });

  it('reads CSV inside gzip and zip, recovering from a broken quote', async () => {
    const csv = 'a,b\n1,ok\n2,"broken\n3,fine\n';
    for (const [compression, content] of [
      ['gzip', gzipSync(csv)],
      ['zip', zipBuffer({ 'data.csv': csv })],
    ] as const) {
      const [b] = await readAll(await file(content), { format: 'csv', compression, columns: cols('a', 'b') });
      expect(b?.rows).toEqual([{ a: '1', b: 'ok' }, { a: '3', b: 'fine' }]);
      expect(b?.malformed.map((m) => m.reason)).toEqual(['row 2 has a quote (") that is never closed']);
    }
  });

  it('reads the chosen zip entry', async () => {
    const path = await file(zipBuffer({ 'a.ndjson': '{"x":1}\n', 'b.ndjson': '{"x":2}\n{"x":3}\n' }));
    const [b] = await readAll(path, { format: 'ndjson', compression: 'zip', zipEntry: 'b.ndjson', columns: cols('x') });
    expect(b?.rows).toEqual([{ x: '2' }, { x: '3' }]);
  });

  it('streams a ~50 MB NDJSON.gz without the heap growing with the file', { timeout: 30_000 }, async () => {
    const path = scratch.path('big.ndjson.gz');
    const gz = createGzip({ level: 1 });
    const out = gz.pipe(createWriteStream(path));
    const filler = 'x'.repeat(300);
    const count = 140_000;
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const line = `${JSON.stringify({ id: i + 1, name: `Person ${i}`, address: { city: 'Town', zip: String(i) }, note: filler })}\n`;
      bytes += line.length;
      if (!gz.write(line)) await once(gz, 'drain');
    }
    gz.end();
    await once(out, 'finish');
    expect(bytes).toBeGreaterThan(45 * 1024 * 1024);

    // A collected baseline, so garbage left by writing the file does not hide growth.
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let rows = 0;
    for await (const b of readFileBatches(path, { format: 'ndjson', compression: 'gzip', delimiter: ',', hasHeader: true, columns: cols('id', 'address.city'), batchSize: 5000 })) {
      rows += b.rows.length;
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(rows).toBe(count);
    // Reading the whole file would hold at least its ~47 MB of text (measured: ~70 MB with the records);
    // streaming peaks around 20 MB above a collected heap.
    expect(peak - before).toBeLessThan(bytes);
  });
});
