import { describe, expect, it } from 'vitest';
import { compileFormula, FUNCTIONS } from './index';
import { formatResult, SAMPLE_FIELDS, SAMPLE_NOW, SAMPLE_MEMBERS, SAMPLE_ROW, SAMPLE_VALUE_MAPS } from './reference';
import { failure, problems, value } from './test-kit';

describe('the function table', () => {
  it('has every function the language promises', () => {
    const names = FUNCTIONS.map((f) => f.name);
    for (const n of [
      'IF', 'IFS', 'SWITCH', 'AND', 'OR', 'NOT', 'ISBLANK', 'COALESCE',
      'CONCAT', 'LEFT', 'RIGHT', 'MID', 'LEN', 'LOWER', 'UPPER', 'TRIM', 'SUBSTITUTE', 'CONTAINS', 'STARTSWITH', 'SPLIT', 'TEXT', 'VALUE',
      'ROUND', 'FLOOR', 'CEILING', 'ABS', 'MIN', 'MAX', 'SUM', 'MOD', 'POWER',
      'TODAY', 'NOW', 'DATE', 'DATEVALUE', 'YEAR', 'MONTH', 'DAY', 'WEEKDAY', 'DATEADD', 'DATEDIFF', 'FORMATDATE',
      'LOOKUP', 'REGEXMATCH', 'REGEXEXTRACT',
    ]) {
      expect(names).toContain(n);
    }
    expect(new Set(names).size).toBe(names.length);
  });

  it('has at least 120 functions, in every category (issue 17)', () => {
    expect(FUNCTIONS.length).toBeGreaterThanOrEqual(120);
    for (const c of ['Logic', 'Text', 'Lists', 'Numbers', 'Dates', 'Lookup']) expect(FUNCTIONS.filter((f) => f.category === c).length, c).toBeGreaterThanOrEqual(3);
  });

  it('describes each entry fully', () => {
    for (const f of FUNCTIONS) {
      expect(f.name).toMatch(/^[A-Z][A-Z0-9]*$/); // LOG10, ATAN2, BASE64ENCODE (issue 17) carry digits
      expect(f.description.length).toBeGreaterThan(10);
      expect(f.signature).toMatch(new RegExp(`^${f.name}\\(.*\\) → .+`));
      expect(f.impl || f.lazy).toBeTruthy();
      expect(typeof f.returns === 'string' ? Boolean(f.check) : true).toBe(true);
    }
  });

  it('prints signatures as the editor shows them', () => {
    const sig = (n: string) => FUNCTIONS.find((f) => f.name === n)?.signature;
    expect(sig('ROUND')).toBe('ROUND(number, digits?) → Number');
    expect(sig('SUM')).toBe('SUM(number, …) → Number');
    expect(sig('SPLIT')).toBe('SPLIT(text, separator) → List<Text>');
    expect(sig('IFS')).toBe('IFS(condition, value, …) → the type of the values');
  });

  describe.each(FUNCTIONS.map((f) => [f.name, f] as const))('%s example', (_name, f) => {
    it(`${f.example} gives ${f.result}`, () => {
      const c = compileFormula(f.example, { fields: SAMPLE_FIELDS, valueMaps: SAMPLE_VALUE_MAPS });
      if (!c.ok) throw new Error(c.diagnostics.map((d) => d.message).join('; '));
      const r = c.evaluate(SAMPLE_ROW, { now: () => SAMPLE_NOW, members: SAMPLE_MEMBERS });
      if (!r.ok) throw new Error(r.error);
      expect(formatResult(r.value, c.type)).toBe(f.result);
    });
  });
});

describe('logic', () => {
  it('IF evaluates only the branch it takes', () => {
    expect(value('IF([Count] = 0, 0, [Amount] / [Count])')).toBe(0);
    expect(value('IF(FALSE, 1)')).toBeNull();
    expect(value('IF(NULL, 1, 2)')).toBe(2);
    expect(value('IF([Active], [Start], [Updated])')).toBe('2026-01-05T00:00:00.000Z');
  });

  it('IFS takes the first TRUE condition, else NULL', () => {
    expect(value('IFS([Amount] > 10, "a", [Amount] > 1, "b")')).toBe('a');
    expect(value('IFS(FALSE, 1, NULL, 2)')).toBeNull();
    expect(value('IFS(FALSE, 1/[Count], TRUE, 2)')).toBe(2);
  });

  it('SWITCH compares with =, has an optional default, and matches NULL to blanks', () => {
    expect(value('SWITCH(2, 1, "one", 2, "two")')).toBe('two');
    expect(value('SWITCH(3, 1, "one", 2, "two")')).toBeNull();
    expect(value('SWITCH(3, 1, "one", "other")')).toBe('other');
    expect(value('SWITCH([Notes], NULL, "blank", "x", "ex", "other")')).toBe('blank');
    expect(value('SWITCH([Notes], "x", "ex", "other")')).toBe('other');
    expect(value('SWITCH([Price], 19.99, "match")')).toBe('match');
  });

  it('AND and OR short-circuit, and blanks count as FALSE', () => {
    expect(value('AND(TRUE, TRUE, TRUE)')).toBe(true);
    expect(value('AND(TRUE, NULL)')).toBe(false);
    expect(value('OR(NULL, FALSE)')).toBe(false);
    expect(value('OR(TRUE, 1/[Count] > 1)')).toBe(true);
    expect(value('AND(FALSE, 1/[Count] > 1)')).toBe(false);
    expect(value('TRUE AND FALSE OR TRUE')).toBe(true);
    expect(value('NOT NULL')).toBe(true);
  });

  it('ISBLANK and COALESCE treat NULL and empty text as blank', () => {
    expect(value('ISBLANK("")')).toBe(true);
    expect(value('ISBLANK(0)')).toBe(false);
    expect(value('ISBLANK(FALSE)')).toBe(false);
    expect(value('COALESCE([Notes], "", "fallback")')).toBe('fallback');
    expect(value('COALESCE([Notes], NULL)')).toBeNull();
    expect(value('COALESCE([Amount], 1/[Count])')).toBe(1234.5);
  });
});

describe('text', () => {
  it('CONCAT and & write numbers, booleans and dates as text; NULL as ""', () => {
    expect(value('CONCAT("a", 1, TRUE, NULL, [Start])')).toBe('a1TRUE2026-01-05');
    expect(value('0.1 + 0.2 & ""')).toBe('0.3');
    expect(value('1/3 & ""')).toBe('0.333333333333333');
    expect(value('[Notes] & "x"')).toBe('x');
    expect(value('1e21 & ""')).toBe('1e+21');
  });

  it('LEFT, RIGHT and MID', () => {
    expect(value('LEFT("abc")')).toBe('a');
    expect(value('LEFT("abc", 10)')).toBe('abc');
    expect(value('LEFT("abc", 0)')).toBe('');
    expect(value('RIGHT("abc", 2)')).toBe('bc');
    expect(value('RIGHT("abc", 0)')).toBe('');
    expect(value('RIGHT("abc", 9)')).toBe('abc');
    expect(value('MID("abcdef", 2, 3)')).toBe('bcd');
    expect(value('MID("abc", 5, 3)')).toBe('');
    expect(value('MID("abcdef", 2.9, 2.9)')).toBe('bc');
    expect(failure('MID([Name], 1, [Count] - 1)')).toBe('The length cannot be negative, got -1 in MID([Name], 1, [Count] - 1)');
    expect(failure('MID([Name], [Count], 1)')).toBe('The start must be 1 or more, got 0 in MID([Name], [Count], 1)');
    expect(failure('LEFT([Name], [Count] - 2)')).toBe('The count cannot be negative in LEFT([Name], [Count] - 2)');
    expect(failure('RIGHT([Name], -1 + [Count])')).toContain('The count cannot be negative');
  });

  it('LEN counts characters, and blank as 0', () => {
    expect(value('LEN("héllo")')).toBe(5);
    expect(value('LEN([Notes])')).toBe(0);
    expect(value('LEN("")')).toBe(0);
  });

  it('LOWER, UPPER and TRIM (Excel TRIM collapses inner runs)', () => {
    expect(value('UPPER("straße")')).toBe('STRASSE');
    expect(value('LOWER("ÀB")')).toBe('àb');
    expect(value('TRIM("  a   b  c ")')).toBe('a b c');
    expect(value('TRIM("\ta\n\nb ")')).toBe('a b');
    expect(value('TRIM("a b")')).toBe('a b');
  });

  it('SUBSTITUTE replaces plain text, all or the n-th', () => {
    expect(value('SUBSTITUTE("a-b-c", "-", "+")')).toBe('a+b+c');
    expect(value('SUBSTITUTE("a-b-c", "-", "+", 2)')).toBe('a-b+c');
    expect(value('SUBSTITUTE("a-b-c", "-", "+", 3)')).toBe('a-b-c');
    expect(value('SUBSTITUTE("abc", "", "x")')).toBe('abc');
    expect(value('SUBSTITUTE("a.b", ".", "$&$1")')).toBe('a$&$1b');
    expect(value('SUBSTITUTE("aaa", "a", "aa")')).toBe('aaaaaa');
    expect(failure('SUBSTITUTE([Name], "a", "b", [Count])')).toBe('The instance must be 1 or more, got 0 in SUBSTITUTE([Name], "a", "b", [Count])');
  });

  it('CONTAINS, STARTSWITH and ENDSWITH are case-sensitive and FALSE for blanks', () => {
    expect(value('CONTAINS("Hello", "ell")')).toBe(true);
    expect(value('CONTAINS("Hello", "ELL")')).toBe(false);
    expect(value('CONTAINS(LOWER("Hello"), "ell")')).toBe(true);
    expect(value('CONTAINS([Notes], "x")')).toBe(false);
    expect(value('CONTAINS("x", [Notes])')).toBe(false);
    expect(value('STARTSWITH("Hello", "He")')).toBe(true);
    expect(value('STARTSWITH([Notes], "He")')).toBe(false);
    expect(value('ENDSWITH("Hello", "lo")')).toBe(true);
  });

  it('SPLIT, JOIN and INDEX', () => {
    expect(value('JOIN(SPLIT("a,b,,c", ","))')).toBe('a, b, c');
    expect(value('JOIN(SPLIT("a,b", ","), "")')).toBe('ab');
    expect(value('INDEX(SPLIT("a,b", ","), 3)')).toBeNull();
    expect(value('INDEX(SPLIT("a,b", ","), 1.9)')).toBe('a');
    expect(failure('INDEX(SPLIT([Name], " "), [Count])')).toContain('The position must be 1 or more, got 0');
    expect(failure('JOIN(SPLIT([Name], LEFT([Name], 0)))')).toBe('The separator cannot be empty in SPLIT([Name], LEFT([Name], 0))');
    expect(problems('SPLIT("a,b", "")')).toMatchObject([{ code: 'constant-error' }, { code: 'list-result' }]);
  });

  it('TEXT formats numbers', () => {
    expect(value('TEXT(1234.5, "0.00")')).toBe('1234.50');
    expect(value('TEXT(1234.5, "#,##0.00")')).toBe('1,234.50');
    expect(value('TEXT(1234567.891, "#,##0")')).toBe('1,234,568');
    expect(value('TEXT(0.256, "0%")')).toBe('26%');
    expect(value('TEXT(0.256, "0.0%")')).toBe('25.6%');
    expect(value('TEXT(-1234.5, "$#,##0.00")')).toBe('-$1,234.50');
    expect(value('TEXT(1.005, "0.00")')).toBe('1.01');
    expect(value('TEXT(2.5, "0")')).toBe('3');
    expect(value('TEXT(-2.5, "0")')).toBe('-3');
    expect(value('TEXT(-0.001, "0.00")')).toBe('0.00');
    expect(value('TEXT(1.5, "0.0#")')).toBe('1.5');
    expect(value('TEXT(1.555, "0.0#")')).toBe('1.56');
    expect(value('TEXT(0.5, "#.00")')).toBe('.50');
    expect(value('TEXT(7, "000")')).toBe('007');
    expect(value('TEXT(12, "0 \\"units\\"")'.replace(/\\"/g, '""'))).toBe('12 units');
    expect(value('TEXT([Price], "0.00 EUR")')).toBe('19.99 EUR');
    expect(value('TEXT([Notes] = "x", "0")'.replace('[Notes] = "x"', 'NULL'))).toBeNull();
  });

  it('TEXT formats dates, and refuses formats it cannot use', () => {
    expect(value('TEXT([Start], "MM/DD/YYYY")')).toBe('01/05/2026');
    expect(value('TEXT([Updated], "YYYY-MM-DD HH:mm")')).toBe('2026-03-01 12:00');
    expect(problems('TEXT([Amount], "YYYY")')).toMatchObject([{ code: 'bad-argument', message: 'A number format needs digit placeholders, such as "0.00" or "#,##0"' }]);
    expect(problems('TEXT([Amount], "0.00;(0.00)")')).toMatchObject([{ code: 'bad-argument', message: 'Formats with sections (;) are not supported' }]);
    expect(problems('TEXT([Name], "0")')).toMatchObject([{ code: 'arg-type', message: 'TEXT formats a Number or a Date, got Text' }]);
  });

  it('VALUE reads numbers written as text', () => {
    expect(value('VALUE("1,234.50")')).toBe(1234.5);
    expect(value('VALUE(" -3 ")')).toBe(-3);
    expect(value('VALUE("$12")')).toBe(12);
    expect(value('VALUE("-€12.5")')).toBe(-12.5);
    expect(value('VALUE("45%")')).toBe(0.45);
    expect(value('VALUE("1e3")')).toBe(1000);
    expect(value('VALUE("   ")')).toBeNull();
    expect(failure('VALUE([Name])')).toBe('" Ada   Lovelace " is not a number in VALUE([Name])');
    expect(problems('VALUE("0x10")')).toMatchObject([{ code: 'constant-error' }]);
    expect(problems('VALUE("Infinity")')).toMatchObject([{ code: 'constant-error' }]);
  });
});

describe('numbers', () => {
  it('ROUND rounds half away from zero, without binary noise', () => {
    expect(value('ROUND(2.5)')).toBe(3);
    expect(value('ROUND(-2.5)')).toBe(-3);
    expect(value('ROUND(1.005, 2)')).toBe(1.01);
    expect(value('ROUND(1234.5, -2)')).toBe(1200);
    expect(value('ROUND(1250, -2)')).toBe(1300);
    expect(value('ROUND(-0.4)')).toBe(0);
    expect(Object.is(value('ROUND(-0.4)'), -0)).toBe(false);
    expect(value('ROUND(1.23456789, 400)')).toBe(1.23456789);
  });

  it('FLOOR and CEILING round to multiples', () => {
    expect(value('FLOOR(2.7)')).toBe(2);
    expect(value('FLOOR(-2.5)')).toBe(-3);
    expect(value('FLOOR(2.75, 0.1)')).toBe(2.7);
    expect(value('CEILING(2.1)')).toBe(3);
    expect(value('CEILING(-2.5)')).toBe(-2);
    expect(value('CEILING(2.71, 0.05)')).toBe(2.75);
    expect(failure('FLOOR([Amount], [Count])')).toBe('The significance cannot be 0 in FLOOR([Amount], [Count])');
    expect(failure('CEILING([Amount], [Count])')).toContain('The significance cannot be 0');
  });

  it('ABS, MIN, MAX and SUM (blanks skipped)', () => {
    expect(value('ABS(-3.5)')).toBe(3.5);
    expect(value('MIN(3, 1, 2)')).toBe(1);
    expect(value('MAX(3, 1, 2)')).toBe(3);
    expect(value('MIN(NULL, NULL)')).toBeNull();
    expect(value('MAX([Notes] = "x", 1)'.replace('[Notes] = "x"', 'NULL'))).toBe(1);
    expect(value('SUM(NULL, NULL)')).toBe(0);
    expect(value('SUM(0.1, 0.2)')).toBeCloseTo(0.3);
    expect(failure('SUM(1e308, 1e308, [Amount])')).toBe('The result is too large in SUM(1e308, 1e308, [Amount])');
  });

  it('MOD takes the sign of the divisor, as Excel', () => {
    expect(value('MOD(17, 5)')).toBe(2);
    expect(value('MOD(-17, 5)')).toBe(3);
    expect(value('MOD(17, -5)')).toBe(-3);
    expect(value('MOD(5.5, 1)')).toBe(0.5);
    expect(value('MOD(0.3, 0.1)')).toBe(0);
    expect(failure('MOD([Amount], [Count])')).toBe('#DIV/0! Division by zero in MOD([Amount], [Count])');
  });

  it('POWER and ^ reject results that are not finite numbers', () => {
    expect(value('POWER(2, 0.5)')).toBeCloseTo(Math.SQRT2);
    expect(failure('POWER([Amount] - 2000, 0.5)')).toBe('The result is not a number in POWER([Amount] - 2000, 0.5)');
    expect(failure('[Amount] ^ 1000')).toBe('The result is too large in [Amount] ^ 1000');
    expect(failure('([Amount] - 2000) ^ 0.5')).toBe('The result is not a number in ([Amount] - 2000) ^ 0.5');
    expect(failure('[Count] ^ -1')).toBe('#DIV/0! Division by zero in [Count] ^ -1');
    expect(failure('POWER([Count], -2)')).toBe('#DIV/0! Division by zero in POWER([Count], -2)');
  });

  it('arithmetic with exact error sites', () => {
    expect(value('1 + 2 * 3 - 4 / 2')).toBe(5);
    expect(value('-2 ^ 2')).toBe(4);
    expect(value('2 ^ 3 ^ 2')).toBe(64);
    expect(failure('[Amount] / [Count]')).toBe('#DIV/0! Division by zero in [Amount] / [Count]');
    expect(failure('1 + [Amount] / [Count] * 2')).toBe('#DIV/0! Division by zero in [Amount] / [Count]');
    expect(failure('[Amount] * 1e308')).toBe('The result is too large in [Amount] * 1e308');
    expect(failure('[Amount] / ([Count] * 2)')).toBe('#DIV/0! Division by zero in [Amount] / ([Count] * 2)');
    expect(failure('[Amount] / 0')).toBe('#DIV/0! Division by zero in [Amount] / 0');
    expect(failure('1e300 * [Amount] * 1e10 + 1')).toBe('The result is too large in 1e300 * [Amount] * 1e10');
    expect(problems('[Amount] - 1e308 * 10')).toMatchObject([{ code: 'constant-error', message: 'The result is too large in 1e308 * 10', at: '1e308 * 10' }]);
    const r = compileFormula('  [Amount]/[Count]', { fields: [{ name: 'Amount', type: 'number' }, { name: 'Count', type: 'number' }] });
    expect(r.ok && r.evaluate({ Amount: 1, Count: 0 })).toEqual({ ok: false, error: '#DIV/0! Division by zero in [Amount]/[Count]', start: 2, end: 18 });
  });
});

describe('LOOKUP', () => {
  const valueMaps = {
    countries: { FR: 'France', US: 'United States' },
    tiers: { '1': 10, '2': 20 },
    flags: { yes: true, no: false },
    mixed: { a: 1, b: 'two' },
    empty: {},
  };

  it('maps values, with a default for missing keys and blanks', () => {
    expect(value('LOOKUP("FR", "countries")', undefined, { valueMaps })).toBe('France');
    expect(value('LOOKUP("XX", "countries")', undefined, { valueMaps })).toBeNull();
    expect(value('LOOKUP("XX", "countries", "?")', undefined, { valueMaps })).toBe('?');
    expect(value('LOOKUP([Notes], "countries", "?")', undefined, { valueMaps })).toBe('?');
    expect(value('LOOKUP(1, "tiers") + 1', undefined, { valueMaps })).toBe(11);
    expect(value('LOOKUP("yes", "flags")', undefined, { valueMaps })).toBe(true);
    expect(value('LOOKUP("a", "mixed")', undefined, { valueMaps })).toBe('1');
  });

  it('uses only the map\'s own keys', () => {
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(value(`LOOKUP("${key}", "countries", "none")`, undefined, { valueMaps })).toBe('none');
    }
  });

  it('infers its type from the map and reports bad maps', () => {
    expect(problems('LOOKUP("x", "contries")', { valueMaps })).toMatchObject([{ code: 'unknown-map', message: 'Unknown value map "contries". Did you mean "countries"?', at: '"contries"' }]);
    expect(problems('LOOKUP("x", "a")', { valueMaps: {} })).toMatchObject([{ code: 'unknown-map', message: 'Unknown value map "a". This integration has no value maps.' }]);
    expect(problems('LOOKUP("x", "toString")', { valueMaps })).toMatchObject([{ code: 'unknown-map' }]);
    expect(problems('LOOKUP("x", [Name])', { valueMaps })).toMatchObject([{ code: 'constant-required', message: 'The map name must be text in quotes, such as "countries"' }]);
    expect(problems('LOOKUP("a", "mixed")', { valueMaps })).toMatchObject([{ code: 'bad-value-map', severity: 'warning' }]);
    expect(problems('LOOKUP("a", "countries", 0)', { valueMaps })).toMatchObject([{ code: 'bad-value-map', severity: 'warning' }]);
    expect(problems('LOOKUP("a", "bad")', { valueMaps: { bad: { a: { nested: 1 } } } })).toMatchObject([{ code: 'bad-value-map', severity: 'error' }]);
    expect(problems('LOOKUP(1, "tiers") & ""', { valueMaps })).toEqual([]);
    expect(problems('LOOKUP(1, "tiers") > "x"', { valueMaps })).toMatchObject([{ code: 'compare-types', message: 'Cannot compare Number to Text; convert with VALUE(...) or TEXT(...)' }]);
  });
});

describe('text positions', () => {
  it('SEARCH counts positions in the text as written, even where lower case is longer', () => {
    // Before: SEARCH lower-cased the whole text first, and "İ" lower-cases to two characters ("i̇"), so every later
    // position was off by one: SEARCH("x", "İx") was 3 and MID([Name], SEARCH(...), n) took the wrong characters.
    expect(value('SEARCH("x", "İx")')).toBe(2);
    expect(value('SEARCH("x", "İx")')).toBe(value('FIND("x", "İx")'));
    expect(value('SEARCH("b*", "İİaB")')).toBe(4);
    expect(value('MID("İstanbul Office", SEARCH("office", "İstanbul Office"), 6)')).toBe('Office');
    expect(value('SEARCH("STAN", "İstanbul")')).toBe(2);
  });
});

describe('numbers a double cannot hold', () => {
  it('a number written in the formula with more digits than a double holds is an error where it is written', () => {
    // Before: 9007199254740993 was silently read as 9007199254740992.
    expect(problems('[Amount] + 9007199254740993')).toEqual([
      {
        code: 'bad-number',
        message: 'This number has more digits than a formula can compute with exactly (about 15): it would be 9007199254740992; write it as text ("9007199254740993") or with fewer digits',
        at: '9007199254740993',
        start: 11,
        end: 27,
        severity: 'error',
      },
    ]);
    expect(problems('3.14159265358979323846')).toMatchObject([{ code: 'bad-number', message: expect.stringContaining('it would be 3.141592653589793;') }]);
    for (const ok of ['9007199254740992', '0.30000000000000004', '123456789012345.6', '100000000000000000000', '1e22', '0.1']) expect(problems(ok)).toEqual([]);
  });

  it('VALUE refuses text with more digits than a double holds instead of rounding it', () => {
    // Before: VALUE("9007199254740993") gave 9007199254740992, so VALUE([External id]) rounded ids silently.
    expect(failure('VALUE([Name])', { Name: '9007199254740993' })).toBe('"9007199254740993" has more digits than a formula can compute with exactly (about 15); keep it as text in VALUE([Name])');
    expect(failure('VALUE([Name])', { Name: '$12,345,678,901,234,567' })).toContain('has more digits than a formula can compute with exactly');
    expect(value('VALUE([Name])', { Name: '+9007199254740992' })).toBe(9007199254740992);
    expect(value('VALUE([Name])', { Name: '$1,234.50' })).toBe(1234.5);
    expect(value('VALUE([Name])', { Name: '0012' })).toBe(12);
    expect(value('VALUE([Name])', { Name: '1.5e3' })).toBe(1500);
  });
});

describe('JSONGET on hostile JSON', () => {
  it('refuses, with a reason, a value nested too deeply to write back as text', () => {
    // Before: "The formula could not be evaluated: Maximum call stack size exceeded".
    const deep = `{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    expect(failure('JSONGET([Name], "a")', { Name: deep })).toBe('#VALUE! The JSON at this path nests too deeply to write as text in JSONGET([Name], "a")');
    expect(value('IFERROR(JSONGET([Name], "a"), "deep")', { Name: deep })).toBe('deep');
    expect(value('JSONGET([Name], "b")', { Name: deep })).toBeNull();
    expect(value('JSONGET([Name], "a")', { Name: '{"a":[[1]]}' })).toBe('[[1]]');
  });

  it('keeps every digit of a number a double cannot hold (an id past 2^53, 1e400), as the other JSON readers do', () => {
    // Before: JSON.parse gave "9007199254740992", "Infinity" and "0.30000000000000004" for these.
    const doc = '{"id":9007199254740993,"big":1e400,"money":0.300000000000000004,"small":42,"nested":{"id":12345678901234567890}}';
    expect(value('JSONGET([Name], "id")', { Name: doc })).toBe('9007199254740993');
    expect(value('JSONGET([Name], "big")', { Name: doc })).toBe('1e400');
    expect(value('JSONGET([Name], "money")', { Name: doc })).toBe('0.300000000000000004');
    expect(value('JSONGET([Name], "small")', { Name: doc })).toBe('42');
    expect(value('JSONGET([Name], "nested.id")', { Name: doc })).toBe('12345678901234567890');
    expect(value('VALUE(JSONGET([Name], "small")) + 1', { Name: doc })).toBe(43);
  });
});
