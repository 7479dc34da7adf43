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
 * What a blank stands for when it is compared with a value of type `t`, as Excel: 0 beside a
 * number, "" beside text (and beside a "YYYY-MM-DD" date, so it sorts first), FALSE beside a
 * boolean.
 */
export function blankFor(t: FormulaType): number | string | boolean {
  if (isNumeric(t)) return 0;
  if (t.kind === 'Boolean') return false;
  return '';
}

/**
 * The comparison of a value of type `lt` with one of type `rt`. Comparing with the NULL literal
 * asks "is it blank" (= NULL) or "is it not blank" (<> NULL). Otherwise a blank value compares as
 * Excel's empty cell: as 0 with numbers, "" with text, FALSE with booleans, and before any date.
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
      if (v === null || v === undefined) return -Infinity;
      const t = Date.parse(v as string);
      if (Number.isNaN(t)) site.fail(`${show(v)} is not a date`);
      return t;
    };
    return (a, b) => cmp(ms(a), ms(b));
  }
  if (isNumeric(lt) && isNumeric(rt)) {
    // 15 significant digits, as Excel: 0.1 + 0.2 = 0.3 is TRUE.
    return (a, b) => cmp(cmp15((a ?? 0) as number, (b ?? 0) as number), 0);
  }
  // Numbers, text, booleans (FALSE < TRUE) and "YYYY-MM-DD" dates compare with JavaScript's own operators.
  const blank = blankFor(lt) as number;
  return (a, b) => cmp((a ?? blank) as number, (b ?? blank) as number);
}
