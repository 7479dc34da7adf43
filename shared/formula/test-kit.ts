// Helpers the formula tests share: compile-and-run in one call, and a printer that shows precedence.
import type { Field, Row } from '../graph/field-types';
import type { Node } from './ast';
import { checkFormula, compileFormula, type EvalResult, type FormulaContext, type FunctionDoc } from './index';

export const CLOCK = Date.UTC(2026, 2, 15, 9, 30, 0);

export const FIELDS: Field[] = [
  { name: 'Amount', type: 'number' },
  { name: 'Price', type: 'currency' },
  { name: 'Count', type: 'number' },
  { name: 'Name', type: 'text' },
  { name: 'Email', type: 'text' },
  { name: 'Notes', type: 'text' },
  { name: 'Active', type: 'boolean' },
  { name: 'Start', type: 'date' },
  { name: 'Updated', type: 'datetime' },
  { name: 'Close Date', type: 'text' },
  { name: 'a.b c', type: 'number' },
  { name: 'odd]name', type: 'text' },
];

export const ROW: Row = {
  Amount: 1234.5,
  Price: 19.99,
  Count: 0,
  Name: ' Ada   Lovelace ',
  Email: 'ada@example.com',
  Notes: null,
  Active: true,
  Start: '2026-01-05',
  Updated: '2026-03-01T12:00:00.000Z',
  'Close Date': '03/15/2026',
  'a.b c': 7,
  'odd]name': 'x',
};

/** Compiles (throwing on check errors, with their messages) and evaluates against one row. */
export function run(text: string, row: Row = ROW, ctx: Partial<FormulaContext> = {}): EvalResult {
  const c = compileFormula(text, { fields: FIELDS, ...ctx });
  if (!c.ok) throw new Error(`${text}: ${c.diagnostics.map((d) => `${d.code}: ${d.message}`).join('; ')}`);
  return c.evaluate(row, { now: () => CLOCK });
}

/** The value, failing the test on a runtime error. */
export function value(text: string, row: Row = ROW, ctx: Partial<FormulaContext> = {}): unknown {
  const r = run(text, row, ctx);
  if (!r.ok) throw new Error(`${text}: ${r.error}`);
  return r.value;
}

/** The runtime error message, failing the test when it succeeds. */
export function failure(text: string, row: Row = ROW, ctx: Partial<FormulaContext> = {}): string {
  const r = run(text, row, ctx);
  if (r.ok) throw new Error(`${text}: expected an error, got ${JSON.stringify(r.value)}`);
  return r.error;
}

/** Diagnostics as [code, message, the text they cover]. */
export function problems(text: string, ctx: Partial<FormulaContext> = {}) {
  return checkFormula(text, { fields: FIELDS, ...ctx }).diagnostics.map((d) => ({ code: d.code, message: d.message, at: text.slice(d.start, d.end), start: d.start, end: d.end, severity: d.severity }));
}

/** A fully parenthesised rendering of the tree, to test precedence and associativity. */
export function shape(node: Node): string {
  switch (node.k) {
    case 'num':
      return String(node.value);
    case 'str':
      return JSON.stringify(node.value);
    case 'bool':
      return node.value ? 'TRUE' : 'FALSE';
    case 'null':
      return 'NULL';
    case 'field':
      return `[${node.name}]`;
    case 'name':
      return node.name;
    case 'neg':
      return `(${node.op}${shape(node.operand)})`;
    case 'not':
      return `(NOT ${shape(node.operand)})`;
    case 'compare':
      return `(${shape(node.left)} ${node.op} ${shape(node.right)})`;
    case 'call':
      return `${node.name.toUpperCase()}(${node.args.map(shape).join(', ')})`;
    case 'chain': {
      let s = shape(node.operands[0] as Node);
      node.ops.forEach((op, i) => {
        s = `(${s} ${op} ${shape(node.operands[i + 1] as Node)})`;
      });
      return s;
    }
  }
}

/** The fields the editor tests (completion, hover, signature help) type against. */
export const EDITOR_FIELDS: Field[] = [
  { name: 'deal_value', type: 'number' },
  { name: 'first name', type: 'text' },
  { name: 'signed_up', type: 'date' },
];

/** Small function docs the editor tests list instead of the whole library: one with an optional argument, one repeating. */
export const ROUND_DOC: FunctionDoc = {
  name: 'ROUND',
  category: 'Numbers',
  signature: 'ROUND(number, digits?) → Number',
  description: 'Rounds a number.',
  example: 'ROUND([deal_value], 2)',
  params: [
    { name: 'number', description: 'a Number' },
    { name: 'digits', description: 'optional, a Number' },
  ],
};
export const CONCAT_DOC: FunctionDoc = { name: 'CONCAT', category: 'Text', signature: 'CONCAT(text, …) → Text', description: 'Joins text.', example: 'CONCAT("a", "b")', result: '"ab"', params: [{ name: 'text' }], repeat: 1 };
