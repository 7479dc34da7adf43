// Test support: the contract suite's fixture for the Files connector, once per format. createObject writes the
// rows as that format (CSV, gzipped CSV, CSV inside a zip, JSON, NDJSON, an .xlsx sheet, PGP-encrypted CSV)
// into a temporary files folder and stores the file with the fixture's column types, as a user who confirmed
// them in the columns widget would have.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipBuffer } from '../../../test/support/zip';
import * as openpgp from 'openpgp';
import type { FileCompression, FileFormat } from '../../../shared/graph/kinds/file-source';
import { writeXlsx } from '../../../test/support/xlsx-test-writer';
import type { Store } from '../../store/types';
import type { ContractFixture, FixtureColumn } from '../contract-suite';
import type { Row } from '../types';

export const FIXTURE_FORMATS = ['csv', 'csv.gz', 'zip', 'json', 'ndjson', 'xlsx', 'pgp'] as const;
export type FixtureFormat = (typeof FIXTURE_FORMATS)[number];

/** Formats whose files rows can be appended to; the others are read-only (see docs/connectors.md). */
export const APPENDABLE: readonly FixtureFormat[] = ['csv', 'csv.gz', 'json', 'ndjson'];

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const csvCell = (v: unknown) => {
  const t = text(v);
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
};

export function toCsv(columns: FixtureColumn[], rows: Row[]): string {
  return [columns.map((c) => csvCell(c.name)).join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c.name])).join(','))].map((l) => `${l}\n`).join('');
}


const colLetters = (i: number): string => (i < 26 ? String.fromCharCode(65 + i) : colLetters(Math.floor(i / 26) - 1) + String.fromCharCode(65 + (i % 26)));
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function xlsxCell(v: unknown, ref: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return `<c r="${ref}"><v>${v}</v></c>`;
  if (typeof v === 'boolean') return `<c r="${ref}" t="b"><v>${v ? 1 : 0}</v></c>`;
  return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${esc(String(v))}</t></is></c>`;
}

function xlsxRows(columns: FixtureColumn[], rows: Row[]): string[] {
  const line = (values: unknown[], n: number) => `<row r="${n}">${values.map((v, i) => xlsxCell(v, `${colLetters(i)}${n}`)).join('')}</row>`;
  return [line(columns.map((c) => c.name), 1), ...rows.map((r, k) => line(columns.map((c) => r[c.name]), k + 2))];
}

export interface FileFixtureOptions {
  format: FixtureFormat;
  store: Store;
  filesDir: string;
  /** The public key PGP-encrypted files are encrypted for. */
  publicKey?: string;
}

/** Writes `rows` as the format and stores the file; returns its id (the object name read and write take). */
export async function createFileObject(o: FileFixtureOptions, name: string, columns: FixtureColumn[], rows: Row[]): Promise<string> {
  const id = `file_ct_${o.format.replace('.', '_')}_${name}`;
  const path = join(o.filesDir, id);
  let format: FileFormat = 'csv';
  let compression: FileCompression = 'none';
  const extra: { zipEntry?: string; recordsPath?: string; sheet?: string; sheets?: string[]; encrypted?: boolean } = {};
  switch (o.format) {
    case 'csv':
      await writeFile(path, toCsv(columns, rows));
      break;
    case 'csv.gz':
      compression = 'gzip';
      await writeFile(path, gzipSync(toCsv(columns, rows)));
      break;
    case 'zip':
      compression = 'zip';
      extra.zipEntry = `export/${name}.csv`;
      await writeFile(path, zipBuffer({ [extra.zipEntry]: toCsv(columns, rows) }));
      break;
    case 'json':
      // A top-level array, as output files are (records under a path cannot be appended to).
      format = 'json';
      extra.recordsPath = '';
      await writeFile(path, `${JSON.stringify(rows, null, 1)}\n`);
      break;
    case 'ndjson':
      format = 'ndjson';
      await writeFile(path, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
      break;
    case 'xlsx':
      format = 'excel';
      extra.sheet = 'Data';
      extra.sheets = ['Notes', 'Data'];
      await writeXlsx(path, { sheets: [{ name: 'Notes', rows: ['<row r="1"><c r="A1" t="inlineStr"><is><t>not this one</t></is></c></row>'] }, { name: 'Data', rows: xlsxRows(columns, rows) }] });
      break;
    case 'pgp': {
      if (!o.publicKey) throw new Error('the pgp fixture needs a public key');
      extra.encrypted = true;
      const message = await openpgp.createMessage({ text: toCsv(columns, rows) });
      await writeFile(path, (await openpgp.encrypt({ message, encryptionKeys: await openpgp.readKey({ armoredKey: o.publicKey }) })) as string);
      break;
    }
  }
  await o.store.saveFile({
    id,
    name: `${name}.${o.format}`,
    size: 1,
    sha256: '0'.repeat(64),
    columns: columns.map((c) => ({ name: c.name, type: c.type })),
    delimiter: ',',
    sampleRows: [],
    format,
    compression,
    hasHeader: true,
    ...extra,
    path,
    createdAt: new Date().toISOString(),
  });
  return id;
}

export function fileFixture(o: FileFixtureOptions): ContractFixture {
  return {
    createObject: (name, columns, _key, rows) => createFileObject(o, name, columns, rows),
    async dropObject(object) {
      await rm(join(o.filesDir, object), { force: true });
    },
    queries: {
      positiveActive: () => '[amount] > 0 AND [active]',
      noteEquals: (_object, t) => `[note] = "${t.replace(/"/g, '""')}"`,
    },
    keys: false,
    constraints: false,
    rejectedRows: [{ row: { id: 11, name: 'nested', amount: 1, price: 1, born: null, seen_at: null, active: true, note: { a: 1 } }, reason: /holds a list or an object/ }],
  };
}
