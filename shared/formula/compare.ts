// Comparison rules: which types compare, and the compiled comparison for a pair of types.
import type { CompareOp } from './ast';
import { cmp15, isBlank, show, type Site } from './runtime';
import { isDateLike, isLoose, isNumeric, type FormulaType } from './types';

/** Numbers with numbers (Currency too), text with text, booleans, dates with dates; NULL with anything. */
export function comparable(a: FormulaType, b: FormulaType): boolean {
  if (a.kind === 'List' || b.kind === 'List') return false;
  if (isLoose(a) || isLoose(b)) return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  if (isDateLike(a) && isDateLike(b)) return true;
  return a.kind === b.kind;
}

export type Comparison = (a: unknown, b: unknown) => boolean;

function byOp(op: CompareOp): (a: number | string, b: number | string) => boolean {
  switch (op) {
    case '=':
      return (a, b) => a === b;
    case '<>':
    case '!=':
      return (a, b) => a !== b;
    case '<':
      return (a, b) => a < b;
    case '<=':
      return (a, b) => a <= b;
    case '>':
      return (a, b) => a > b;
    case '>=':
      return (a, b) => a >= b;
  }
}

/**
 * The comparison of a value of type `lt` with one of type `rt`. Comparing with the NULL literal
 * asks "is it blank" (= NULL) or "is it not blank" (<> NULL); any other comparison involving a
 * NULL value is FALSE, like SQL.
 */
export function makeComparison(op: CompareOp, lt: FormulaType, rt: FormulaType, site: Site): Comparison {
  if (lt.kind === 'Null' || rt.kind === 'Null') {
    const blank = op === '=';
    if (lt.kind === 'Null' && rt.kind === 'Null') return () => blank;
    return lt.kind === 'Null' ? (_a, b) => isBlank(b) === blank : (a) => isBlank(a) === blank;
  }
  const cmp = byOp(op);
  if (lt.kind === 'DateTime' || rt.kind === 'DateTime') {
    const ms = (v: unknown): number => {
      const t = Date.parse(v as string);
      if (Number.isNaN(t)) site.fail(`${show(v)} is not a date`);
      return t;
    };
    return (a, b) => a !== null && b !== null && cmp(ms(a), ms(b));
  }
  if (isNumeric(lt) && isNumeric(rt)) {
    // 15 significant digits, as Excel: 0.1 + 0.2 = 0.3 is TRUE.
    return (a, b) => a !== null && b !== null && cmp(cmp15(a as number, b as number), 0);
  }
  // Numbers, text, booleans (FALSE < TRUE) and "YYYY-MM-DD" dates compare with JavaScript's own operators.
  return (a, b) => a !== null && b !== null && cmp(a as number, b as number);
}
