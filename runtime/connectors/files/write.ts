// Writing: rows appended to an output file under filesDir, registered as a stored file so it can be read
// back, previewed and downloaded. The name decides the format: .ndjson/.jsonl one object per line, .json
// one array, anything else CSV with a header row. Append only (insert): a file has no keys to update by.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Field } from '../../../shared/graph/field-types';
import { stringHash } from '../../../shared/graph/kinds/sql-source';
import type { StoredFile } from '../../store/types';
import { ConnectorError, type RecordResult, type Row, type WriteOptions } from '../types';
import { emptyRecord, ownValue } from '../../../shared/util/records';
import { uploadNameProblem } from '../../../shared/api/routes/files';

type OutputFormat = 'csv' | 'json' | 'ndjson';

/** Output file names: one plain name (no folders), 1-200 characters. */
const NAME = /^[^/\\\0]{1,200}$/;

export const outputFormatOf = (name: string): OutputFormat => (/\.(ndjson|jsonl)$/i.test(name) ? 'ndjson' : /\.json$/i.test(name) ? 'json' : 'csv');

/** The stored id of the output file with this name: the same name appends to the same file. */
export const outputFileId = (name: string): string => `file_out_${stringHash(name)}${stringHash(`weft:${name}`)}`;

export interface WriteTarget {
  /** The stored file to append to (an output file, or an uploaded plain CSV/NDJSON/JSON file), if it exists. */
  existing: StoredFile | null;
  /** The name asked for, when it is not an existing file's id. */
  name: string;
}

export async function appendRows(target: WriteTarget, rows: Row[], options: WriteOptions, filesDir: string): Promise<{ file: StoredFile; results: RecordResult[] }> {
  if (options.mode !== 'insert') throw new ConnectorError('invalid_config', `Files are only appended to: "${options.mode}" needs keys a file does not have. Use insert.`);
  const existing = target.existing;
  if (existing) {
    const plain = (['csv', 'json', 'ndjson'] as string[]).includes(existing.format);
    const nested = existing.format === 'json' && (existing.recordsPath ?? '') !== '';
    const appendable = plain && !existing.encrypted && !nested && (existing.compression === 'none' || (existing.compression === 'gzip' && existing.format !== 'json'));
    if (rows.length === 0 && !appendable) return { file: existing, results: [] };
    if (!appendable) {
      if (nested) throw new ConnectorError('invalid_config', `The records of "${existing.name}" are under "${existing.recordsPath}"; rows can only be appended to a JSON file whose records are the top-level array. Write to a new file name instead.`);
      const what = existing.encrypted ? 'encrypted' : !plain ? `an ${existing.format === 'excel' ? 'Excel' : existing.format} file` : existing.format === 'json' ? 'gzipped JSON' : `${existing.compression}-compressed`;
      throw new ConnectorError('invalid_config', `"${existing.name}" is ${what}; rows can only be appended to plain or gzipped CSV and NDJSON files, and plain JSON files. Write to a new file name instead.`);
    }
  } else if (!NAME.test(target.name) || uploadNameProblem(target.name)) {
    // The same rule as an upload's name (probe19): the name is shown and offered back on download.
    const why = uploadNameProblem(target.name);
    throw new ConnectorError('invalid_config', `"${target.name.replace(/[\u0000-\u001f\u007f]/g, '?')}" cannot be an output file name: use a plain name such as orders.csv, without folders${why && !/folders/.test(why) ? ` (${why.charAt(0).toLowerCase()}${why.slice(1)})` : ''}.`);
  }
  const gzip = existing?.compression === 'gzip';
  const format: OutputFormat = existing ? (existing.format as OutputFormat) : outputFormatOf(target.name);
  const columns: Field[] = existing ? existing.columns : options.fields.length > 0 ? options.fields.map((f) => ({ name: f.name, type: f.type })) : inferColumns(rows);
  const names = new Set(columns.map((c) => c.name));
  const unknown = options.fields.map((f) => f.name).filter((n) => !names.has(n));
  if (unknown.length > 0) {
    throw new ConnectorError('not_found', `"${existing?.name ?? target.name}" has no column${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}. Its columns are ${columns.map((c) => c.name).join(', ')}.`);
  }
  const delimiter = existing && existing.format === 'csv' ? existing.delimiter : ',';
  const written = options.fields.length > 0 ? options.fields.map((f) => f.name) : columns.map((c) => c.name);
  await mkdir(filesDir, { recursive: true });
  const path = existing?.path ?? join(filesDir, outputFileId(target.name));
  const isNew = !existing || (await stat(path).then((s) => s.size === 0, () => true));
  const results: RecordResult[] = [];
  const lines: string[] = [];
  for (const row of rows) {
    const picked: Row = emptyRecord();
    for (const c of columns) picked[c.name] = written.includes(c.name) ? (ownValue(row, c.name) ?? null) : null;
    const bad = Object.entries(picked).find(([, v]) => typeof v === 'object' && v !== null && !(v instanceof Date));
    if (bad) {
      results.push({ outcome: 'rejected', reason: `"${bad[0]}" holds a list or an object; a file column holds one value` });
      continue;
    }
    lines.push(format === 'csv' ? columns.map((c) => csvCell(picked[c.name], delimiter)).join(delimiter) : JSON.stringify(picked, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v)));
    results.push({ outcome: 'created' });
  }
  if (format === 'csv') {
    // New files end lines with \n; an uploaded file keeps its own line ending (a reader takes the first one it sees).
    const eol = !isNew && !gzip ? await lineEndingOf(path) : '\n';
    const header = isNew ? `${columns.map((c) => csvCell(c.name, delimiter)).join(delimiter)}${eol}` : '';
    if (isNew || lines.length > 0) await appendOrCreate(path, isNew, header + lines.map((l) => `${l}${eol}`).join(''), gzip);
  } else if (format === 'ndjson') {
    if (isNew || lines.length > 0) await appendOrCreate(path, isNew, lines.map((l) => `${l}\n`).join(''), gzip);
  } else await appendJson(path, isNew, lines);
  const info = await stat(path);
  const sha = await sha256(path);
  const file: StoredFile = existing
    ? { ...existing, size: info.size, sha256: sha }
    : {
        id: outputFileId(target.name),
        name: target.name,
        size: info.size,
        sha256: sha,
        columns,
        delimiter,
        sampleRows: rows.slice(0, 5).map((r) => Object.fromEntries(columns.map((c) => [c.name, textOf(r[c.name])]))),
        format,
        compression: 'none',
        ...(format === 'json' ? { recordsPath: '' } : {}),
        hasHeader: true,
        path,
        createdAt: new Date().toISOString(),
      };
  return { file, results };
}

/** Gzip: a new member appended to the file; readers decompress concatenated members as one stream (RFC 1952). */
async function appendOrCreate(path: string, isNew: boolean, text: string, gzip: boolean): Promise<void> {
  // An uploaded file may end without a line break: the first appended record must not join its last line.
  const lead = !isNew && !gzip && !(await endsWithNewline(path)) ? '\n' : '';
  const bytes = gzip ? gzipSync(text) : lead + text;
  if (isNew) await writeFile(path, bytes, { mode: 0o600 });
  else await appendFile(path, bytes);
}

/** A JSON array stays one valid array: the closing bracket is cut off, the new items and a new one written. */
async function appendJson(path: string, isNew: boolean, items: string[]): Promise<void> {
  if (isNew) {
    await writeFile(path, `[\n${items.join(',\n')}${items.length ? '\n' : ''}]\n`, { mode: 0o600 });
    return;
  }
  if (items.length === 0) return;
  const { size } = await stat(path);
  const handle = await open(path, 'r');
  let tail: string;
  const from = Math.max(0, size - 4096);
  try {
    const buf = Buffer.alloc(size - from);
    await handle.read(buf, 0, buf.length, from);
    tail = buf.toString('utf8');
  } finally {
    await handle.close();
  }
  const close = tail.lastIndexOf(']');
  if (close < 0 || tail.slice(close + 1).trim() !== '') throw new ConnectorError('invalid_config', 'This JSON file does not end with a top-level array, so rows cannot be appended to it.');
  const before = tail.slice(0, close).trimEnd();
  const empty = before.endsWith('[');
  await truncate(path, from + Buffer.byteLength(before));
  await appendFile(path, `${empty ? '' : ','}\n${items.join(',\n')}\n]\n`);
}

async function lastBytes(path: string, n: number): Promise<Buffer> {
  const { size } = await stat(path);
  const take = Math.min(n, size);
  if (take === 0) return Buffer.alloc(0);
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(take);
    await handle.read(buf, 0, take, size - take);
    return buf;
  } finally {
    await handle.close();
  }
}

/** The file's first line ending (\r\n or \n). */
async function lineEndingOf(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const lf = buf.subarray(0, bytesRead).indexOf(0x0a);
    return lf > 0 && buf[lf - 1] === 0x0d ? '\r\n' : '\n';
  } finally {
    await handle.close();
  }
}

async function endsWithNewline(path: string): Promise<boolean> {
  const last = await lastBytes(path, 1);
  return last.length === 0 || last[0] === 0x0a;
}

function csvCell(v: unknown, delimiter: string): string {
  // Empty text is written quoted (""), so it reads back as empty text, not as null (an empty cell), when asked.
  if (v === '') return '""';
  const text = textOf(v);
  return text.includes(delimiter) || /["\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function textOf(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

function inferColumns(rows: Row[]): Field[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen].map((name) => ({ name, type: 'text' as const }));
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}
