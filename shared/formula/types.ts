// The formula language's static types, how they print, and how they meet Weft's field types.
import type { FieldType } from '../graph/field-types';

export type ScalarKind = 'Text' | 'Number' | 'Currency' | 'Boolean' | 'Date' | 'DateTime';

/**
 * A static type. `Null` is the type of the NULL literal; `Any` stands for "unknown" (after an
 * error, so one mistake is reported once) and fits everywhere.
 */
export type FormulaType = { readonly kind: ScalarKind | 'Null' | 'Any' } | { readonly kind: 'List'; readonly of: FormulaType };

export const T = {
  Text: { kind: 'Text' },
  Number: { kind: 'Number' },
  Currency: { kind: 'Currency' },
  Boolean: { kind: 'Boolean' },
  Date: { kind: 'Date' },
  DateTime: { kind: 'DateTime' },
  Null: { kind: 'Null' },
  Any: { kind: 'Any' },
  list: (of: FormulaType): FormulaType => ({ kind: 'List', of }),
} as const satisfies Record<string, FormulaType | ((t: FormulaType) => FormulaType)>;

/** "Number", "List<Text>". */
export function formatType(t: FormulaType): string {
  return t.kind === 'List' ? `List<${formatType(t.of)}>` : t.kind;
}

export function sameType(a: FormulaType, b: FormulaType): boolean {
  if (a.kind === 'List' || b.kind === 'List') return a.kind === 'List' && b.kind === 'List' && sameType(a.of, b.of);
  return a.kind === b.kind;
}

export const isNumeric = (t: FormulaType) => t.kind === 'Number' || t.kind === 'Currency';
export const isDateLike = (t: FormulaType) => t.kind === 'Date' || t.kind === 'DateTime';
/** NULL and unknown fit any slot. */
export const isLoose = (t: FormulaType) => t.kind === 'Null' || t.kind === 'Any';

/**
 * The one type two values can share (IF's branches, COALESCE's arguments), or null.
 * Number and Currency meet at Currency; Date and DateTime at DateTime; NULL fits anything.
 */
export function unify(a: FormulaType, b: FormulaType): FormulaType | null {
  if (a.kind === 'Any') return b.kind === 'Null' ? a : b;
  if (b.kind === 'Any' || b.kind === 'Null') return a;
  if (a.kind === 'Null') return b;
  if (a.kind === 'List' || b.kind === 'List') {
    if (a.kind !== 'List' || b.kind !== 'List') return null;
    const of = unify(a.of, b.of);
    return of ? T.list(of) : null;
  }
  if (a.kind === b.kind) return a;
  if (isNumeric(a) && isNumeric(b)) return T.Currency;
  if (isDateLike(a) && isDateLike(b)) return T.DateTime;
  return null;
}

const FROM_FIELD: Record<FieldType, FormulaType> = {
  text: T.Text,
  number: T.Number,
  currency: T.Currency,
  date: T.Date,
  datetime: T.DateTime,
  boolean: T.Boolean,
  reference: T.Text,
};

export const fieldTypeToFormula = (t: FieldType): FormulaType => FROM_FIELD[t];

/** The field type a value of this formula type is stored as; lists have none. */
export function formulaToFieldType(t: FormulaType): FieldType | null {
  switch (t.kind) {
    case 'Text':
    case 'Null':
      return 'text';
    case 'Number':
      return 'number';
    case 'Currency':
      return 'currency';
    case 'Boolean':
      return 'boolean';
    case 'Date':
      return 'date';
    case 'DateTime':
      return 'datetime';
    case 'Any':
    case 'List':
      return null;
  }
}

/**
 * Whether a result of type `t` may be stored in a field of type `target`. Any single value
 * may go to a text field (it is written as text); Number and Currency mix; a Date may go to a
 * Date & time field (at midnight UTC).
 */
export function fitsField(t: FormulaType, target: FieldType): boolean {
  if (isLoose(t)) return true;
  if (t.kind === 'List') return false;
  switch (target) {
    case 'text':
      return true;
    case 'reference':
      return t.kind === 'Text' || isNumeric(t);
    case 'number':
    case 'currency':
      return isNumeric(t);
    case 'boolean':
      return t.kind === 'Boolean';
    case 'date':
      return t.kind === 'Date';
    case 'datetime':
      return isDateLike(t);
  }
}
