import { describe, expect, it } from 'vitest';
import { unknownFunctionMessage } from './checker';
import { compileFormula } from './index';
import { failure, FIELDS, problems, value } from './test-kit';

describe('error values', () => {
  it('name the error value first in the message that rejects the record', () => {
    expect(failure('[Amount] / [Count]')).toMatch(/^#DIV\/0! /);
    expect(failure('SQRT(-[Amount])')).toBe('#NUM! Cannot take the square root of -1234.5 in SQRT(-[Amount])');
    expect(failure('FIND("z", [Email])')).toBe('#VALUE! "z" is not in "ada@example.com" in FIND("z", [Email])');
    expect(failure('TEXTBEFORE([Email], "#")')).toMatch(/^#N\/A /);
  });

  it('IFERROR catches every error value, IFNA only #N/A', () => {
    expect(value('IFERROR([Amount] / [Count], -1)')).toBe(-1);
    expect(value('IFERROR([Amount] / 2, -1)')).toBe(617.25);
    expect(value('IFERROR(VALUE("abc"), 0)')).toBe(0);
    expect(value('IFNA(TEXTBEFORE([Email], "#"), "none")')).toBe('none');
    expect(failure('IFNA([Amount] / [Count], 0)')).toMatch(/^#DIV\/0! /);
    expect(value('ISERROR([Amount] / [Count])')).toBe(true);
    expect(value('ISERROR([Amount] / 2)')).toBe(false);
    expect(value('ISNA(NA())')).toBe(true);
    expect(value('ISNA(1 / [Count])')).toBe(false);
  });

  it('a failing constant inside IFERROR is not a check error, outside it is', () => {
    expect(problems('IFERROR(1/0, 0)')).toEqual([]);
    expect(value('IFERROR(1/0, 0)')).toBe(0);
    expect(problems('1/0 + IFERROR(1, 0)')).toMatchObject([{ code: 'constant-error' }]);
    expect(problems('NA()')).toMatchObject([{ code: 'constant-error', message: '#N/A NA() was reached in NA()' }]);
  });

  it('IFERROR keeps its branches to one type', () => {
    expect(problems('IFERROR([Amount], "x")')).toMatchObject([{ code: 'branch-types' }]);
  });
});

describe('unknown functions teach by meaning and by spelling', () => {
  it('names the Weft function for names from other tools', () => {
    expect(unknownFunctionMessage('DATETIME_DIFF')).toBe('Unknown function DATETIME_DIFF — Weft\'s DATEDIFF(start, end, "day") does this');
    expect(unknownFunctionMessage('length')).toBe("Unknown function length — Weft's LEN(text) does this");
    expect(unknownFunctionMessage('CONCATENATE')).toBe("Unknown function CONCATENATE — Weft's CONCAT(value, …) or & does this");
    expect(unknownFunctionMessage('ROUNDUPP')).toBe('Unknown function ROUNDUPP. Did you mean ROUNDUP?');
    expect(problems('DATEADDD([Start], 1, "day")')).toMatchObject([{ code: 'unknown-function', message: 'Unknown function DATEADDD. Did you mean DATEADD?', at: 'DATEADDD' }]);
    expect(problems('SET_TIMEZONE([Updated], "Europe/Paris")')).toMatchObject([{ code: 'unknown-function', message: expect.stringContaining("Weft's FORMATDATETZ") }]);
  });

  it('knows the spreadsheet functions people reach for first', () => {
    for (const f of ['INT([Amount])', 'ROUNDUP([Amount], 1)', 'ROUNDDOWN([Amount], 1)', 'PROPER([Name])', 'FIND("@", [Email])', 'SEARCH("ADA", [Email])', 'DATEDIF([Start], [Updated], "D")', 'EOMONTH([Start], 0)']) {
      expect(problems(f), f).toEqual([]);
    }
  });
});

describe('15 significant digits', () => {
  it('compares numbers as Excel does', () => {
    expect(value('0.1 + 0.2 = 0.3')).toBe(true);
    expect(value('0.1 + 0.2 <> 0.3')).toBe(false);
    expect(value('0.1 + 0.2 <= 0.3')).toBe(true);
    expect(value('[Price] * 3 = 59.97')).toBe(true);
    expect(value('1 + 1e-10 = 1')).toBe(false);
    expect(value('SWITCH(0.1 + 0.2, 0.3, "same", "different")')).toBe('same');
    expect(value('(0.1 + 0.2) & ""')).toBe('0.3');
  });
});

describe('PARAM reads run parameters', () => {
  it('gives the parameter as text, or blank when the run has none of that name', () => {
    const c = compileFormula('COALESCE(PARAM("region"), "all")', { fields: FIELDS });
    if (!c.ok) throw new Error('does not compile');
    expect(c.evaluate({}, { params: new Map([['region', 'EU']]) })).toEqual({ ok: true, value: 'EU' });
    expect(c.evaluate({}, { params: new Map([['limit', 5]]) })).toEqual({ ok: true, value: 'all' });
    expect(c.evaluate({})).toEqual({ ok: true, value: 'all' });
    const n = compileFormula('VALUE(PARAM("limit")) * 2', { fields: FIELDS });
    expect(n.ok && n.evaluate({}, { now: () => 0, params: new Map([['limit', 5]]) })).toEqual({ ok: true, value: 10 });
    expect(problems('PARAM([Name])')).toMatchObject([{ code: 'constant-required' }]);
  });
});

describe('integration functions', () => {
  it('reads nested JSON by path', () => {
    const doc = '"{""customer"":{""name"":""Ada"",""tags"":[""vip"",""eu""],""age"":36,""ok"":true,""nil"":null}}"';
    expect(value(`JSONGET(${doc}, "customer.name")`)).toBe('Ada');
    expect(value(`JSONGET(${doc}, "customer.tags[1]")`)).toBe('eu');
    expect(value(`JSONGET(${doc}, "customer.tags")`)).toBe('["vip","eu"]');
    expect(value(`JSONGET(${doc}, "customer.age")`)).toBe('36');
    expect(value(`JSONGET(${doc}, "customer.ok")`)).toBe('TRUE');
    expect(value(`JSONGET(${doc}, "customer.nil")`)).toBe(null);
    expect(value(`JSONGET(${doc}, "customer.missing.deeper")`)).toBe(null);
    expect(value(`JSONGET(${doc}, "customer[""name""]")`)).toBe('Ada');
    expect(value('JSONGET("{""__proto__"":{""x"":1}}", "x")')).toBe(null);
    expect(failure('JSONGET([Name], "a")')).toMatch(/^#VALUE! .* is not JSON/);
    expect(problems('JSONGET([Name], "a..b")')).toMatchObject([{ code: 'bad-argument' }]);
  });

  it('encodes URLs and Base64, and hashes stably', () => {
    expect(value('ENCODEURL("a b&c=ü/")')).toBe('a%20b%26c%3D%C3%BC%2F');
    expect(value('DECODEURL(ENCODEURL([Name]))')).toBe(' Ada   Lovelace ');
    expect(value('HASH("abc")')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(value('HASH("ab", "c") = HASH("a", "bc")')).toBe(false);
    expect(value('BASE64DECODE(BASE64ENCODE("héllo 😀"))')).toBe('héllo 😀');
  });
});

describe('time zones', () => {
  it('formats and parses wall-clock times across daylight saving', () => {
    expect(value('FORMATDATETZ([Updated], "YYYY-MM-DD HH:mm", "America/New_York")')).toBe('2026-03-01 07:00');
    expect(value('FORMATDATETZ(DATETIMEVALUE("2026-07-01T12:00:00Z"), "HH:mm", "Asia/Kolkata")')).toBe('17:30');
    expect(value('DATETIMEVALUETZ("2026-07-01 14:00", "YYYY-MM-DD HH:mm", "Europe/Paris")')).toBe('2026-07-01T12:00:00.000Z');
    // 02:30 on 2026-03-08 does not exist in New York: it moves forward by the hour skipped.
    expect(value('DATETIMEVALUETZ("2026-03-08 02:30", "YYYY-MM-DD HH:mm", "America/New_York")')).toBe('2026-03-08T07:30:00.000Z');
    // 01:30 on 2026-11-01 happens twice: the first (EDT) is taken.
    expect(value('DATETIMEVALUETZ("2026-11-01 01:30", "YYYY-MM-DD HH:mm", "America/New_York")')).toBe('2026-11-01T05:30:00.000Z');
    expect(value('DATETIMEVALUETZ("2026-11-01 12:00", "YYYY-MM-DD HH:mm", "America/New_York")')).toBe('2026-11-01T17:00:00.000Z');
    expect(problems('FORMATDATETZ([Updated], "HH:mm", "Mars/Olympus")')).toMatchObject([{ code: 'bad-argument', message: expect.stringContaining('Unknown time zone') }]);
    expect(problems('FORMATDATETZ([Updated], "HH:mm Z", "UTC")')).toMatchObject([{ code: 'bad-argument' }]);
  });
});

describe('aggregates over lists and values', () => {
  it('take numbers and lists of numbers, skipping blanks', () => {
    expect(value('AVERAGE(VALUES(1, 2, NULL, 6))')).toBe(3);
    expect(value('MEDIAN(VALUES(1, 2), 10, [Amount])')).toBe(6);
    expect(value('COUNT(VALUES(1, NULL), [Amount], [Notes])')).toBe(2);
    expect(failure('AVERAGE(VALUES(IF([Active], NULL, 1)))')).toMatch(/^#DIV\/0! /);
    expect(value('SUM(VALUES(1, 2), 3)')).toBe(6);
  });
});
