// A line without a quote is split straight into its row record (no array of values per row, issue 16, branch csv16):
// the same batches as csv-parse reading every record, on hostile files: `__proto__`/`constructor`/`toString` headers,
// whitespace-only lines, every delimiter, too few and too many values, NUL bytes, leading zeros, numbers past 2^53,
// quoted CRLF and quotes, a byte-order mark, invalid UTF-8 and 10 MB lines; and the values typed as a run types them.
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../../test/support/scratch-dir';
import { typeSourceValues } from '../../shared/transforms/typed-rows';
import type { Field } from '../../shared/graph/field-types';
import { readCsvBatches, type CsvBatch, type ReadCsvOptions } from './csv';

const { file } = scratchDir('weft-csv-split-record-');

async function readAll(path: string, opts: ReadCsvOptions): Promise<CsvBatch[]> {
  const batches: CsvBatch[] = [];
  for await (const b of readCsvBatches(path, opts)) batches.push(b);
  return batches;
}

const HOSTILE = ['__proto__', 'constructor', 'toString'];

/** Both readers over the file: the same batches, rows keyed as row records (no inherited names). */
async function same(content: string | Buffer, opts: Partial<ReadCsvOptions> = {}): Promise<CsvBatch[]> {
  const path = await file(content);
  const o: ReadCsvOptions = { delimiter: ',', hasHeader: true, columns: HOSTILE.map((name) => ({ name })), batchSize: 4, ...opts };
  const split = await readAll(path, { ...o, parser: 'split' });
  const reference = await readAll(path, { ...o, parser: 'csv-parse' });
  expect(JSON.stringify(split)).toBe(JSON.stringify(reference));
  for (const b of split) {
    for (const row of b.rows) {
      expect(Object.getPrototypeOf(Object.getPrototypeOf(row))).toBe(null);
      expect(Object.keys(row)).toEqual(o.columns.map((c) => c.name));
      expect(typeof row.toString === 'function').toBe(false);
    }
  }
  return split;
}

const rowsOf = (batches: CsvBatch[]) => batches.flatMap((b) => b.rows.map((r) => ({ ...r })));
const malformedOf = (batches: CsvBatch[]) => batches.flatMap((b) => b.malformed);

describe('a line without a quote split straight into its record', () => {
  it('keeps hostile names as data and values exactly as written', async () => {
    const text = '\ufeff__proto__,constructor,toString\r\n007,9007199254740993,\0x\0\r\n,,\r\n"a\r\nb","say ""hi""",-0\r\n';
    const batches = await same(text);
    expect(rowsOf(batches)).toEqual([
      { ['__proto__']: '007', constructor: '9007199254740993', toString: '\0x\0' },
      { ['__proto__']: null, constructor: null, toString: null },
      { ['__proto__']: 'a\r\nb', constructor: 'say "hi"', toString: '-0' },
    ]);
    const row = batches[0]!.rows[0]!;
    expect(Object.hasOwn(row, '__proto__')).toBe(true);
    expect(row['__proto__']).toBe('007');
    // Typed as a run types them: leading zeros kept as text, 2^53 + 1 kept as exact decimal text, NUL kept.
    const fields = [
      { name: '__proto__', type: 'text' },
      { name: 'constructor', type: 'number' },
      { name: 'toString', type: 'text' },
    ] as Field[];
    const typed = typeSourceValues('src', fields, batches[0]!.rows, (i) => batches[0]!.rowNumbers[i]!);
    expect(typed.rejected.map((r) => [r.rowNumber, r.reason])).toEqual([[3, 'constructor: "say "hi"" is not a number']]);
    expect({ ...typed.rows[0]!.values }).toEqual({ ['__proto__']: '007', constructor: '9007199254740993', toString: '\0x\0' });
    expect(typed.rows[0]!.source).toBe(row);
  });

  it('reports too few and too many values as csv-parse does, with either empty-text setting', async () => {
    const text = 'a,b,c\n1,2\n1,2,3,4\n,\n,,,\nonly\n\n1,2,3\n';
    for (const emptyTextIsNull of [true, false]) {
      const batches = await same(text, { emptyTextIsNull });
      expect(malformedOf(batches).map((m) => m.reason)).toEqual([
        'row 1 has 2 values but the header has 3',
        'row 2 has 4 values but the header has 3',
        'row 3 has 2 values but the header has 3',
        'row 4 has 4 values but the header has 3',
        'row 5 has 1 value but the header has 3',
      ]);
      expect(malformedOf(batches)[2]!.raw).toEqual(emptyTextIsNull ? { ['__proto__']: '', constructor: '' } : { ['__proto__']: null, constructor: null });
      expect(rowsOf(batches)).toEqual([{ ['__proto__']: '1', constructor: '2', toString: '3' }]);
    }
  });

  it('drops whitespace-only lines as csv-parse does, for every delimiter', async () => {
    for (const d of [',', ';', '\t', '|']) {
      const lines = ['a', 'b', 'c'].join(d);
      const blanks = [' ', '\t', '\u00a0', '\u3000', '\ufeff', '  \t ', d, `${d}${d}`, ` ${d} ${d} `, '\x7f', '\u2028'];
      const text = [lines, ...blanks.flatMap((b) => [b, `1${d}2${d}3`])].join('\n');
      for (const emptyTextIsNull of [true, false]) await same(text, { delimiter: d, emptyTextIsNull, hasHeader: true, batchSize: 3 });
    }
  });

  it('reads invalid UTF-8, NUL bytes and every startRow the same way', async () => {
    const bytes = Buffer.concat([
      Buffer.from('a,b,c\n'),
      Buffer.from([0xff, 0x2c, 0xc3, 0x2c, 0x00, 0x0a]),
      Buffer.from('1,2,3\n'),
      Buffer.from([0xe2, 0x82, 0x2c, 0x80, 0x2c, 0xed, 0xa0, 0x80, 0x0a]),
      Buffer.from('x,y,z'),
    ]);
    for (let startRow = 0; startRow <= 5; startRow++) await same(bytes, { startRow, batchSize: 1 });
    const rows = rowsOf(await same(bytes));
    expect(rows[0]).toEqual({ ['__proto__']: '\ufffd', constructor: '\ufffd', toString: '\0' });
    expect(rows[3]).toEqual({ ['__proto__']: 'x', constructor: 'y', toString: 'z' });
  });

  it('reads 10 MB lines, quoted and not, as csv-parse does (malformed: longer than the record limit)', async () => {
    const big = 'v'.repeat(10 * 1024 * 1024);
    const text = `a,b,c\n1,2,3\n${big},2,3\n4,5,6\n"${big}",2,3\n7,8,9\n`;
    const batches = await same(text, { batchSize: 10 });
    expect(rowsOf(batches).map((r) => r['__proto__'])).toEqual(['1', '4', '7']);
    expect(malformedOf(batches).map((m) => m.rowNumber)).toEqual([2, 4]);
  }, 60_000);
});
