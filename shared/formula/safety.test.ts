// Tries to make a formula reach beyond its row, value maps and functions, or hurt its batch.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Field, Row } from '../graph/field-types';
import { checkFormula, compileFormula, FUNCTIONS, type FormulaContext } from './index';
import { LIMITS } from './limits';
import { problems } from './test-kit';

const compile = (text: string, ctx: FormulaContext) => {
  const c = compileFormula(text, ctx);
  if (!c.ok) throw new Error(c.diagnostics.map((d) => d.message).join('; '));
  return c;
};

const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype', '__defineGetter__', 'isPrototypeOf'];

describe('prototype and global access', () => {
  it('treats prototype property names as unknown fields', () => {
    for (const name of PROTO_NAMES) {
      expect(problems(`[${name}]`)).toMatchObject([{ code: 'unknown-field', at: `[${name}]` }]);
    }
  });

  it('treats them as unknown functions too', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'eval', 'Function', 'require', 'globalThis', 'process']) {
      expect(problems(`${name}(1)`)).toMatchObject([{ code: 'unknown-function' }]);
    }
  });

  it('reads a field named like a prototype property from the row\'s own properties only', () => {
    const fields: Field[] = PROTO_NAMES.map((name) => ({ name, type: 'text' }));
    for (const name of PROTO_NAMES) {
      const c = compile(`[${name}] & "!"`, { fields });
      expect(c.evaluate({})).toEqual({ ok: true, value: '!' });
      const own = JSON.parse(`{${JSON.stringify(name)}: "mine"}`) as Row;
      expect(Object.hasOwn(own, name)).toBe(true);
      expect(c.evaluate(own)).toEqual({ ok: true, value: 'mine!' });
    }
  });

  it('ignores values a polluted Object.prototype would supply', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.Amount = 666;
    try {
      const c = compile('[Amount] + 1', { fields: [{ name: 'Amount', type: 'number' }] });
      // Not 667: the missing field is blank, which counts as 0.
      expect(c.evaluate({})).toEqual({ ok: true, value: 1 });
      expect(c.evaluate({ Amount: 1 })).toEqual({ ok: true, value: 2 });
    } finally {
      delete proto.Amount;
    }
  });

  it('ignores inherited and getter properties of odd rows, and survives a throwing getter', () => {
    const c = compile('[Amount] + 1', { fields: [{ name: 'Amount', type: 'number' }] });
    expect(c.evaluate(Object.create({ Amount: 5 }) as Row)).toEqual({ ok: true, value: 1 });
    const bare = Object.create(null) as Row;
    bare.Amount = 2;
    expect(c.evaluate(bare)).toEqual({ ok: true, value: 3 });
    const trap = {} as Row;
    Object.defineProperty(trap, 'Amount', { enumerable: true, get: () => { throw new Error('boom'); } });
    expect(c.evaluate(trap)).toEqual({ ok: false, error: 'The formula could not be evaluated: boom' });
  });

  it('has no property access, so JavaScript-looking text is just a mistake', () => {
    const fields: Field[] = [{ name: 'Name', type: 'text' }];
    expect(problems('[Name].length', { fields })).toMatchObject([{ code: 'bad-character', message: 'Unexpected character "."' }]);
    expect(problems('[Name]["constructor"]', { fields })).toMatchObject([{ code: 'unexpected-token' }]);
    expect(problems('constructor.constructor("return process")()')).toMatchObject([{ code: 'bad-character' }]);
    expect(problems('`${1}`')).toMatchObject([{ code: 'bad-character' }]);
  });

  it('keeps text that looks like code as text', () => {
    const c = compile('"constructor.constructor(\'return this\')()" & "__proto__"', { fields: [] });
    expect(c.evaluate({})).toEqual({ ok: true, value: "constructor.constructor('return this')()__proto__" });
  });

  it('reads value maps by own name and own key only', () => {
    const fields: Field[] = [{ name: 'K', type: 'text' }];
    expect(problems('LOOKUP([K], "constructor")', { fields, valueMaps: {} })).toMatchObject([{ code: 'unknown-map' }]);
    expect(problems('LOOKUP([K], "__proto__")', { fields, valueMaps: { m: {} } })).toMatchObject([{ code: 'unknown-map' }]);
    const valueMaps = JSON.parse('{"__proto__": {"a": "own map"}, "m": {"x": "y"}}') as Record<string, Record<string, unknown>>;
    const c = compile('LOOKUP([K], "__proto__", "none")', { fields, valueMaps });
    expect(c.evaluate({ K: 'a' })).toEqual({ ok: true, value: 'own map' });
    const m = compile('LOOKUP([K], "m", "none")', { fields, valueMaps });
    for (const key of PROTO_NAMES) expect(m.evaluate({ K: key })).toEqual({ ok: true, value: 'none' });
  });

  it('uses no eval, Function, vm, globals or I/O in its source', () => {
    const dir = __dirname;
    const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(sources.length).toBeGreaterThan(10);
    for (const f of sources) {
      const src = readFileSync(join(dir, f), 'utf8');
      for (const bad of [/\beval\s*\(/, /new\s+Function\b/, /\bFunction\s*\(/, /from ['"](node:)?vm['"]/, /\bglobalThis\b/, /\bprocess\./, /\brequire\(/, /new RegExp\(/]) {
        expect(`${f}: ${bad.test(src) ? bad.source : 'clean'}`).toBe(`${f}: clean`);
      }
    }
  });
});

describe('huge text', () => {
  const fields: Field[] = [{ name: 'Big', type: 'text' }];
  const half = 'x'.repeat(LIMITS.textLength / 2 + 1);

  it('rejects the record when & or CONCAT would build text over the cap', () => {
    const c = compile('[Big] & [Big]', { fields });
    expect(c.evaluate({ Big: half })).toEqual({ ok: false, error: 'Text result is too long (1,000,002 characters; the limit is 1,000,000) in [Big] & [Big]', start: 0, end: 13 });
    expect(c.evaluate({ Big: 'ok' })).toEqual({ ok: true, value: 'okok' });
    expect(compile('CONCAT([Big], [Big], "!")', { fields }).evaluate({ Big: half }).ok).toBe(false);
    expect(compile('[Big] & "a" & "b" & "c" & [Big]', { fields }).evaluate({ Big: half }).ok).toBe(false);
  });

  it('refuses SUBSTITUTE amplification before building the text', () => {
    const c = compile('SUBSTITUTE([Big], "a", "aaaaaaaaaa")', { fields });
    const t0 = performance.now();
    const r = c.evaluate({ Big: 'a'.repeat(200_000) });
    expect(r).toMatchObject({ ok: false, error: expect.stringContaining('Text result is too long (2,000,000 characters') });
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('catches growth through UPPER, JOIN and nested concatenation', () => {
    expect(compile('UPPER([Big])', { fields }).evaluate({ Big: 'ß'.repeat(600_000) }).ok).toBe(false);
    expect(compile('JOIN(SPLIT([Big], ","), "----------")', { fields }).evaluate({ Big: ','.repeat(200_000) }).ok).toBe(true);
    expect(compile('JOIN(SPLIT([Big], ","), "----------")', { fields }).evaluate({ Big: 'a,'.repeat(200_000) }).ok).toBe(false);
    const doubling = Array.from({ length: 25 }, () => 'x').reduce((acc) => `(${acc} & ${acc})`, '[Big]');
    // Too long to write out as a formula: nested doubling is limited by the formula length anyway.
    expect(checkFormula(doubling, { fields }).diagnostics[0]?.code).toBe('too-long');
    const deepDouble = Array.from({ length: 8 }, () => 'x').reduce((acc) => `(${acc} & ${acc})`, '[Big]');
    expect(compile(deepDouble, { fields }).evaluate({ Big: 'y'.repeat(10_000) })).toMatchObject({ ok: false, error: expect.stringContaining('Text result is too long') });
  });
});

describe('deep and long formulas', () => {
  it('compiles and runs 64 levels of nesting', () => {
    const text = `${'ABS('.repeat(63)}-1${')'.repeat(63)}`;
    expect(compile(text, { fields: [] }).evaluate({})).toEqual({ ok: true, value: 1 });
    const ifs = `${'IF(TRUE, '.repeat(63)}1${', 0)'.repeat(63)}`;
    expect(compile(ifs, { fields: [] }).evaluate({})).toEqual({ ok: true, value: 1 });
  });

  it('runs the longest flat chains the length limit allows', () => {
    const fields: Field[] = [{ name: 'A', type: 'number' }];
    const n = Math.floor((LIMITS.formulaLength - 3) / 4);
    const sum = `[A]${'+[A]'.repeat(n)}`;
    expect(sum.length).toBeLessThanOrEqual(LIMITS.formulaLength);
    expect(compile(sum, { fields }).evaluate({ A: 1 })).toEqual({ ok: true, value: n + 1 });
    const cat = `"a"${'&"a"'.repeat(n)}`;
    expect(compile(cat, { fields }).evaluate({})).toMatchObject({ ok: true });
    const ands = `TRUE${' AND TRUE'.repeat(1000)}`;
    expect(compile(ands, { fields }).evaluate({})).toEqual({ ok: true, value: true });
  });

  it('rejects 100,000 nested parentheses at check time, fast, without throwing', () => {
    const t0 = performance.now();
    const within = `${'('.repeat(4000)}1${')'.repeat(4000)}`;
    expect(checkFormula(within, { fields: [] }).diagnostics).toMatchObject([{ code: 'too-deep' }]);
    expect(checkFormula('('.repeat(100_000), { fields: [] }).diagnostics).toMatchObject([{ code: 'too-long' }]);
    expect(checkFormula(`${'-'.repeat(9999)}1`, { fields: [] }).diagnostics).toMatchObject([{ code: 'too-deep' }]);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('catastrophic regular expressions', () => {
  const fields: Field[] = [{ name: 'x', type: 'text' }];
  const evil = `${'a'.repeat(50_000)}b`;

  it('rejects (a+)+$ when checking, so evaluation never starts', () => {
    const t0 = performance.now();
    const c = compileFormula('REGEXMATCH([x], "(a+)+$")', { fields });
    expect(c.ok).toBe(false);
    expect(c.ok ? [] : c.diagnostics).toMatchObject([
      { code: 'regex-unsafe', message: 'Nested repetition such as (a+)+ is not allowed: it can take exponential time; repeat once, e.g. (a)+ or a+', start: 16, end: 24 },
    ]);
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it('rejects the other classic shapes', () => {
    for (const p of ['(a*)*', '(a+)*', '(.*a){1,20}', '(\\w+\\s?)*$', '((ab)*c)*', '(x+x+)+y', '(a?){2,30}']) {
      expect(problems(`REGEXMATCH([x], "${p}")`, { fields })).toMatchObject([{ code: 'regex-unsafe' }]);
    }
    expect(problems('REGEXMATCH([x], "(a)\\1")', { fields })).toMatchObject([{ code: 'regex-unsafe', message: 'Backreferences (\\1) are not supported: they can make matching take exponential time (at character 4 of the pattern)' }]);
    expect(problems('REGEXMATCH([x], "(?<n>a)\\k<n>")', { fields })).toMatchObject([{ code: 'regex-unsafe' }]);
  });

  it('runs what it accepts in linear time, even shapes that backtrack badly elsewhere', () => {
    for (const p of ['(a|a)*$', '.*.*.*.*=', '(a|ab)*c', '^(a|b|ab)*$', '\\w*\\w*\\w*!', '(.*,){5}x']) {
      const c = compile(`REGEXMATCH([x], "${p}")`, { fields });
      const t0 = performance.now();
      const r = c.evaluate({ x: evil });
      expect(r.ok ? typeof r.value : r.error).toBe('boolean');
      expect(performance.now() - t0).toBeLessThan(1500);
    }
  });

  it('caps the text a pattern looks at, and the steps it may take', () => {
    const c = compile('REGEXMATCH([x], "a")', { fields });
    expect(c.evaluate({ x: 'b'.repeat(LIMITS.regexInputLength + 1) })).toMatchObject({ ok: false, error: expect.stringContaining('The text is too long for a regular expression') });
    const heavy = compile('REGEXMATCH([x], "[a-z]{0,1000}x")', { fields });
    const t0 = performance.now();
    expect(heavy.evaluate({ x: 'a'.repeat(LIMITS.regexInputLength) })).toMatchObject({ ok: false, error: 'The regular expression needs too many steps on this text in REGEXMATCH([x], "[a-z]{0,1000}x")' });
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('refuses patterns too long or too large once counted out', () => {
    expect(problems(`REGEXMATCH([x], "${'a'.repeat(LIMITS.regexPatternLength + 1)}")`, { fields })).toMatchObject([{ code: 'regex-unsafe', message: 'The pattern is too long (the limit is 1000 characters)' }]);
    expect(problems('REGEXMATCH([x], "(abcdefghij){1000}")', { fields })).toMatchObject([{ code: 'regex-unsafe', message: expect.stringContaining('too complex') }]);
    expect(problems('REGEXMATCH([x], "a{1001}")', { fields })).toMatchObject([{ code: 'regex-unsafe', message: expect.stringContaining('Repeat counts go up to 1000') }]);
  });
});

describe('a bad record never stops the batch', () => {
  it('returns an error result for each failing row and values for the rest', () => {
    const c = compile('[A] / [B]', { fields: [{ name: 'A', type: 'number' }, { name: 'B', type: 'number' }] });
    const rows: Row[] = [{ A: 1, B: 2 }, { A: 1, B: 0 }, { A: 'x', B: 1 }, { A: 4, B: 2 }, { A: 1e308, B: 1e-308 }];
    expect(rows.map((r) => c.evaluate(r).ok)).toEqual([true, false, false, true, false]);
  });
});

describe('work bounded by the size of the arguments, not their values', () => {
  const fields: Field[] = [
    { name: 'A', type: 'number' },
    { name: 'B', type: 'number' },
    { name: 'T', type: 'text' },
  ];
  const timed = (text: string, row: Row) => {
    const c = compile(text, { fields });
    const t0 = performance.now();
    const r = c.evaluate(row);
    return { r, ms: performance.now() - t0 };
  };

  it('FACT and COMBIN of huge numbers say "too large" at once instead of counting up to them', () => {
    // Before: FACT multiplied up to x (FACT(1e9) took a second, FACT(1e15) days) and COMBIN looped up to k.
    for (const [text, row] of [
      ['FACT([A])', { A: 1e15 }],
      ['COMBIN([A], [B])', { A: 1e15, B: 5e14 }],
    ] as const) {
      const { r, ms } = timed(text, row);
      expect(r).toMatchObject({ ok: false, error: `The result is too large in ${text}` });
      expect(ms).toBeLessThan(100);
    }
    expect(compile('FACT([A])', { fields }).evaluate({ A: 170.9 })).toEqual({ ok: true, value: 7.257415615307994e306 });
    expect(compile('COMBIN([A], [B])', { fields }).evaluate({ A: 1e15, B: 2 })).toEqual({ ok: true, value: 499999999999999500000000000000 });
  });

  it('SEARCH with ? wildcards counts its comparisons and rejects the record past the limit', () => {
    // Before: each place was tried against the whole pattern, 500,000 ?s over 1,000,000 characters took minutes.
    const { r, ms } = timed('SEARCH(REPT("?", 500000) & "x", [T])', { T: 'a'.repeat(LIMITS.textLength) });
    expect(r).toMatchObject({ ok: false, error: expect.stringContaining('#VALUE! The search pattern "????') });
    expect(r.ok ? '' : r.error).toContain('needs too many steps on this text');
    expect(ms).toBeLessThan(1000);
    // Runs of plain characters are found with indexOf, so long texts with * patterns stay cheap.
    expect(timed('SEARCH("*a*b", [T])', { T: `${'a'.repeat(LIMITS.textLength - 1)}b` }).r).toEqual({ ok: true, value: 1 });
    expect(timed('SEARCH("a?c", [T])', { T: `${'x'.repeat(900_000)}ABC` }).r).toEqual({ ok: true, value: 900_001 });
  });
});

describe('no Infinity or NaN comes out as a number', () => {
  const EXTREMES = [1e308, -1e308, 5e-324, -5e-324, 0, 1e15, 2 ** 53, 0.5, -1, 3, 1e300, 1e-300, 170.5, 100000];
  const fields: Field[] = ['N1', 'N2', 'N3', 'N4', 'N5', 'N6'].map((name) => ({ name, type: 'number' }));

  it('from any function given extreme numbers', () => {
    // Before: FLOOR, CEILING, MOD, QUOTIENT, TRUNC, ROUNDUP and ROUNDDOWN gave ±Infinity and TIME gave NaN as values.
    const rows: Row[] = [];
    for (const a of EXTREMES) for (const b of EXTREMES) rows.push({ N1: a, N2: b, N3: a, N4: b, N5: -a, N6: b });
    const found: string[] = [];
    for (const spec of FUNCTIONS) {
      if (!spec.params.every((p) => (p.kind === 'number' || p.kind === 'numbers') && !p.constant)) continue;
      for (let n = spec.minArgs; n <= Math.min(spec.maxArgs, 6); n++) {
        const text = `${spec.name}(${spec.params.slice(0, n).map((_, i) => `[N${i + 1}]`).join(', ')})`;
        const c = compileFormula(text, { fields });
        if (!c.ok) continue;
        for (const row of rows) {
          const r = c.evaluate(row);
          if (r.ok && typeof r.value === 'number' && !Number.isFinite(r.value)) {
            found.push(`${text} with ${JSON.stringify(row)} gave ${r.value}`);
            break;
          }
        }
      }
    }
    expect(found).toEqual([]);
  });

  it('rounds huge numbers to what they already are, and says when a result is too large', () => {
    const c = (text: string) => compile(text, { fields: [] }).evaluate({});
    expect(c('FLOOR(1e308, 1e-308)')).toEqual({ ok: true, value: 1e308 });
    expect(c('CEILING(-1e308, 1e-300)')).toEqual({ ok: true, value: -1e308 });
    expect(c('TRUNC(-1e308, 3)')).toEqual({ ok: true, value: -1e308 });
    expect(c('ROUNDUP(1e300, 20)')).toEqual({ ok: true, value: 1e300 });
    expect(c('MOD(1e308, 0.5)')).toEqual({ ok: true, value: 0 });
    // Before: x - d * INT(x / d) cancelled to noise: -9.5e285. The exact remainder has the divisor's sign.
    expect(c('MOD(-7e300, 3)')).toEqual({ ok: true, value: (-7e300 % 3) + 3 });
    expect(c('MOD(1e20, 7)')).toEqual({ ok: true, value: 1e20 % 7 });
    expect(c('MROUND(1e308, 5e-324)')).toEqual({ ok: true, value: 1e308 });
    expect(c('MOD(17, 5)')).toEqual({ ok: true, value: 2 });
    // Before: places past 300 counted as 300, so these kept or rounded at the wrong place.
    expect(c('ROUNDDOWN(1.75e308, -307)')).toEqual({ ok: true, value: 1.7e308 });
    expect(c('ROUND(5.5e305, -305)')).toEqual({ ok: true, value: 6e305 });
    expect(c('ROUND(1e308, -400)')).toEqual({ ok: true, value: 0 });
    expect(checkFormula('CEILING(1.7e308, 1e308)', { fields: [] }).diagnostics).toMatchObject([{ message: 'The result is too large in CEILING(1.7e308, 1e308)' }]);
    expect(checkFormula('ROUNDUP(1.7e308, -308)', { fields: [] }).diagnostics).toMatchObject([{ message: 'The result is too large in ROUNDUP(1.7e308, -308)' }]);
    expect(checkFormula('QUOTIENT(1e308, 1e-10)', { fields: [] }).diagnostics).toMatchObject([{ message: 'The result is too large in QUOTIENT(1e308, 1e-10)' }]);
    expect(checkFormula('TIME(1e300, 0, 0)', { fields: [] }).diagnostics).toMatchObject([{ message: '#NUM! The time is too large in TIME(1e300, 0, 0)' }]);
  });
});

describe('checking stays fast for the editor', () => {
  const fields: Field[] = Array.from({ length: 5000 }, (_, i) => ({ name: `Customer field number ${i} with a fairly long descriptive name`, type: 'text' }));

  it('with 5,000 fields and long or many unknown names', () => {
    // Before: each unknown name was compared with every field by a full edit-distance table: a 10,000-character unknown
    // name took about a minute and 1,400 unknown names over two minutes, on every keystroke in the editor.
    const many = Array.from({ length: 1400 }, (_, i) => `[q${i}]`).join('&').slice(0, LIMITS.formulaLength).replace(/&[^&]*$/, '');
    const t0 = performance.now();
    expect(checkFormula(`[${'x'.repeat(LIMITS.formulaLength - 2)}]`, { fields }).diagnostics).toMatchObject([{ code: 'unknown-field' }]);
    const d = checkFormula(many, { fields }).diagnostics;
    expect(d.length).toBeGreaterThan(1000);
    expect(d.every((x) => x.code === 'unknown-field')).toBe(true);
    expect(performance.now() - t0).toBeLessThan(2000);
    // Suggestions still come for the first names.
    expect(checkFormula('[Customer field numbr 12 with a fairly long descriptive name]', { fields }).diagnostics).toMatchObject([
      { message: 'Unknown field [Customer field numbr 12 with a fairly long descriptive name]. Did you mean [Customer field number 12 with a fairly long descriptive name]?' },
    ]);
  });
});
