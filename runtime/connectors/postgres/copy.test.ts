import { describe, expect, it } from 'vitest';
import { nulReason, unstorableTextReason } from '../../../shared/util/nul';
import { seededRandom } from '../../../shared/util/random';
import { emptyRecord, rowRecord } from '../../../shared/util/records';
import type { Row } from '../types';
import { copyRows, copyText, CopyOutRows, shortDecimalText } from './copy';
import { parsePostgresValue, plainNumberBytes, postgresBytesParser, timestampBytesToIso, timestampToIso } from './type-map';
import { exactNumberFast } from '../../../shared/graph/field-types';
import { timestampTexts } from '../../../test/support/timestamp-texts';

/** The COPY text as it was built before `copyRows`: one string per line, values through `copyText`. */
function reference(rows: readonly Record<string, unknown>[], names: readonly string[]): Buffer {
  let text = '';
  rows.forEach((row, i) => {
    let line = String(i);
    for (const n of names) line += `\t${copyText(row[n])}`;
    text += `${line}\n`;
  });
  return Buffer.from(text, 'utf8');
}

const HOSTILE: unknown[] = [
  null,
  undefined,
  0,
  -0,
  7,
  -7,
  10,
  99,
  100,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  2 ** 53,
  2 ** 53 + 2,
  1e21,
  -1e-7,
  0.1,
  123.45,
  -123.45,
  0.000001,
  0.0000015,
  0.1 + 0.2,
  1.005,
  999999999999999.9,
  12.345,
  1234.5 * 0.1,
  0.5,
  Number.NaN,
  Infinity,
  '',
  ' ',
  '007',
  '9007199254740993',
  '0.1234567890123456789',
  'a\tb',
  'line\nbreak',
  'cr\r',
  'back\\slash',
  '\\N',
  'é ü 中文',
  '😀 emoji',
  '\ud800 lone surrogate',
  'x'.repeat(70_000),
  'ä'.repeat(30_000),
  true,
  false,
  { a: 1, 'b\tc': 'd\ne' },
  [1, 'two', null],
  new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
  '2026-03-01T09:30:00.000Z',
];

function randomRows(seed: number, count: number, names: readonly string[]): Record<string, unknown>[] {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s;
  };
  return Array.from({ length: count }, () => {
    const row = rowRecord();
    for (const n of names) if (next() % 11 !== 0) row[n] = HOSTILE[next() % HOSTILE.length];
    return row;
  });
}

describe('copyRows', () => {
  it('writes the same bytes as the string-built COPY text, for every hostile value, whatever the chunk size', () => {
    const names = ['id', '__proto__', 'constructor', 'name with space', 'x'];
    for (const [seed, chunkSize] of [
      [1, 1 << 16],
      [2, 64],
      [3, 1],
      [4, 4096],
    ] as const) {
      const rows = randomRows(seed, 400, names);
      const chunks: Buffer[] = [];
      copyRows(rows, names, (c) => chunks.push(Buffer.from(c)), chunkSize);
      expect(Buffer.concat(chunks).equals(reference(rows, names))).toBe(true);
      if (chunkSize >= 4096) expect(chunks.every((c) => c.length > 0)).toBe(true);
    }
  });

  it('writes each value alone exactly as copyText prints it', () => {
    for (const v of HOSTILE) {
      const chunks: Buffer[] = [];
      const row = rowRecord();
      row.v = v;
      copyRows([row], ['v'], (c) => chunks.push(Buffer.from(c)), 16);
      expect(Buffer.concat(chunks).toString('utf8')).toBe(Buffer.from(`0\t${copyText(v)}\n`, 'utf8').toString('utf8'));
    }
  });

  it('writes nothing for no rows, and hands on chunks it never changes afterwards', () => {
    const none: Buffer[] = [];
    copyRows([], ['a'], (c) => none.push(c));
    expect(none).toEqual([]);
    const kept: Buffer[] = [];
    const rows = randomRows(9, 300, ['a', 'b']);
    copyRows(rows, ['a', 'b'], (c) => kept.push(c), 128);
    expect(Buffer.concat(kept).equals(reference(rows, ['a', 'b']))).toBe(true);
  });
});

describe('doubles written by integer arithmetic (rows16e)', () => {
  function seeded(seed: number): () => number {
    let x = seed >>> 0;
    return () => {
      x = (x + 0x6d2b79f5) >>> 0;
      let t = Math.imul(x ^ (x >>> 15), x | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('prints every double it takes exactly as String does, on 300,000 generated values', () => {
    const rand = seeded(20261206);
    let taken = 0;
    let amounts = 0;
    let amountsTaken = 0;
    for (let i = 0; i < 300_000; i++) {
      const shape = i % 6;
      const scale = 10 ** Math.floor(rand() * 7);
      const v =
        shape === 0
          ? Math.round(rand() * 10 ** Math.floor(rand() * 12)) / 100 // amounts with 2 decimals
          : shape === 1
            ? (Math.round(rand() * 1e6) / 100) * 0.1 // an amount times a rate, as a double
            : shape === 2
              ? Math.round((rand() - 0.5) * 1e9) / scale
              : shape === 3
                ? rand() * 10 ** Math.floor(rand() * 30 - 10)
                : shape === 4
                  ? (Math.floor(rand() * 2 ** 52) / 2 ** Math.floor(rand() * 60)) * (rand() < 0.5 ? -1 : 1)
                  : Number((rand() * 1000).toFixed(Math.floor(rand() * 8)));
      const text = shortDecimalText(v);
      if (shape === 0 && !Number.isInteger(v)) {
        amounts++;
        if (text !== null) amountsTaken++;
      }
      if (text === null) continue;
      taken++;
      expect(text, String(v)).toBe(String(v));
    }
    // The fast path is the common one for amounts, and takes a good share of the rest.
    expect(amountsTaken).toBe(amounts);
    expect(taken).toBeGreaterThan(100_000);
  });

  /** Which doubles `putShortDecimal` took before its 6-digit pre-check (rows16i): the fewest fraction digits, tried in turn. */
  function takenBefore(v: number): string | null {
    const a = v < 0 ? -v : v;
    if (!(a >= 1e-6 && a < 1e15) || Number.isInteger(a)) return null;
    for (let d = 1; d <= 6; d++) {
      const p = 10 ** d;
      const m = Math.round(a * p);
      if (m >= 2 ** 50) return null;
      if (m / p === a) return String(v);
    }
    return null;
  }

  it('takes exactly the doubles it took before the 6-digit pre-check, on 300,000 generated values', () => {
    const rand = seeded(20261207);
    let taken = 0;
    for (let i = 0; i < 300_000; i++) {
      const shape = i % 5;
      const v =
        shape === 0
          ? Math.round(rand() * 10 ** Math.floor(rand() * 17)) / 10 ** Math.floor(rand() * 8)
          : shape === 1
            ? (Math.round(rand() * 1e6) / 100) * 0.1
            : shape === 2
              ? rand()
              : shape === 3
                ? Number((rand() * 10 ** Math.floor(rand() * 16)).toFixed(Math.floor(rand() * 8))) * (rand() < 0.5 ? -1 : 1)
                : rand() * 10 ** Math.floor(rand() * 24 - 8);
      const want = takenBefore(v);
      expect(shortDecimalText(v), String(v)).toBe(want);
      if (want !== null) taken++;
    }
    for (const v of [0.000001, 0.0000015, 999999999.999999, 1125899906.842624, 1e9 + 0.5, 123456789.123456, -0.1, 5e-324, -0, 1e21]) expect(shortDecimalText(v), String(v)).toBe(takenBefore(v));
    expect(taken).toBeGreaterThan(100_000);
  });

  it('leaves integers, non-finite values, tiny and huge values to String', () => {
    for (const v of [Number.NaN, Infinity, -Infinity, 1e-7, 5e-324, 1e15 + 0.5, 2 ** 53, 1e21]) expect(shortDecimalText(v), String(v)).toBeNull();
  });
});

describe('timestamps read from the COPY bytes (rows16f)', () => {
  // Texts as Postgres prints timestamps, and near misses: other zones, fractions of 0-7 digits, non-ASCII digits.
  function texts(): string[] {
    return [
      'infinity',
      '-infinity',
      '',
      'x'.repeat(70_000),
      ...timestampTexts({
        seed: 2026120605,
        count: 40_000,
        base: ['2026-03-01 09:30:00', '2024-02-29 23:59:59', '0001-01-01 00:00:00', '12026-03-01 09:30:00', '2026-13-45 25:61:61'],
        tails: ['', '.1', '.12', '.123', '.1234', '.123456', '.1234567', '.', '+00', '.5+00', '.123456+00', '+02', '-05:30', '+00:00', ' BC', '+0', 'Z', '+00 BC'],
        noise: ['0', '9', '-', ':', ' ', '.', '+', 'T', 'x', '\u0663', 'é', '\u0000', '\uff11'],
      }),
    ];
  }

  it('answers what timestampToIso answers on the text, or leaves it to it, on 40,000 generated texts', () => {
    let taken = 0;
    for (const text of texts()) {
      // Inside a larger buffer, as a field of a COPY chunk.
      const buf = Buffer.from(`ab\t${text}\tcd`, 'utf8');
      const start = 3;
      const end = buf.length - 3;
      for (const zoned of [true, false]) {
        const fast = timestampBytesToIso(buf, start, end, zoned);
        if (fast !== null) taken++;
        expect([text, zoned, fast ?? timestampToIso(buf.toString('utf8', start, end), zoned)]).toEqual([text, zoned, timestampToIso(text, zoned)]);
      }
    }
    expect(taken).toBeGreaterThan(5_000);
  });

  it('reads the same records with and without the bytes-first parsers', () => {
    const oids = [1184, 1114, 25, 1184];
    const names = ['at', 'local', '__proto__', 'constructor'];
    const all = texts();
    const lines: string[] = [];
    for (let i = 0; i < all.length; i += 4) {
      // COPY text: separators escaped; some values null.
      const esc = (t: string) => t.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
      lines.push([0, 1, 2, 3].map((k) => (i % 7 === k ? '\\N' : esc(all[i + k] ?? ''))).join('\t'));
    }
    const bytes = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    const read = (withBytes: boolean, chunk: number) => {
      const out = new CopyOutRows(names, oids.map(parsePostgresValue), rowRecord, withBytes ? oids.map(postgresBytesParser) : []);
      for (let at = 0; at < bytes.length; at += chunk) out.push(bytes.subarray(at, at + chunk));
      out.end();
      return out.rows.map((r) => names.map((n) => [n, Object.hasOwn(r, n), r[n]]));
    };
    const want = read(false, 1 << 16);
    expect(want.length).toBe(lines.length);
    // The text column reads back as the text written (UTF-8 or ASCII, escaped or not).
    want.forEach((r, j) => expect(r[2]).toEqual(['__proto__', true, (j * 4) % 7 === 2 ? null : (all[j * 4 + 2] ?? '')]));
    expect(read(true, 1 << 16)).toEqual(want);
    expect(read(true, 7)).toEqual(want);
  });
});

describe('integers and numeric read from their bytes (rows16j)', () => {
  it('answers what the text parser answers (exactNumberFast), or leaves the text to it, on 200,000 generated and edge texts', () => {
    let s = 20261207;
    const rnd = (n: number) => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % n);
    const digits = (n: number) => Array.from({ length: n }, () => String(rnd(10))).join('');
    const texts = ['0', '-0', '-0.00', '0.0', '007', '-007.50', '1.', '.5', '-', '', '1e5', '1E5', '+1', ' 1', '1 ', '1..2', '1.2.3', 'NaN', 'Infinity', '-Infinity',
      '9007199254740991', '9007199254740992', '9007199254740993', '999999999999999', '-999999999999999', '99999999999999.9', '0.99999999999999', '0.123456789012345', '1234567890123456',
      '0.00000000000001', '0.000000000000001', '12345678901234.5', '123456789012345.6', '1.7976931348623157', '4.35', '0.1', '0.3', '1.005', '2.675', '-1.15', '8.345', 'é1', '1\\t'];
    for (let i = 0; i < 200_000; i++) {
      const whole = digits(1 + rnd(17));
      const frac = rnd(3) === 0 ? '' : `.${digits(rnd(16))}`;
      texts.push(`${rnd(4) === 0 ? '-' : ''}${rnd(8) === 0 ? whole : whole.replace(/^0+(?=\d)/, '')}${frac}`);
    }
    let taken = 0;
    for (const text of texts) {
      const buf = Buffer.from(`ab\t${text}\tcd`, 'utf8');
      const fast = plainNumberBytes(buf, 3, buf.length - 3);
      if (fast === null) continue;
      taken++;
      const want = exactNumberFast(text);
      // Object.is: -0 and 0 apart.
      if (!Object.is(fast, want)) expect([text, fast]).toEqual([text, want]);
    }
    expect(taken).toBeGreaterThan(50_000);
    for (const oid of [20, 21, 23, 26, 1700]) expect(postgresBytesParser(oid)).toBe(plainNumberBytes);
  });

  it('reads the same records with and without the bytes-first parsers, numbers past 2^53 kept exact as text', () => {
    const oids = [20, 1700, 23, 1700];
    const names = ['id', '__proto__', 'n', 'constructor'];
    const values = ['1', '-0', '007', '9007199254740993', '123456789012345678901234567890.123', '0.1234567890123456789', 'NaN', 'Infinity', '-12.50', '1.005', '99999999999999.99', '\\N', '42'];
    const lines: string[] = [];
    for (let i = 0; i < 4000; i++) lines.push(names.map((_, k) => values[(i * 7 + k * 3 + (i >> 3)) % values.length]!).join('\t'));
    const bytes = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    const read = (withBytes: boolean, chunk: number) => {
      const out = new CopyOutRows(names, oids.map(parsePostgresValue), rowRecord, withBytes ? oids.map(postgresBytesParser) : []);
      for (let at = 0; at < bytes.length; at += chunk) out.push(bytes.subarray(at, at + chunk));
      out.end();
      return out.rows.map((r) => names.map((n) => [n, Object.hasOwn(r, n), Object.is(r[n], -0) ? '-0!' : r[n]]));
    };
    const want = read(false, 1 << 16);
    expect(want.flat().some((f) => f[2] === '9007199254740993')).toBe(true);
    expect(read(true, 1 << 16)).toEqual(want);
    expect(read(true, 5)).toEqual(want);
  });
});

describe('short text copied by its character codes (rows16f)', () => {
  it('writes the bytes the string-built COPY text has, on 20,000 generated texts of 0-70 characters, whatever the chunk size', () => {
    let s = 20261206;
    const rnd = (n: number) => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % n);
    const pool = ['a', 'Z', '0', ' ', '\\', '\t', '\n', '\r', '\u0000', '\u007f', '\u0080', 'é', '€', '\ud83d\ude00', '\ud800', '\udc00', 'N', '"', "'", ','];
    const names = ['__proto__', 'constructor', 'text'];
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < 20_000; i++) {
      const text = () => {
        const plain = rnd(3) > 0;
        let t = '';
        for (let n = rnd(71); n > 0; n--) t += plain ? pool[rnd(4)]! : pool[rnd(pool.length)]!;
        return t;
      };
      const r = rowRecord();
      for (const n of names) r[n] = rnd(10) === 0 ? null : text();
      rows.push(r);
    }
    for (const chunkSize of [1 << 16, 100, 1]) {
      const chunks: Buffer[] = [];
      copyRows(rows, names, (c) => chunks.push(Buffer.from(c)), chunkSize);
      expect(Buffer.concat(chunks).equals(reference(rows, names))).toBe(true);
    }
  });
});

describe('rows Postgres cannot store, left out in the same pass (rows16i)', () => {
  const TARGET = 'a Postgres column';
  const names = ['id', '__proto__', 'constructor', 'note', 'doc', 'amount'];
  const UNSTORABLE: unknown[] = [
    'a\u0000b',
    '\u0000',
    `${'x'.repeat(5000)}\u0000`,
    `${'é'.repeat(4999)}\ud800`,
    'short \ud83d',
    '\udc00 low first',
    'é\u0000',
    'tab\t\u0000',
    { 'k\u0000': 1 },
    { k: ['\ud800'] },
    ['ok', 'bad\u0000'],
  ];
  const STORABLE: unknown[] = [...HOSTILE.filter((v) => unstorableTextReason({ v }, ['v'], TARGET) === null), 'x'.repeat(5000), '\\\t\r\n', -0, 5e-324, 1e21, 2 ** 53 + 2, '0042', '__proto__'];

  /** A batch of generated rows: row records, prototype-less and plain objects, some inheriting an unstorable value. */
  function batch(seed: number, count: number): Row[] {
    const rand = seededRandom(seed);
    const pick = (xs: readonly unknown[]) => xs[Math.floor(rand() * xs.length)];
    const inherited = Object.create({ note: 'inherited\u0000', doc: '\ud800' }) as Row;
    return Array.from({ length: count }, () => {
      const kind = rand();
      const row = kind < 0.6 ? rowRecord() : kind < 0.8 ? emptyRecord() : kind < 0.9 ? (Object.create(inherited) as Row) : ({} as Row);
      for (const n of names) {
        const r = rand();
        if (r < 0.1) continue;
        const v = r < 0.2 ? pick(UNSTORABLE) : pick(STORABLE);
        Object.defineProperty(row, n, { value: v, writable: true, enumerable: true, configurable: true });
      }
      return row;
    });
  }

  /** The write before rows16i: every row asked first (`unstorableTextReason`), then the others written. */
  function before(rows: readonly Row[]): { bytes: Buffer; reasons: (string | null)[] } {
    const reasons = rows.map((r) => unstorableTextReason(r, names, TARGET));
    const kept = rows.filter((_, i) => reasons[i] === null);
    const chunks: Buffer[] = [];
    copyRows(kept, names, (c) => chunks.push(Buffer.from(c)));
    const bytes = Buffer.concat(chunks);
    expect(bytes.equals(reference(kept, names))).toBe(true);
    return { bytes, reasons };
  }

  it('writes the bytes of the rows the old check let through, and answers the same reasons, whatever the chunk size', () => {
    let refusedRows = 0;
    for (const [seed, chunkSize] of [
      [11, 1 << 16],
      [12, 4096],
      [13, 100],
      [14, 16],
      [15, 1],
    ] as const) {
      const rows = batch(seed, 600);
      const want = before(rows);
      const chunks: Buffer[] = [];
      const reasons = copyRows(rows, names, (c) => chunks.push(Buffer.from(c)), chunkSize, TARGET);
      expect(Buffer.concat(chunks).equals(want.bytes)).toBe(true);
      expect(reasons).toEqual(want.reasons);
      refusedRows += want.reasons.filter((r) => r !== null).length;
    }
    expect(refusedRows).toBeGreaterThan(100);
  });

  it('answers null when every row is written, and numbers the written rows from 0', () => {
    const rows = batch(21, 300).filter((r) => unstorableTextReason(r, names, TARGET) === null);
    const chunks: Buffer[] = [];
    expect(copyRows(rows, names, (c) => chunks.push(Buffer.from(c)), 64, TARGET)).toBeNull();
    expect(Buffer.concat(chunks).equals(reference(rows, names))).toBe(true);
    const bad = rowRecord();
    bad.id = 1;
    bad.note = 'a\u0000b';
    const out: Buffer[] = [];
    expect(copyRows([bad, rows[0]!, bad], names, (c) => out.push(Buffer.from(c)), 1 << 16, TARGET)).toEqual([
      unstorableTextReason(bad, names, TARGET),
      null,
      unstorableTextReason(bad, names, TARGET),
    ]);
    expect(Buffer.concat(out).toString('utf8').split('\t')[0]).toBe('0');
    expect(Buffer.concat(out).equals(reference([rows[0]!], names))).toBe(true);
  });

  it('hands on no byte of a row refused after a value of it filled a chunk', () => {
    const row = rowRecord();
    row.id = 7;
    row.note = 'y'.repeat(5000);
    row.doc = 'z\u0000';
    const ok = rowRecord();
    ok.id = 8;
    ok.note = 'plain';
    for (const chunkSize of [1, 16, 4096, 1 << 16]) {
      const chunks: Buffer[] = [];
      const reasons = copyRows([ok, row, ok], ['id', 'note', 'doc'], (c) => chunks.push(Buffer.from(c)), chunkSize, TARGET);
      expect(reasons).toEqual([null, nulReason('doc', TARGET), null]);
      expect(Buffer.concat(chunks).toString('utf8')).toBe('0\t8\tplain\t\\N\n1\t8\tplain\t\\N\n');
    }
  });
});
