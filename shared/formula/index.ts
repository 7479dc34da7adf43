// Weft's formula language: the one public surface the web editor and the runtime code against.
import type { Field, FieldType, Row } from '../graph/field-types';
import type { Node } from './ast';
import { checkAst } from './checker';
import { coerce, type Env, type MemberDirectory } from './compiled';
export type { MemberDirectory } from './compiled';
import { compileNode, FieldFrame } from './compiler';
import type { FormulaDiagnostic } from './diagnostics';
import { parse } from './parser';
import { FormulaFault } from './runtime';
import { fieldTypeToFormula, formulaToFieldType, T, type FormulaType } from './types';

export type { FormulaType } from './types';
export { formatType, fieldTypeToFormula, formulaToFieldType } from './types';
export type { FormulaDiagnostic, FormulaDiagnosticCode, FormulaFix } from './diagnostics';
export { DIAGNOSTIC_CODES } from './diagnostics';
export type { FunctionSpec, ParamSpec, ParamKind, Category as FunctionCategory } from './function-spec';
export { FUNCTIONS, lookupFunction } from './functions';
export { ALIASES, counterpartOf, DIFFERENCES, REFERENCE_ERRATA, type Counterpart } from './counterparts';
export { tokenize, functionAt, KEYWORDS } from './editor';
export type { FormulaToken, TokenType, SignatureAt, Keyword } from './editor';
export { completionsAt, completionSpot, fieldDoc, fieldReference, fieldTypeLabel, functionDoc, functionDocs, exampleLine, KEYWORD_DOCS, markdownText, textLiteral, toFunctionDoc } from './completion';
export type { CompletionInput, Completions, CompletionSpot, FunctionDoc, Suggestion, SuggestionKind } from './completion';
export { offsetToPosition, positionToOffset, toMonacoRange } from './position';
export type { Position as FormulaPosition } from './position';
export { LIMITS } from './limits';

export interface FormulaContext {
  /** The fields of the rows the formula reads (the upstream schema). */
  fields: Field[];
  /** Value maps LOOKUP can read, by name. Values: text, numbers, booleans or null. */
  valueMaps?: Record<string, Record<string, unknown>>;
  /** What the result feeds: a field of this type, or 'boolean' for a condition (Filter). */
  expected?: FieldType | 'boolean';
  /**
   * The integration's declared run parameters: PARAM("name") must name one and gives its type. Absent: PARAM takes
   * any name and gives Text (formulas checked outside an integration).
   */
  params?: readonly FormulaParam[];
  /** The member systems MEMBER("system", id) may name (absent: any name, checked at run time). */
  memberSystems?: readonly string[];
}

/** A declared run parameter as formulas see it. */
export interface FormulaParam {
  name: string;
  type: 'text' | 'number' | 'date' | 'boolean';
}

export interface CheckedFormula {
  type: FormulaType | null;
  /** The field type the result is stored as, for output schemas; null when there are errors. */
  fieldType: FieldType | null;
  diagnostics: FormulaDiagnostic[];
  /** The typed syntax tree (for tools and tests); null when the text does not parse. */
  ast: unknown | null;
}

/** A failure's message starts with its spreadsheet error value when it has one (#DIV/0!, #VALUE!, #N/A, #NUM!). */
export type EvalResult = { ok: true; value: unknown } | { ok: false; error: string; start?: number; end?: number };

export interface CompiledFormula {
  ok: true;
  type: FormulaType;
  fieldType: FieldType;
  /** Never throws: a record the formula cannot handle comes back as { ok: false, error }. */
  /** `params`: the run's parameters, which PARAM(name) reads (blank when a name is absent). */
  evaluate(row: Row, env?: EvalEnv): EvalResult;
}

/** What a compiled formula's evaluation may be given: the run's clock, parameters and member snapshot. */
export interface EvalEnv {
  now?: () => number;
  params?: ReadonlyMap<string, unknown>;
  members?: MemberDirectory;
}

export type FormulaCompileResult = CompiledFormula | { ok: false; diagnostics: FormulaDiagnostic[] };

const hasErrors = (ds: readonly FormulaDiagnostic[]) => ds.some((d) => d.severity === 'error');

function checkInternal(text: string, ctx: FormulaContext): { ast: Node | null; type: FormulaType | null; fieldType: FieldType | null; diagnostics: FormulaDiagnostic[] } {
  const parsed = parse(text);
  if (!parsed.ast) return { ast: null, type: null, fieldType: null, diagnostics: parsed.diagnostics };
  const { type, diagnostics } = checkAst(parsed.ast, text, ctx);
  const ok = !hasErrors(diagnostics);
  const fieldType = ok ? (ctx.expected ?? formulaToFieldType(type)) : null;
  return { ast: parsed.ast, type: ok ? type : type.kind === 'Any' ? null : type, fieldType, diagnostics };
}

/** Parses and type-checks a formula against the upstream fields. Never throws. */
export function checkFormula(text: string, ctx: FormulaContext): CheckedFormula {
  const { ast, type, fieldType, diagnostics } = checkInternal(text, ctx);
  return { type, fieldType, diagnostics, ast };
}

const DEFAULT_ENV: Env = { now: () => Date.now() };

/** Checks, then compiles to closures. Errors (not warnings) refuse to compile. */
export function compileFormula(text: string, ctx: FormulaContext): FormulaCompileResult {
  const checked = checkInternal(text, ctx);
  if (!checked.ast || !checked.type || !checked.fieldType || hasErrors(checked.diagnostics)) {
    return { ok: false, diagnostics: checked.diagnostics };
  }
  const type = checked.type;
  const fieldType = checked.fieldType;
  // The value is stored as the target's type: Date -> DateTime at midnight UTC, anything -> Text.
  const frame = new FieldFrame(checked.ast);
  const root = coerce(compileNode(checked.ast, text, frame), type, ctx.expected && ctx.expected !== 'boolean' ? fieldTypeToFormula(ctx.expected) : type.kind === 'Null' ? T.Text : type);
  return {
    ok: true,
    type,
    fieldType,
    evaluate(row: Row, env?: EvalEnv): EvalResult {
      try {
        frame.epoch++;
        const value = root(row, env?.now ? (env as Env) : env?.params || env?.members ? { now: DEFAULT_ENV.now, ...(env.params && { params: env.params }), ...(env.members && { members: env.members }) } : DEFAULT_ENV);
        return { ok: true, value: value === undefined ? null : value };
      } catch (e) {
        if (e instanceof FormulaFault) return { ok: false, error: e.message, start: e.start, end: e.end };
        // Not expected (a bug, or the engine running out of memory): still only this record fails.
        return { ok: false, error: `The formula could not be evaluated: ${e instanceof Error ? e.message : String(e)}` };
      }
    },
  };
}
