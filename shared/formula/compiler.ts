// Turns a checked syntax tree into plain closures: no eval, no per-node result objects.
import { convertValue, type FieldType, type Row } from '../graph/field-types';
import type { ChainOp, Node, NodeOf } from './ast';
import { blankFor, makeComparison } from './compare';
import { coerce, type Compiled, type Env } from './compiled';
import type { LazyCall } from './function-spec';
import { lookupFunction } from './functions';
import { checkText, cmp15, show, Site, snippetOf, toText } from './runtime';
import { formatType, T, type FormulaType } from './types';

const hasOwn = Object.hasOwn;

const typeOf = (node: Node): FormulaType => node.type ?? T.Any;

export function siteOf<P>(node: Node, text: string, prep: P): Site<P> {
  return new Site(node.start, node.end, snippetOf(text, node.start, node.end), prep);
}

/**
 * Per-formula state for reading each field at most once per evaluation when the formula names
 * it more than once: slots stamped with the evaluation number, so nothing is allocated per row.
 */
export class FieldFrame {
  epoch = 0;
  readonly slots = new Map<string, number>();
  readonly stamps: number[] = [];
  readonly values: unknown[] = [];

  constructor(root: Node) {
    const counts = new Map<string, number>();
    const walk = (n: Node): void => {
      if (n.constant) return;
      switch (n.k) {
        case 'field':
          counts.set(n.name, (counts.get(n.name) ?? 0) + 1);
          return;
        case 'neg':
        case 'not':
          walk(n.operand);
          return;
        case 'compare':
          walk(n.left);
          walk(n.right);
          return;
        case 'chain':
          n.operands.forEach(walk);
          return;
        case 'call':
          n.args.forEach(walk);
          return;
        default:
          return;
      }
    };
    walk(root);
    for (const [name, count] of counts) {
      if (count < 2) continue;
      this.slots.set(name, this.stamps.length);
      this.stamps.push(-1);
      this.values.push(null);
    }
  }
}

interface Scope {
  text: string;
  frame: FieldFrame | null;
}

/** Compiles a node the checker has typed (and folded where it could). Pass a frame for a whole formula. */
export function compileNode(node: Node, text: string, frame: FieldFrame | null = null): Compiled {
  return compileIn(node, { text, frame });
}

function compileIn(node: Node, cx: Scope): Compiled {
  if (node.constant) {
    const value = node.constant.value;
    return () => value;
  }
  switch (node.k) {
    case 'num':
    case 'str':
    case 'bool': {
      const value = node.value;
      return () => value;
    }
    case 'null':
      return () => null;
    case 'field':
      return fieldReader(node, cx);
    case 'name':
      throw new Error(`Cannot compile the unknown name ${node.name}: check the formula first`);
    case 'neg': {
      const operand = compileIn(node.operand, cx);
      if (node.op === '+') return operand;
      // A blank counts as 0, as Excel: -[blank] is 0.
      return (r, e) => {
        const v = operand(r, e) as number | null;
        return v === null ? 0 : -v;
      };
    }
    case 'not': {
      const operand = compileIn(node.operand, cx);
      return (r, e) => operand(r, e) !== true;
    }
    case 'compare': {
      const direct = directComparison(node, cx);
      if (direct) return direct;
      const cmp = makeComparison(node.op, typeOf(node.left), typeOf(node.right), siteOf(node, cx.text, undefined));
      const left = compileIn(node.left, cx);
      const rc = node.right.constant;
      if (rc) {
        const b = rc.value;
        return (r, e) => cmp(left(r, e), b);
      }
      const right = compileIn(node.right, cx);
      return (r, e) => cmp(left(r, e), right(r, e));
    }
    case 'chain':
      return compileChain(node, cx);
    case 'call':
      return compileCall(node, cx);
  }
}

function numericComparison(op: NodeOf<'compare'>['op'], left: Compiled, right: Compiled | null, b: number | null): Compiled {
  const test: (c: number) => boolean =
    op === '=' ? (c) => c === 0 : op === '<>' || op === '!=' ? (c) => c !== 0 : op === '<' ? (c) => c < 0 : op === '<=' ? (c) => c <= 0 : op === '>' ? (c) => c > 0 : (c) => c >= 0;
  // A blank compares as 0, as Excel.
  if (right === null) {
    const k = b === null ? 0 : b;
    return (r, e) => {
      const a = left(r, e) as number | null;
      return test(cmp15(a === null ? 0 : a, k));
    };
  }
  return (r, e) => {
    const a = left(r, e) as number | null;
    const v = right(r, e) as number | null;
    return test(cmp15(a === null ? 0 : a, v === null ? 0 : v));
  };
}

/**
 * Numbers, text, booleans and "YYYY-MM-DD" dates compare with JavaScript's operators; this
 * inlines them instead of calling a generic comparison. A blank stands for `blankFor` its type
 * (0, "", FALSE), as Excel's empty cell.
 */
function directComparison(node: NodeOf<'compare'>, cx: Scope): Compiled | null {
  const lt = typeOf(node.left).kind;
  const rt = typeOf(node.right).kind;
  const plain = (k: string) => k === 'Number' || k === 'Currency' || k === 'Text' || k === 'Boolean' || k === 'Date';
  if (!plain(lt) || !plain(rt)) return null;
  // Numbers compare at 15 significant digits, as Excel: 0.1 + 0.2 = 0.3 is TRUE.
  const numeric = (lt === 'Number' || lt === 'Currency') && (rt === 'Number' || rt === 'Currency');
  const rc = node.right.constant;
  const left = compileIn(node.left, cx);
  if (numeric) return numericComparison(node.op, left, rc ? null : compileIn(node.right, cx), rc ? (rc.value as number | null) : null);
  const blank = blankFor(typeOf(node.left)) as number;
  if (rc) {
    const b = (rc.value ?? blank) as number;
    switch (node.op) {
      case '=':
        return (r, e) => ((left(r, e) ?? blank) as number) === b;
      case '<>':
      case '!=':
        return (r, e) => ((left(r, e) ?? blank) as number) !== b;
      case '<':
        return (r, e) => ((left(r, e) ?? blank) as number) < b;
      case '<=':
        return (r, e) => ((left(r, e) ?? blank) as number) <= b;
      case '>':
        return (r, e) => ((left(r, e) ?? blank) as number) > b;
      case '>=':
        return (r, e) => ((left(r, e) ?? blank) as number) >= b;
    }
  }
  const right = compileIn(node.right, cx);
  const both =
    (f: (a: number, b: number) => boolean): Compiled =>
    (r, e) =>
      f((left(r, e) ?? blank) as number, (right(r, e) ?? blank) as number);
  switch (node.op) {
    case '=':
      return both((a, b) => a === b);
    case '<>':
    case '!=':
      return both((a, b) => a !== b);
    case '<':
      return both((a, b) => a < b);
    case '<=':
      return both((a, b) => a <= b);
    case '>':
      return both((a, b) => a > b);
    case '>=':
      return both((a, b) => a >= b);
  }
}

// ---- fields --------------------------------------------------------------------------------

type Convert = (v: unknown) => unknown;

/** Own properties only: a row's prototype never supplies a value ([constructor] is just a field). */
function readNumber(row: Row, key: string, convert: Convert): unknown {
  if (!hasOwn(row, key)) return null;
  const v = row[key];
  if (typeof v === 'number' && v - v === 0) return v;
  return v === null || v === undefined ? null : convert(v);
}

function readText(row: Row, key: string, convert: Convert): unknown {
  if (!hasOwn(row, key)) return null;
  const v = row[key];
  if (typeof v === 'string') return v;
  return v === null || v === undefined ? null : convert(v);
}

function readBoolean(row: Row, key: string, convert: Convert): unknown {
  if (!hasOwn(row, key)) return null;
  const v = row[key];
  if (typeof v === 'boolean') return v;
  return v === null || v === undefined ? null : convert(v);
}

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;

/**
 * "YYYY-MM-DD" that surely names a real day, without building a Date: month 1-12 and day 1-28.
 * Anything else (the 29th to 31st, other shapes) goes through convertValue's full check.
 */
function plainDate(v: string): boolean {
  if (v.length !== 10 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45) return false;
  const m = digit(v, 5) * 10 + digit(v, 6);
  const d = digit(v, 8) * 10 + digit(v, 9);
  return m >= 1 && m <= 12 && d >= 1 && d <= 28 && digit(v, 0) >= 1 && digit(v, 0) <= 9;
}

function readDate(row: Row, key: string, convert: Convert): unknown {
  if (!hasOwn(row, key)) return null;
  const v = row[key];
  if (typeof v === 'string' && plainDate(v)) return v;
  return v === null || v === undefined ? null : convert(v);
}

function readDateTime(row: Row, key: string, convert: Convert): unknown {
  if (!hasOwn(row, key)) return null;
  const v = row[key];
  // Zoned ISO text ("...Z", as convertValue writes it) is used as is; anything else is normalised.
  if (typeof v === 'string' && v.length > 10 && v.charCodeAt(v.length - 1) === 90) return v;
  return v === null || v === undefined ? null : convert(v);
}

const READERS = { number: readNumber, currency: readNumber, text: readText, boolean: readBoolean, date: readDate, datetime: readDateTime } as const;

interface FieldAccess {
  key: string;
  read: (row: Row, key: string, convert: Convert) => unknown;
  convert: Convert;
}

/** How to read a field node: its key, the reader for its type, and the conversion for odd values. */
function fieldAccess(node: NodeOf<'field'>, cx: Scope): FieldAccess {
  const type = typeOf(node);
  const site = siteOf(node, cx.text, undefined);
  const fieldType: FieldType =
    type.kind === 'Number' ? 'number' : type.kind === 'Currency' ? 'currency' : type.kind === 'Boolean' ? 'boolean' : type.kind === 'Date' ? 'date' : type.kind === 'DateTime' ? 'datetime' : 'text';
  // A value of the wrong shape (a number field holding "12") is converted as the field type says, or rejects the record.
  const numeric = fieldType === 'number' || fieldType === 'currency';
  const convert = (v: unknown): unknown => {
    const c = convertValue(v, fieldType);
    if (!c.ok) return site.fail(`The value ${show(v)} is not a valid ${formatType(type)} (${c.reason})`);
    // A number kept as exact decimal text (past 2^53, or more digits than a double holds): formulas compute in
    // doubles, so using it would round it silently. The record is rejected instead; a Map without a formula keeps it exact.
    if (numeric && typeof c.value === 'string') {
      return site.fail(`The value ${show(c.value)} has more digits than a formula can compute with exactly (about 15); map the field without a formula, or make it Text`);
    }
    return c.value;
  };
  return { key: node.name, read: READERS[fieldType], convert };
}

function fieldReader(node: NodeOf<'field'>, cx: Scope): Compiled {
  const { key, read, convert } = fieldAccess(node, cx);
  const frame = cx.frame;
  const slot = frame?.slots.get(key);
  if (!frame || slot === undefined) return (row) => read(row, key, convert);
  const { stamps, values } = frame;
  return (row) => {
    if (stamps[slot] === frame.epoch) return values[slot];
    const v = read(row, key, convert);
    values[slot] = v;
    stamps[slot] = frame.epoch;
    return v;
  };
}

// ---- operators -----------------------------------------------------------------------------

function compileChain(node: NodeOf<'chain'>, cx: Scope): Compiled {
  const parts = node.operands.map((o) => compileIn(o, cx));
  switch (node.level) {
    case 'and':
      return (r, e) => {
        for (const p of parts) if (p(r, e) !== true) return false;
        return true;
      };
    case 'or':
      return (r, e) => {
        for (const p of parts) if (p(r, e) === true) return true;
        return false;
      };
    case 'concat':
      return compileConcat(node, parts, cx);
    default:
      return compileArithmetic(node, parts, cx);
  }
}

function compileConcat(node: NodeOf<'chain'>, compiled: Compiled[], cx: Scope): Compiled {
  const site = siteOf(node, cx.text, undefined);
  // Text operands are used as they are (NULL as ""); others go through toText.
  const parts = compiled.map((c, i) => {
    const operand = node.operands[i] as Node;
    if (operand.constant) {
      const s = toText(operand.constant.value);
      return () => s;
    }
    if (typeOf(operand).kind === 'Text') return (r: Row, e: Env) => (c(r, e) as string | null) ?? '';
    return (r: Row, e: Env) => toText(c(r, e));
  });
  if (parts.length === 2) {
    const [a, b] = parts as [Compiled, Compiled];
    return (r, e) => checkText((a(r, e) as string) + (b(r, e) as string), site);
  }
  if (parts.length === 3) {
    const [a, b, c] = parts as [Compiled, Compiled, Compiled];
    return (r, e) => checkText((a(r, e) as string) + (b(r, e) as string) + (c(r, e) as string), site);
  }
  return (r, e) => {
    let s = '';
    for (const p of parts) s = checkText(s + (p(r, e) as string), site);
    return s;
  };
}

type NumOp = (a: number, b: number, site: Site) => number;

const NUM_OPS: Record<Exclude<ChainOp, 'OR' | 'AND' | '&'>, NumOp> = {
  '+': (a, b, s) => finite(a + b, s),
  '-': (a, b, s) => finite(a - b, s),
  '*': (a, b, s) => finite(a * b, s),
  '/': (a, b, s) => (b === 0 ? s.failWith('#DIV/0!', 'Division by zero') : finite(a / b, s)),
  // 0 (or a blank) to a negative power divides by zero: #DIV/0!, as Excel.
  '^': (a, b, s) => (a === 0 && b < 0 ? s.failWith('#DIV/0!', 'Division by zero') : finite(a ** b, s)),
};

function finite(x: number, site: Site): number {
  if (x - x === 0) return x;
  return site.fail(Number.isNaN(x) ? 'The result is not a number' : 'The result is too large');
}

/** One step a op b, specialised for a constant right side (the common `[Amount] * 0.12`). A blank operand counts as 0, as Excel. */
function binary(op: keyof typeof NUM_OPS, left: Compiled, right: Compiled, rightConst: { value: unknown } | undefined, site: Site): Compiled {
  if (rightConst) {
    const b = (rightConst.value as number | null) ?? 0;
    switch (op) {
      case '*':
        return (r, e) => {
          const a = left(r, e) as number | null;
          const x = (a === null ? 0 : a) * b;
          return x - x === 0 ? x : finite(x, site);
        };
      case '+':
        return (r, e) => {
          const a = left(r, e) as number | null;
          const x = (a === null ? 0 : a) + b;
          return x - x === 0 ? x : finite(x, site);
        };
      case '-':
        return (r, e) => {
          const a = left(r, e) as number | null;
          const x = (a === null ? 0 : a) - b;
          return x - x === 0 ? x : finite(x, site);
        };
      case '/':
        if (b === 0)
          return (r, e) => {
            left(r, e);
            return site.failWith('#DIV/0!', 'Division by zero');
          };
        return (r, e) => {
          const a = left(r, e) as number | null;
          const x = (a === null ? 0 : a) / b;
          return x - x === 0 ? x : finite(x, site);
        };
      default:
        break;
    }
  }
  const f = NUM_OPS[op];
  return (r, e) => {
    const a = left(r, e) as number | null;
    const b = right(r, e) as number | null;
    return f(a === null ? 0 : a, b === null ? 0 : b, site);
  };
}

function compileArithmetic(node: NodeOf<'chain'>, parts: Compiled[], cx: Scope): Compiled {
  const ops = node.ops as (keyof typeof NUM_OPS)[];
  const first = node.operands[0] as Node;
  // Each step gets its own site, so an error names exactly the part that failed: "[A] / [B]".
  const sites = ops.map((_, i) => new Site(first.start, (node.operands[i + 1] as Node).end, snippetOf(cx.text, first.start, (node.operands[i + 1] as Node).end), undefined));
  if (parts.length === 2) {
    return binary(ops[0] as keyof typeof NUM_OPS, parts[0] as Compiled, parts[1] as Compiled, (node.operands[1] as Node).constant, sites[0] as Site);
  }
  // Long chains run as a loop rather than nested closures: no deep recursion for 1+1+...+1.
  const fns = ops.map((op) => NUM_OPS[op]);
  return (r, e) => {
    const a = (parts[0] as Compiled)(r, e) as number | null;
    let acc = a === null ? 0 : a;
    for (let i = 1; i < parts.length; i++) {
      const b = (parts[i] as Compiled)(r, e) as number | null;
      acc = (fns[i - 1] as NumOp)(acc, b === null ? 0 : b, sites[i - 1] as Site);
    }
    return acc;
  };
}

// ---- calls ---------------------------------------------------------------------------------

type Impl = (site: Site, ...args: unknown[]) => unknown;

function compileCall(node: NodeOf<'call'>, cx: Scope): Compiled {
  const spec = lookupFunction(node.name);
  if (!spec) throw new Error(`Cannot compile the unknown function ${node.name}: check the formula first`);
  const site = siteOf(node, cx.text, node.prep);
  const args = node.args.map((a) => compileIn(a, cx));
  const type = typeOf(node);
  if (spec.lazy) {
    const types = node.args.map(typeOf);
    const call: LazyCall<unknown> = {
      args,
      types,
      type,
      site,
      arg: (i, to) => (to ? coerce(args[i] as Compiled, types[i] as FormulaType, to) : (args[i] as Compiled)),
    };
    return spec.lazy(call);
  }
  const impl = spec.impl as unknown as Impl | undefined;
  if (!impl) throw new Error(`${spec.name} has no implementation`);
  const propagate = (spec.nulls ?? 'propagate') === 'propagate';
  if (spec.repeat) {
    // Repeating arguments arrive as one array, reused from row to row (impls never keep it).
    const values = new Array<unknown>(args.length);
    return (r, e) => {
      for (let i = 0; i < args.length; i++) {
        const v = (args[i] as Compiled)(r, e);
        if (v === null && propagate) return null;
        values[i] = v;
      }
      return impl(site, values);
    };
  }
  switch (args.length) {
    case 0:
      return () => impl(site);
    case 1: {
      const [a] = args as [Compiled];
      if (!propagate) return (r, e) => impl(site, a(r, e));
      return (r, e) => {
        const x = a(r, e);
        return x === null ? null : impl(site, x);
      };
    }
    case 2: {
      const [a, b] = args as [Compiled, Compiled];
      if (!propagate) return (r, e) => impl(site, a(r, e), b(r, e));
      return (r, e) => {
        const x = a(r, e);
        if (x === null) return null;
        const y = b(r, e);
        return y === null ? null : impl(site, x, y);
      };
    }
    case 3: {
      const [a, b, c] = args as [Compiled, Compiled, Compiled];
      if (!propagate) return (r, e) => impl(site, a(r, e), b(r, e), c(r, e));
      return (r, e) => {
        const x = a(r, e);
        if (x === null) return null;
        const y = b(r, e);
        if (y === null) return null;
        const z = c(r, e);
        return z === null ? null : impl(site, x, y, z);
      };
    }
    case 4: {
      const [a, b, c, d] = args as [Compiled, Compiled, Compiled, Compiled];
      return (r, e) => {
        const x = a(r, e);
        const y = b(r, e);
        const z = c(r, e);
        const w = d(r, e);
        return propagate && (x === null || y === null || z === null || w === null) ? null : impl(site, x, y, z, w);
      };
    }
    default: {
      const values = new Array<unknown>(args.length);
      return (r, e) => {
        for (let i = 0; i < args.length; i++) {
          const v = (args[i] as Compiled)(r, e);
          if (v === null && propagate) return null;
          values[i] = v;
        }
        return impl(site, ...values);
      };
    }
  }
}
