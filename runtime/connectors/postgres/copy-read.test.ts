// Reading a Postgres table through `COPY (SELECT …) TO STDOUT` (issue 16) gives the records the cursor path gives:
// the parser alone on generated COPY text cut at every kind of chunk boundary, and a real server's table of hostile
// values read both ways (the table read takes COPY; a query filter `SELECT * FROM t` still takes the cursor).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowRecord } from '../../../shared/util/records';
import { heapFreedMb } from '../../../test/support/heap';
import type { ConnectorSession, Row } from '../types';
import { copyLiteral, CopyOutRows } from './copy';
import { postgresConnector, type PostgresConfig } from './index';
import { parsePostgresValue, postgresBytesParser } from './type-map';

/** COPY TO's text escaping, as Postgres writes it (CopyAttributeOutText). */
function copyOutText(v: string | null): string {
  if (v === null) return '\\N';
  return v.replace(/[\\\b\f\n\r\t\v]/g, (c) => ({ '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' })[c]!);
}

const VALUES: (string | null)[] = [null, '', ' ', '\\N', 'N', '\\', 'a\tb', 'x\ny', '\r\n', '\b\f\v', 'é中😀', '\ud83d\ude00\\t', '007', '9007199254740993', 'x'.repeat(300), '\u0001\u001f'];

describe('CopyOutRows', () => {
  it('reads generated COPY text back into the values, whatever the chunk boundaries', () => {
    let s = 7;
    const rnd = (n: number) => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % n);
    const names = ['a', '__proto__', 'constructor', 'b c'];
    const rows = Array.from({ length: 500 }, () => names.map(() => VALUES[rnd(VALUES.length)]!));
    const bytes = Buffer.from(rows.map((r) => `${r.map(copyOutText).join('\t')}\n`).join(''), 'utf8');
    for (const cut of [1, 2, 3, 7, 64, 4096, bytes.length]) {
      const out = new CopyOutRows(names, names.map(() => (t: string) => t), rowRecord);
      for (let i = 0; i < bytes.length; i += cut) out.push(bytes.subarray(i, i + cut));
      out.end();
      expect(out.rows.length).toBe(rows.length);
      out.rows.forEach((row, i) => {
        expect(Object.getPrototypeOf(Object.getPrototypeOf(row))).toBe(null);
        names.forEach((n, c) => expect(Object.hasOwn(row, n) && row[n]).toBe(rows[i]![c]));
      });
    }
  });

  it("undoes COPY FROM's octal and hex escapes too, and passes each value through its column's parser", () => {
    const out = new CopyOutRows(['a', 'b'], [(t) => t, (t) => Number(t)], rowRecord);
    out.push(Buffer.from('\\101\\x42\\7\\q\t12\n\\N\t\\N\n'));
    out.end();
    expect(out.rows.map((r) => [r.a, r.b])).toEqual([
      ['AB\u0007q', 12],
      [null, null],
    ]);
  });

  it("reads each field as its own bytes decoded would read (the chunk's Latin-1 text sliced for ASCII fields), on generated hostile bytes cut anywhere", () => {
    // rows16j: ASCII fields are slices of one Latin-1 decode of the chunk's lines. The reference decodes each field
    // from its own bytes (UTF-8, escapes undone), as the reader did before: every value must be the same string.
    let s = 11;
    const rnd = (n: number) => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % n);
    const PIECES = ['a', 'Z', '0', '007', '9007199254740993', '-0', 'NaN', ' ', '\\\\', '\\t', '\\n', '\\r', '\\N', 'N', '\\101', '\\x41', 'é', '中', '😀', '\u0001', '\u001f', '\u007f', '__proto__', 'x'.repeat(70)];
    const BYTES = [0xff, 0xc3, 0x80, 0xed, 0xa0, 0x80]; // invalid UTF-8 and an encoded lone surrogate, as a server could send
    const names = ['a', '__proto__', 'b', 'constructor'];
    const lines: Buffer[] = [];
    for (let r = 0; r < 3000; r++) {
      const fields = names.map(() => {
        if (rnd(9) === 0) return Buffer.from('\\N');
        const parts: Buffer[] = [];
        for (let k = rnd(5); k >= 0; k--) parts.push(rnd(12) === 0 ? Buffer.from([BYTES[rnd(BYTES.length)]!]) : Buffer.from(PIECES[rnd(PIECES.length)]!, 'utf8'));
        return Buffer.concat(parts);
      });
      lines.push(Buffer.concat([Buffer.concat(fields.flatMap((f, i) => (i === 0 ? [f] : [Buffer.from('\t'), f]))), Buffer.from('\n')]));
    }
    const bytes = Buffer.concat(lines);
    // The reference: each line split at unescaped tabs, each field decoded from its own bytes.
    const expected = lines.map((line) => {
      const fields: (string | null)[] = [];
      let from = 0;
      for (let i = 0; i <= line.length - 1; i++) {
        if (line[i] === 92) {
          i++;
          continue;
        }
        if (line[i] !== 9 && line[i] !== 10) continue;
        const field = line.subarray(from, i);
        if (field.toString('latin1') === '\\N') fields.push(null);
        else {
          const one = new CopyOutRows(['v'], [(t) => t], rowRecord);
          one.push(Buffer.concat([field, Buffer.from('\n')]));
          fields.push(field.includes(92) ? (one.rows[0]!.v as string) : field.toString('utf8'));
        }
        from = i + 1;
      }
      return fields;
    });
    for (const cut of [1, 3, 17, 300, 65536, -1]) {
      const out = new CopyOutRows(names, names.map(() => (t: string) => t), rowRecord);
      for (let i = 0; i < bytes.length; ) {
        const n = cut > 0 ? cut : 1 + rnd(5000);
        out.push(bytes.subarray(i, i + n));
        i += n;
      }
      out.end();
      expect(out.rows.length).toBe(lines.length);
      out.rows.forEach((row, i) => names.forEach((n, c) => expect(Object.hasOwn(row, n) && row[n]).toBe(expected[i]![c])));
    }
  });

  it("keeps no chunk's text alive through the values it hands on (13+ character text, numbers past 2^53 as text)", () => {
    // rows16j: V8 makes a slice of 13 characters or more a view on the whole text it was cut from. Records alive for
    // five batches holding such views kept every chunk's text alive (promoted bytes +25% in the bench).
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(`code-${String(i).padStart(8, '0')}\t${12345678901234567891n + BigInt(i) * 10n}\t${'x'.repeat(1000)}\n`);
    const bytes = Buffer.from(lines.join(''));
    lines.length = 0;
    const out = new CopyOutRows(['code', 'n', 'filler'], [parsePostgresValue(25), parsePostgresValue(1700), parsePostgresValue(25)], rowRecord, [undefined, postgresBytesParser(1700), undefined]);
    for (let at = 0; at < bytes.length; at += 65536) out.push(bytes.subarray(at, at + 65536));
    out.end();
    const kept = out.rows.map((r) => [r.code, r.n]);
    expect(kept[7]).toEqual(['code-00000007', '12345678901234567961']);
    out.rows.length = 0;
    // 40,000 strings of 13 and 20 characters: ~2 MB. Views would keep the ~20 MB of the chunks' text.
    expect(heapFreedMb(() => (kept.length = 0))).toBeLessThan(6);
  });

  it('refuses a row with the wrong number of columns and output that ends inside a row', () => {
    const wide = new CopyOutRows(['a'], [(t) => t], rowRecord);
    expect(() => wide.push(Buffer.from('1\t2\n'))).toThrow(/more than the 1 columns/);
    const narrow = new CopyOutRows(['a', 'b'], [(t) => t, (t) => t], rowRecord);
    expect(() => narrow.push(Buffer.from('1\n'))).toThrow(/1 columns, not the 2/);
    const cut = new CopyOutRows(['a'], [(t) => t], rowRecord);
    cut.push(Buffer.from('1\n2'));
    expect(() => cut.end()).toThrow(/inside a row/);
  });

  it('quotes literals so that quotes and backslashes are data', () => {
    expect(copyLiteral("it's \\ fine")).toBe("'it''s \\ fine'");
    expect(copyLiteral(12)).toBe("'12'");
    expect(copyLiteral(null)).toBe('NULL');
    expect(() => copyLiteral('a\u0000b')).toThrow();
  });
});

const PG_URL = process.env.WEFT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const haveServer = await (async () => {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!haveServer)('a Postgres table read through COPY TO', () => {
  const database = `weft_copy_${randomBytes(4).toString('hex')}`;
  let root: pg.Client;
  let admin: pg.Client;
  let session: ConnectorSession;

  beforeAll(async () => {
    root = new pg.Client({ connectionString: PG_URL });
    await root.connect();
    await root.query(`CREATE DATABASE ${database}`);
    const url = new URL(PG_URL);
    url.pathname = `/${database}`;
    admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    await admin.query(`CREATE TABLE hostile (
      id bigint PRIMARY KEY, code text, amount numeric, big numeric, f8 double precision, f4 real, i2 smallint,
      ok boolean, day date, at timestamptz, local timestamp, doc jsonb, tags text[], raw bytea, price money,
      "__proto__" text, "con""structor" text, uid uuid, span interval)`);
    await admin.query(`INSERT INTO hostile
      SELECT g,
        CASE g % 7 WHEN 0 THEN '007' WHEN 1 THEN E'tab\\there' WHEN 2 THEN E'new\\nline\\r' WHEN 3 THEN E'back\\\\slash \\\\N' WHEN 4 THEN '' WHEN 5 THEN 'é中😀' ELSE NULL END,
        CASE WHEN g % 5 = 0 THEN NULL ELSE (g * 1.25)::numeric END,
        CASE g % 4 WHEN 0 THEN 9007199254740993 WHEN 1 THEN 0.1234567890123456789 WHEN 2 THEN -0.0 ELSE 'NaN' END,
        CASE g % 3 WHEN 0 THEN 0.1 WHEN 1 THEN -0.0 ELSE 'Infinity' END,
        g / 3.0, (g % 300)::smallint, g % 2 = 0, DATE '2026-01-01' + g,
        CASE g % 3 WHEN 0 THEN 'infinity'::timestamptz ELSE TIMESTAMPTZ '2026-03-01 09:30:00.123456+00' + g * INTERVAL '1 minute' END,
        TIMESTAMP '1999-12-31 23:59:59.5' + g * INTERVAL '1 second',
        jsonb_build_object('k', E'v\\t\\\\', 'n', g), ARRAY['a', E'b\\tc', NULL], E'\\\\x00ff5c0a'::bytea, (g * 1.5)::money,
        'proto ' || g, E'quote\\'s', gen_random_uuid(), (g || ' days')::interval
      FROM generate_series(1, 1234) g`);
    await admin.query(`CREATE TABLE pair (a text, b int, v text, PRIMARY KEY (a, b))`);
    await admin.query(`INSERT INTO pair SELECT CASE g % 3 WHEN 0 THEN E'x\\'y' WHEN 1 THEN E'back\\\\' ELSE 'z' END, g, 'v' || g FROM generate_series(1, 300) g`);
    const config: PostgresConfig = { host: url.hostname, port: Number(url.port || 5432), database, user: url.username || 'postgres', sslMode: 'disable', schema: 'public', queryTimeoutSeconds: 30 };
    session = await postgresConnector.open(config, { password: url.password });
  });

  afterAll(async () => {
    await session?.close();
    await admin?.end();
    await root.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await root.end();
  });

  async function readAll(object: string, options: { query?: string; batchSize: number; cursor?: unknown }): Promise<{ rows: Row[]; cursors: unknown[] }> {
    const rows: Row[] = [];
    const cursors: unknown[] = [];
    for await (const b of session.read(object, options)) {
      rows.push(...b.rows);
      cursors.push(b.cursor);
    }
    return { rows, cursors };
  }

  const plain = (rows: Row[]) => rows.map((r) => Object.fromEntries(Object.entries(r)));

  it('gives every record exactly as the cursor path does, in the same batches and cursors', async () => {
    for (const batchSize of [1000, 617, 1234]) {
      const copy = await readAll('hostile', { batchSize });
      const cursor = await readAll('hostile', { batchSize, query: 'SELECT * FROM hostile' });
      expect(copy.rows.length).toBe(1234);
      expect(plain(copy.rows)).toEqual(plain(cursor.rows));
      expect(copy.cursors).toEqual(cursor.cursors);
    }
    const one = (await readAll('hostile', { batchSize: 10 })).rows;
    expect(one[6]!.code).toBe('007');
    expect(one[0]!.code).toBe('tab\there');
    expect(one[1]!.code).toBe('new\nline\r');
    expect(one[2]!.code).toBe('back\\slash \\N');
    expect(one[3]!.big).toBe('9007199254740993');
    expect(one[2]!.big).toBe('NaN');
    expect(one[0]!.big).toBe('0.1234567890123456789');
    expect(Object.hasOwn(one[0]!, '__proto__') && one[0]!['__proto__']).toBe('proto 1');
  });

  it('resumes after a cursor, with a composite text key holding quotes and backslashes', async () => {
    const all = await readAll('pair', { batchSize: 300 });
    const first = await readAll('pair', { batchSize: 100 });
    expect(plain(first.rows)).toEqual(plain(all.rows));
    const resumed = await readAll('pair', { batchSize: 100, cursor: first.cursors[0] });
    expect(plain(resumed.rows)).toEqual(plain(all.rows.slice(100)));
    const viaCursor = await readAll('pair', { batchSize: 100, cursor: first.cursors[1], query: 'SELECT * FROM pair' });
    expect(plain((await readAll('pair', { batchSize: 100, cursor: first.cursors[1] })).rows)).toEqual(plain(viaCursor.rows));
  });

  it('answers each upserted record its own outcome in order, keys Postgres normalizes included', async () => {
    await admin.query('CREATE TABLE up (id bigint PRIMARY KEY, u uuid UNIQUE, v text)');
    await admin.query(`INSERT INTO up SELECT g, gen_random_uuid(), 'v' || g FROM generate_series(1, 3000, 3) g`);
    const fields = [{ name: 'id', type: 'number' as const }, { name: 'v', type: 'text' as const }];
    // Ids 1..4000 shuffled, some as text with leading zeros; existing ids 1, 4, 7… : odd ones changed, even unchanged.
    const ids = Array.from({ length: 4000 }, (_, i) => i + 1).sort((a, b) => ((a * 7919) % 4001) - ((b * 7919) % 4001));
    const rows = ids.map((id) => {
      const row = rowRecord();
      row.id = id % 10 === 0 ? `00${id}` : id;
      row.v = id % 3 === 1 && id <= 3000 && id % 2 === 0 ? `v${id}` : `new ${id}`;
      return row;
    });
    const results = await session.write('up', rows, { mode: 'upsert', key: ['id'], fields });
    expect(results.map((r) => r.outcome)).toEqual(ids.map((id) => (id % 3 === 1 && id <= 3000 ? (id % 2 === 0 ? 'unchanged' : 'updated') : 'created')));
    const again = await session.write('up', rows.slice(0, 50), { mode: 'upsert', key: ['id'], fields });
    expect(again.every((r) => r.outcome === 'unchanged')).toBe(true);
    const byUuid = (await admin.query<{ u: string; id: string }>('SELECT u::text, id::text FROM up ORDER BY id LIMIT 3')).rows;
    const upper = byUuid.map((r) => {
      const row = rowRecord();
      row.u = r.u.toUpperCase();
      row.id = Number(r.id);
      return row;
    });
    const viaUuid = await session.write('up', upper, { mode: 'upsert', key: ['u'], fields: [{ name: 'u', type: 'text' as const }, { name: 'id', type: 'number' as const }] });
    expect(viaUuid.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('reads a part and an incremental range by literals as the cursor path reads them by parameters', async () => {
    const part = { kind: 'keys' as const, field: 'id', from: '100', to: '250' };
    const rows: Row[] = [];
    for await (const b of session.read('hostile', { batchSize: 40, partition: part })) rows.push(...b.rows);
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 150 }, (_, i) => 100 + i));
    const since: Row[] = [];
    for await (const b of session.read('hostile', { batchSize: 500, incremental: { field: 'local', after: '2000-01-01T00:00:00.000Z', inclusive: true } })) since.push(...b.rows);
    const expected = (await admin.query<{ n: string }>(`SELECT count(*) AS n FROM hostile WHERE local >= '2000-01-01T00:00:00.000Z'`)).rows[0]!.n;
    expect(since.length).toBe(Number(expected));
  });
});
