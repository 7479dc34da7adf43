// Random formulas against a reference evaluator, and random text against the parser and checker.
import { describe, expect, it } from 'vitest';
import type { Field, Row } from '../graph/field-types';
import { checkFormula, compileFormula, tokenize } from './index';
import { seededRandom } from '../util/random';


type Op = '+' | '-' | '*' | '/' | '^';
type Expr = { k: 'num'; v: number } | { k: 'field'; name: string } | { k: 'neg'; x: Expr } | { k: 'bin'; op: Op; l: Expr; r: Expr };

const LEVEL: Record<Op, number> = { '+': 1, '-': 1, '*': 2, '/': 2, '^': 3 };
const levelOf = (e: Expr) => (e.k === 'bin' ? LEVEL[e.op] : e.k === 'neg' ? 4 : 5);

const fields: Field[] = [
  { name: 'A', type: 'number' },
  { name: 'B', type: 'number' },
  { name: 'C c', type: 'currency' },
  { name: 'Zero', type: 'number' },
  { name: 'Blank', type: 'number' },
];
const row: Row = { A: 7.25, B: -3, 'C c': 19.99, Zero: 0, Blank: null };

/** Prints with only the parentheses precedence needs (and sometimes more), with random spacing. */
function print(e: Expr, rnd: () => number): string {
  const sp = () => (rnd() < 0.3 ? ' ' : rnd() < 0.1 ? '\n ' : '');
  const wrap = (s: string, need: boolean) => (need || rnd() < 0.05 ? `(${sp()}${s}${sp()})` : s);
  switch (e.k) {
    case 'num':
      return String(e.v);
    case 'field':
      return `[${e.name}]`;
    case 'neg':
      // Prefix minus binds tighter than every binary operator, ^ included (Excel).
      return `-${wrap(print(e.x, rnd), levelOf(e.x) < 4)}`;
    case 'bin': {
      const L = LEVEL[e.op];
      const left = wrap(print(e.l, rnd), levelOf(e.l) < L);
      const right = wrap(print(e.r, rnd), levelOf(e.r) <= L);
      return `${left}${sp()}${e.op}${sp()}${right}`;
    }
  }
}

const ERROR = Symbol('error');

/** Weft's semantics written directly: a blank counts as 0 (as Excel), division by zero and non-finite results fail. */
function reference(e: Expr): number | null | typeof ERROR {
  switch (e.k) {
    case 'num':
      return e.v;
    case 'field':
      return row[e.name] as number | null;
    case 'neg': {
      const x = reference(e.x);
      return x === ERROR ? x : -(x ?? 0);
    }
    case 'bin': {
      const l = reference(e.l);
      if (l === ERROR) return l;
      const r = reference(e.r);
      if (r === ERROR) return r;
      const a = l ?? 0;
      const b = r ?? 0;
      if (e.op === '/' && b === 0) return ERROR;
      const v = e.op === '+' ? a + b : e.op === '-' ? a - b : e.op === '*' ? a * b : e.op === '/' ? a / b : a ** b;
      return Number.isFinite(v) ? v : ERROR;
    }
  }
}

function gen(rnd: () => number, depth: number): Expr {
  const r = rnd();
  if (depth <= 0 || r < 0.3) {
    if (rnd() < 0.4) return { k: 'field', name: (['A', 'B', 'C c', 'Zero', 'Blank'] as const)[Math.floor(rnd() * 5)] as string };
    const v = rnd() < 0.5 ? Math.floor(rnd() * 10) : Math.round(rnd() * 1000) / 100;
    return { k: 'num', v };
  }
  if (r < 0.4) return { k: 'neg', x: gen(rnd, depth - 1) };
  const op = (['+', '-', '*', '/', '^', '+', '*'] as const)[Math.floor(rnd() * 7)] as Op;
  const l = gen(rnd, depth - 1);
  // Small exponents keep most results finite, so the comparison is mostly about values.
  const rr = op === '^' ? { k: 'num' as const, v: Math.floor(rnd() * 4) } : gen(rnd, depth - 1);
  return { k: 'bin', op, l, r: rr };
}

describe('random arithmetic agrees with a reference evaluator', () => {
  it.each([1, 2, 3, 4, 5])('seed %i: 400 formulas', (seed) => {
    const rnd = seededRandom(seed);
    let values = 0;
    let errors = 0;
    for (let i = 0; i < 400; i++) {
      const e = gen(rnd, 5);
      const text = print(e, rnd);
      const expected = reference(e);
      const c = compileFormula(text, { fields });
      if (!c.ok) {
        // Only a constant part failing (1/0, 9^999) may stop it; the reference fails then.
        expect(c.diagnostics.map((d) => d.code).every((code) => code === 'constant-error')).toBe(true);
        expect(expected).toBe(ERROR);
        continue;
      }
      const r = c.evaluate(row);
      if (expected === ERROR) {
        expect(`${text} -> ${r.ok ? String(r.value) : 'error'}`).toBe(`${text} -> error`);
        errors++;
      } else {
        expect(`${text} -> ${r.ok ? String(r.value) : r.error}`).toBe(`${text} -> ${String(expected)}`);
        values++;
      }
    }
    expect(values).toBeGreaterThan(100);
    expect(errors).toBeGreaterThan(0);
  });
});

describe('random logic agrees with a reference', () => {
  type B = { k: 'lit'; v: boolean | null } | { k: 'not'; x: B } | { k: 'and' | 'or'; xs: B[] } | { k: 'cmp'; op: '<' | '=' | '<>'; a: number | null; b: number };
  const show = (e: B, rnd: () => number): string => {
    switch (e.k) {
      case 'lit':
        return e.v === null ? 'IF(FALSE, TRUE)' : e.v ? 'TRUE' : 'FALSE';
      case 'not':
        return `NOT(${show(e.x, rnd)})`;
      case 'and':
      case 'or':
        return rnd() < 0.5 ? `${e.k.toUpperCase()}(${e.xs.map((x) => show(x, rnd)).join(', ')})` : `(${e.xs.map((x) => show(x, rnd)).join(` ${e.k.toUpperCase()} `)})`;
      case 'cmp':
        return `(${e.a === null ? '[Blank]' : e.a} ${e.op} ${e.b})`;
    }
  };
  const truth = (e: B): boolean => {
    switch (e.k) {
      case 'lit':
        return e.v === true;
      case 'not':
        return !truth(e.x);
      case 'and':
        return e.xs.every(truth);
      case 'or':
        return e.xs.some(truth);
      case 'cmp': {
        // A blank compares as 0, as Excel.
        const a = e.a ?? 0;
        return e.op === '<' ? a < e.b : e.op === '=' ? a === e.b : a !== e.b;
      }
    }
  };
  const genB = (rnd: () => number, d: number): B => {
    const r = rnd();
    if (d <= 0 || r < 0.3) {
      if (rnd() < 0.5) return { k: 'lit', v: rnd() < 0.2 ? null : rnd() < 0.5 };
      return { k: 'cmp', op: (['<', '=', '<>'] as const)[Math.floor(rnd() * 3)]!, a: rnd() < 0.2 ? null : Math.floor(rnd() * 3), b: Math.floor(rnd() * 3) };
    }
    if (r < 0.45) return { k: 'not', x: genB(rnd, d - 1) };
    return { k: rnd() < 0.5 ? 'and' : 'or', xs: Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => genB(rnd, d - 1)) };
  };

  it('for 1,000 formulas (blank counts as FALSE; a blank compares as 0)', () => {
    const rnd = seededRandom(42);
    for (let i = 0; i < 1000; i++) {
      const e = genB(rnd, 4);
      const text = show(e, rnd);
      const c = compileFormula(text, { fields, expected: 'boolean' });
      if (!c.ok) throw new Error(`${text}: ${c.diagnostics[0]?.message}`);
      const r = c.evaluate(row);
      // A filter keeps a row only when the formula gives TRUE; a blank result counts as FALSE.
      expect(`${text} -> ${String(r.ok && r.value === true)}`).toBe(`${text} -> ${String(truth(e))}`);
    }
  });
});

describe('random text never breaks the parser, checker or tokenizer', () => {
  const alphabet = ['(', ')', '[', ']', '"', ',', '+', '-', '*', '/', '^', '&', '=', '<', '>', '!', ' ', '\n', '1', '.', 'e', 'A', 'IF', 'AND', 'NOT', 'TRUE', 'NULL', 'ROUND', '[A]', '"x"', "'", '#', 'é', '😀', '\u0000'];

  it('for 3,000 random strings', () => {
    const rnd = seededRandom(99);
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: Math.floor(rnd() * 30) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      const checked = checkFormula(text, { fields });
      for (const d of checked.diagnostics) {
        expect(d.start).toBeGreaterThanOrEqual(0);
        expect(d.end).toBeLessThanOrEqual(text.length);
        expect(d.start).toBeLessThanOrEqual(d.end);
        expect(d.message.length).toBeGreaterThan(0);
      }
      if (checked.diagnostics.every((d) => d.severity !== 'error')) {
        const c = compileFormula(text, { fields });
        expect(c.ok).toBe(true);
        if (c.ok) expect(() => c.evaluate(row)).not.toThrow();
      }
      // Tokens cover the text exactly, in order, with no gaps.
      let at = 0;
      for (const t of tokenize(text)) {
        expect(t.start).toBe(at);
        expect(t.end).toBeGreaterThan(t.start);
        at = t.end;
      }
      expect(at).toBe(text.length);
    }
  });
});
