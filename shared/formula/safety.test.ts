// Tries to make a formula reach beyond its row, value maps and functions, or hurt its batch.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Field, Row } from '../graph/field-types';
import { checkFormula, compileFormula, type FormulaContext } from './index';
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
