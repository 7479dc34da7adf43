// The shape of one entry in the function table: what the checker, compiler, editor and docs read.
import type { Node } from './ast';
import type { Compiled } from './compiled';
import type { FormulaDiagnosticCode, FormulaFix } from './diagnostics';
import type { Site } from './runtime';
import { formatType, isDateLike, isLoose, isNumeric, type FormulaType } from './types';

/** What an argument may be. `number` takes Number and Currency; `date` takes Date and DateTime. */
export type ParamKind = 'text' | 'number' | 'numbers' | 'boolean' | 'date' | 'scalar' | 'list' | 'any';

export const PARAM_KIND_LABELS: Record<ParamKind, string> = {
  text: 'Text',
  number: 'a Number',
  numbers: 'a Number or a List of Numbers',
  boolean: 'a Boolean (TRUE or FALSE)',
  date: 'a Date',
  scalar: 'a single value (not a List)',
  list: 'a List',
  any: 'any value',
};

export function accepts(kind: ParamKind, t: FormulaType): boolean {
  if (isLoose(t)) return true;
  switch (kind) {
    case 'text':
      return t.kind === 'Text';
    case 'number':
      return isNumeric(t);
    case 'numbers':
      return isNumeric(t) || (t.kind === 'List' && (isNumeric(t.of) || isLoose(t.of)));
    case 'boolean':
      return t.kind === 'Boolean';
    case 'date':
      return isDateLike(t);
    case 'scalar':
      return t.kind !== 'List';
    case 'list':
      return t.kind === 'List';
    case 'any':
      return true;
  }
}

/** A conversion hint for a wrong argument, or ''. */
export function conversionHint(kind: ParamKind, got: FormulaType): string {
  if ((kind === 'number' || kind === 'numbers') && got.kind === 'Text') return '; convert text with VALUE(...)';
  if (kind === 'date' && got.kind === 'Text') return '; convert text with DATEVALUE(text, "MM/DD/YYYY")';
  if (kind === 'text' && got.kind !== 'List') return '; convert it with TEXT(...) or join it with &';
  if (got.kind === 'List') return '; pick an item with INDEX(list, n) or join with JOIN(list, ", ")';
  return '';
}

export interface ParamSpec {
  name: string;
  kind: ParamKind;
  optional?: boolean;
  /** Must be written in the formula (a unit, a format, a pattern, a map name), not computed. */
  constant?: boolean;
}

export type Category = 'Logic' | 'Text' | 'Lists' | 'Numbers' | 'Dates' | 'Lookup' | 'Regular expressions';
export const CATEGORIES: readonly Category[] = ['Logic', 'Text', 'Lists', 'Numbers', 'Dates', 'Lookup', 'Regular expressions'];

export interface ArgInfo {
  node: Node;
  type: FormulaType;
  /** Present when the argument is a constant the checker could evaluate. */
  constant?: { value: unknown };
  start: number;
  end: number;
}

export interface Range {
  start: number;
  end: number;
}

/** What a function's own check sees: its arguments, already type-checked against the params. */
export interface CallInfo {
  name: string;
  args: readonly ArgInfo[];
  start: number;
  end: number;
  valueMaps: Record<string, Record<string, unknown>>;
  /** The integration's declared run parameters by name (absent: none declared, PARAM takes any name as Text). */
  params?: ReadonlyMap<string, 'text' | 'number' | 'date' | 'boolean'>;
  /** The member systems MEMBER may name (absent: not known here, any name is taken). */
  memberSystems?: readonly string[];
  error(at: Range, code: FormulaDiagnosticCode, message: string, fix?: FormulaFix): void;
  warn(at: Range, code: FormulaDiagnosticCode, message: string): void;
}

export interface CheckOutcome<P> {
  type?: FormulaType;
  prep?: P;
}

/** What a special form (IF, AND, COALESCE, TODAY) gets to build its own closure. */
export interface LazyCall<P> {
  args: readonly Compiled[];
  types: readonly FormulaType[];
  /** The call's result type. */
  type: FormulaType;
  site: Site<P>;
  /** Argument i, converted to the result type where the representation differs (Date -> DateTime). */
  arg(i: number, to?: FormulaType): Compiled;
}

export interface FunctionDef<P> {
  name: string;
  category: Category;
  params: readonly ParamSpec[];
  /** The last `repeat` params may repeat: SUM(number, ...) repeats 1, IFS(condition, value, ...) 2. */
  repeat?: number;
  /** The result type, or a label ("same as number") when `check` works it out from the arguments. */
  returns: FormulaType | string;
  /** Overrides the generated signature (for shapes like SWITCH's optional default). */
  signature?: string;
  description: string;
  /** A formula using the function, evaluated by the tests against SAMPLE_ROW (reference.ts). */
  example: string;
  /** What the example gives, as the docs show it. */
  result: string;
  /** `propagate`: a NULL argument makes the result NULL without calling `impl`. */
  nulls?: 'propagate' | 'accept';
  /** Catches failures of its arguments (IFERROR, IFNA, ISERROR): a constant argument that fails is not a check error inside it. */
  catches?: boolean;
  /** Reads the clock: never folded into a constant. */
  volatile?: boolean;
  check?: (c: CallInfo) => CheckOutcome<P> | void;
  /** Strict functions get argument values (undefined for a missing optional one), after `site`. Repeating params arrive as one array. */
  impl?: (site: Site<P>, ...args: never[]) => unknown;
  /** Special forms build their closure from compiled arguments (lazy evaluation, the clock). */
  lazy?: (call: LazyCall<P>) => Compiled;
}

export interface FunctionSpec extends Omit<FunctionDef<unknown>, 'signature'> {
  /** "ROUND(number, digits?) → Number" */
  signature: string;
  minArgs: number;
  maxArgs: number;
}

export function defineFunction<P = undefined>(def: FunctionDef<P>): FunctionSpec {
  const repeat = def.repeat ?? 0;
  const names = def.params.map((p) => `${p.name}${p.optional ? '?' : ''}`);
  const ret = typeof def.returns === 'string' ? def.returns : formatType(def.returns);
  const signature = def.signature ?? `${def.name}(${[...names, ...(repeat ? ['…'] : [])].join(', ')}) → ${ret}`;
  return {
    ...(def as unknown as FunctionDef<unknown>),
    signature,
    minArgs: def.params.filter((p) => !p.optional).length,
    maxArgs: repeat ? Infinity : def.params.length,
  };
}

/** The param that argument i fills, following `repeat`. */
export function paramAt(spec: FunctionSpec, i: number): ParamSpec | undefined {
  const n = spec.params.length;
  if (i < n) return spec.params[i];
  const repeat = spec.repeat ?? 0;
  if (!repeat) return undefined;
  return spec.params[n - repeat + ((i - n) % repeat)];
}
