// Infers the type of every node from the upstream fields; reports problems with exact ranges.
import type { Field, FieldType } from '../graph/field-types';
import { suggest } from '../util/suggest';
import { ALIASES } from './counterparts';
import type { Node, NodeOf } from './ast';
import { comparable } from './compare';
import { compileNode } from './compiler';
import type { FormulaDiagnostic, FormulaDiagnosticCode, FormulaFix } from './diagnostics';
import { accepts, conversionHint, PARAM_KIND_LABELS, paramAt, type ArgInfo, type CallInfo, type Range } from './function-spec';
import { FUNCTIONS, lookupFunction } from './functions';
import { FormulaFault } from './runtime';
import { fieldTypeToFormula, fitsField, formatType, isDateLike, isLoose, isNumeric, T, type FormulaType } from './types';

export interface CheckEnv {
  fields: readonly Field[];
  valueMaps?: Record<string, Record<string, unknown>>;
  expected?: FieldType | 'boolean';
  params?: readonly { name: string; type: 'text' | 'number' | 'date' | 'boolean' }[];
  memberSystems?: readonly string[];
}

export interface CheckOutput {
  type: FormulaType;
  diagnostics: FormulaDiagnostic[];
}

const FOLD_ENV = { now: () => 0 };

export function checkAst(ast: Node, text: string, env: CheckEnv): CheckOutput {
  const c = new Checker(text, env);
  const type = c.visit(ast);
  c.checkResult(ast, type);
  return { type, diagnostics: c.diagnostics.sort((a, b) => a.start - b.start || a.end - b.end) };
}

/** "Did you mean" suggestions one formula gets; later unknown names are still errors, without a suggestion. */
export const MAX_HINTS = 20;

const functionNames = (): string[] => FUNCTIONS.map((f) => f.name);

class Checker {
  readonly diagnostics: FormulaDiagnostic[] = [];
  /** A Map, so names such as __proto__ or constructor are just names. */
  private readonly fields = new Map<string, FieldType>();
  private readonly valueMaps: Record<string, Record<string, unknown>>;

  constructor(
    private readonly text: string,
    private readonly env: CheckEnv,
  ) {
    for (const f of env.fields) if (!this.fields.has(f.name)) this.fields.set(f.name, f.type);
    this.valueMaps = env.valueMaps ?? {};
  }

  /** "Did you mean" lookups left for this formula: each scans every field, and the editor checks per keystroke. */
  private hintsLeft = MAX_HINTS;

  /** The nearest name, while this formula has hints left (a formula with dozens of unknown names gets the first few). */
  private hint(name: string, candidates: () => readonly string[]): string | undefined {
    if (this.hintsLeft <= 0) return undefined;
    this.hintsLeft--;
    return suggest(name, candidates());
  }

  private report(severity: 'error' | 'warning', at: Range, code: FormulaDiagnosticCode, message: string, fix?: FormulaFix): void {
    this.diagnostics.push({ severity, code, message, start: at.start, end: at.end, ...(fix ? { fix } : {}) });
  }

  private error(at: Range, code: FormulaDiagnosticCode, message: string, fix?: FormulaFix): void {
    this.report('error', at, code, message, fix);
  }

  private errorCount(): number {
    return this.diagnostics.filter((d) => d.severity === 'error').length;
  }

  visit(node: Node): FormulaType {
    const before = this.errorCount();
    const type = this.infer(node);
    node.type = type;
    if (this.errorCount() === before) this.fold(node);
    return type;
  }

  /** Evaluates a node made only of constants once, so it costs nothing per row and fails early. */
  private fold(node: Node): void {
    switch (node.k) {
      case 'num':
      case 'str':
      case 'bool':
        node.constant = { value: node.value };
        return;
      case 'null':
        node.constant = { value: null };
        return;
      case 'field':
      case 'name':
        return;
      case 'call': {
        const spec = lookupFunction(node.name);
        if (!spec || spec.volatile || !node.args.every((a) => a.constant)) return;
        break;
      }
      case 'neg':
      case 'not':
        if (!node.operand.constant) return;
        break;
      case 'chain':
        if (!node.operands.every((o) => o.constant)) return;
        break;
      case 'compare':
        if (!node.left.constant || !node.right.constant) return;
        break;
    }
    try {
      node.constant = { value: compileNode(node, this.text)({}, FOLD_ENV) };
    } catch (e) {
      if (!(e instanceof FormulaFault)) throw e;
      // Inside IFERROR and its kin a failing constant is what is being caught: left to run time.
      if (this.catching === 0) this.error(node, 'constant-error', e.message);
    }
  }

  private infer(node: Node): FormulaType {
    switch (node.k) {
      case 'num':
        return T.Number;
      case 'str':
        return T.Text;
      case 'bool':
        return T.Boolean;
      case 'null':
        return T.Null;
      case 'field':
        return this.field(node);
      case 'name':
        return this.name(node);
      case 'neg': {
        const t = this.visit(node.operand);
        if (isLoose(t)) return T.Number;
        if (!isNumeric(t)) {
          this.error(node.operand, 'operand-type', `${node.op} expects a Number, got ${formatType(t)}`);
          return T.Any;
        }
        return t;
      }
      case 'not': {
        const t = this.visit(node.operand);
        if (!isLoose(t) && t.kind !== 'Boolean') this.error(node.operand, 'operand-type', `NOT expects a Boolean (TRUE or FALSE), got ${formatType(t)}`);
        return T.Boolean;
      }
      case 'chain':
        return this.chain(node);
      case 'compare':
        return this.compare(node);
      case 'call':
        return this.call(node);
    }
  }

  private field(node: NodeOf<'field'>): FormulaType {
    const type = this.fields.get(node.name);
    if (type) return fieldTypeToFormula(type);
    const names = [...this.fields.keys()];
    const hint = this.hint(node.name, () => names);
    const ref = (name: string) => `[${name.replace(/]/g, ']]')}]`;
    const tail = hint ? ` Did you mean ${ref(hint)}?` : names.length === 0 ? ' This step has no input fields.' : '';
    this.error(node, 'unknown-field', `Unknown field ${ref(node.name)}.${tail}`, hint ? changeTo(ref(hint)) : undefined);
    return T.Any;
  }

  private name(node: NodeOf<'name'>): FormulaType {
    const fn = lookupFunction(node.name);
    if (fn) {
      this.error(node, 'unknown-name', `${fn.name} is a function: write ${fn.name}(...)`);
      return T.Any;
    }
    const fieldHint = this.hint(node.name, () => [...this.fields.keys()]);
    if (fieldHint) {
      const ref = `[${fieldHint.replace(/]/g, ']]')}]`;
      this.error(node, 'unknown-name', `${node.name} is not a function or keyword; field names go in square brackets: ${ref}`, changeTo(ref));
      return T.Any;
    }
    const fnHint = this.hint(node.name, functionNames);
    const tail = fnHint ? ` Did you mean ${fnHint}(...)?` : ' Text goes in double quotes; field names in square brackets.';
    this.error(node, 'unknown-name', `Unknown name ${node.name}.${tail}`);
    return T.Any;
  }

  private chain(node: NodeOf<'chain'>): FormulaType {
    const types = node.operands.map((o) => this.visit(o));
    switch (node.level) {
      case 'or':
      case 'and': {
        const op = node.level.toUpperCase();
        node.operands.forEach((o, i) => {
          const t = types[i] as FormulaType;
          if (!isLoose(t) && t.kind !== 'Boolean') this.error(o, 'operand-type', `${op} expects Boolean values (TRUE or FALSE), got ${formatType(t)}`);
        });
        return T.Boolean;
      }
      case 'concat':
        node.operands.forEach((o, i) => {
          const t = types[i] as FormulaType;
          if (t.kind === 'List') this.error(o, 'operand-type', `& cannot join a ${formatType(t)}; use JOIN(list, ", ")`);
        });
        return T.Text;
      case 'add':
      case 'mul':
      case 'pow': {
        let acc = types[0] as FormulaType;
        let ok = this.numericOperand(node, 0, types);
        for (let i = 1; i < node.operands.length; i++) {
          const op = node.ops[i - 1] as string;
          ok = this.numericOperand(node, i, types) && ok;
          const t = types[i] as FormulaType;
          const currency = (x: FormulaType) => x.kind === 'Currency';
          if (op === '+' || op === '-' || op === '*') acc = currency(acc) || currency(t) ? T.Currency : T.Number;
          else if (op === '/') acc = currency(acc) && !currency(t) ? T.Currency : T.Number;
          else acc = T.Number;
        }
        return ok ? acc : T.Any;
      }
    }
  }

  /** Reports a non-numeric operand of + - * / ^, with a hint for the date mistakes. */
  private numericOperand(node: NodeOf<'chain'>, i: number, types: readonly FormulaType[]): boolean {
    const t = types[i] as FormulaType;
    if (isLoose(t) || isNumeric(t)) return true;
    const o = node.operands[i] as Node;
    const op = (node.ops[i === 0 ? 0 : i - 1] ?? '+') as string;
    let hint = '';
    if (isDateLike(t) && op === '+') hint = '; to add to a date use DATEADD(date, 7, "day")';
    else if (isDateLike(t) && op === '-') hint = '; for the time between dates use DATEDIFF(start, end, "day"), to go back use DATEADD(date, -7, "day")';
    else if (t.kind === 'Text' && op === '+') hint = '; join text with &';
    else if (t.kind === 'Text') hint = '; convert text with VALUE(...)';
    this.error(o, 'operand-type', `${op} expects a Number, got ${formatType(t)}${hint}`);
    return false;
  }

  private compare(node: NodeOf<'compare'>): FormulaType {
    const lt = this.visit(node.left);
    const rt = this.visit(node.right);
    if ((lt.kind === 'Null' || rt.kind === 'Null') && node.op !== '=' && node.op !== '<>' && node.op !== '!=') {
      this.error(node, 'compare-types', `Only = and <> compare with NULL (they ask whether a value is blank); use ISBLANK(...), or compare with 0 or ""`);
    } else if (!comparable(lt, rt)) {
      let hint = '';
      const kinds = [lt.kind, rt.kind];
      if (kinds.includes('Text') && (kinds.includes('Number') || kinds.includes('Currency'))) hint = '; convert with VALUE(...) or TEXT(...)';
      else if (kinds.includes('Text') && (kinds.includes('Date') || kinds.includes('DateTime'))) hint = '; read the text as a date with DATEVALUE(text, "MM/DD/YYYY")';
      else if (kinds.includes('List')) hint = '; pick an item with INDEX(list, n)';
      this.error(node, 'compare-types', `Cannot compare ${formatType(lt)} to ${formatType(rt)}${hint}`);
    }
    return T.Boolean;
  }

  /** How many error-catching calls (IFERROR, IFNA, ISERROR) enclose the node being checked. */
  private catching = 0;

  private call(node: NodeOf<'call'>): FormulaType {
    const spec = lookupFunction(node.name);
    if (spec?.catches) this.catching++;
    const types = node.args.map((a) => this.visit(a));
    if (spec?.catches) this.catching--;
    const nameRange = { start: node.start, end: node.nameEnd };
    if (!spec) {
      const hint = Object.hasOwn(ALIASES, node.name.toUpperCase()) ? undefined : this.hint(node.name, functionNames);
      this.error(nameRange, 'unknown-function', unknownFunctionMessage(node.name, hint ?? null), hint ? changeTo(hint) : undefined);
      return T.Any;
    }
    const fallback = typeof spec.returns === 'string' ? T.Any : spec.returns;
    const n = node.args.length;
    if (n < spec.minArgs || n > spec.maxArgs) {
      const expected =
        spec.maxArgs === Infinity
          ? `at least ${spec.minArgs} argument${spec.minArgs === 1 ? '' : 's'}`
          : spec.minArgs === spec.maxArgs
            ? `${spec.minArgs} argument${spec.minArgs === 1 ? '' : 's'}`
            : `${spec.minArgs} to ${spec.maxArgs} arguments`;
      const at = n > spec.maxArgs ? { start: (node.args[spec.maxArgs] as Node).start, end: (node.args[n - 1] as Node).end } : node;
      this.error(at, 'arg-count', `${spec.name} expects ${expected}, got ${n}`);
      return fallback;
    }
    let ok = true;
    node.args.forEach((a, i) => {
      const param = paramAt(spec, i);
      const t = types[i] as FormulaType;
      if (!param) return;
      if (!accepts(param.kind, t)) {
        ok = false;
        this.error(a, 'arg-type', `${spec.name} expects ${PARAM_KIND_LABELS[param.kind]} as argument ${i + 1}, got ${formatType(t)}${conversionHint(param.kind, t)}`);
      }
    });
    if (!ok) return fallback;
    if (!spec.check) return fallback;
    const args: ArgInfo[] = node.args.map((a, i) => ({ node: a, type: types[i] as FormulaType, constant: a.constant, start: a.start, end: a.end }));
    const info: CallInfo = {
      name: spec.name,
      args,
      start: node.start,
      end: node.end,
      valueMaps: this.valueMaps,
      ...(this.env.params && { params: new Map(this.env.params.map((p) => [p.name, p.type])) }),
      ...(this.env.memberSystems && { memberSystems: this.env.memberSystems }),
      error: (at, code, message, fix) => this.report('error', at, code, message, fix),
      warn: (at, code, message) => this.report('warning', at, code, message),
    };
    const outcome = spec.check(info) ?? {};
    node.prep = outcome.prep;
    return outcome.type ?? fallback;
  }

  /** The whole formula's type against what its target takes. */
  checkResult(root: Node, type: FormulaType): void {
    const expected = this.env.expected;
    if (type.kind === 'List') {
      this.error(root, 'list-result', `The formula gives a ${formatType(type)}; a field cannot hold a list (use JOIN or INDEX)`);
      return;
    }
    if (!expected || fitsField(type, expected)) return;
    const hint =
      type.kind === 'Text' && (expected === 'number' || expected === 'currency')
        ? ' Convert text with VALUE(...).'
        : type.kind === 'Text' && expected === 'date'
          ? ' Read the text as a date with DATEVALUE(text, "MM/DD/YYYY").'
          : type.kind === 'DateTime' && expected === 'date'
            ? ' Take the day with DATEVALUE(FORMATDATE(value, "YYYY-MM-DD")).'
            : '';
    const message =
      expected === 'boolean'
        ? `This formula must give a Boolean (TRUE or FALSE), but it gives ${formatType(type)}.${hint}`
        : `The target field is ${formatType(fieldTypeToFormula(expected))} but this formula gives ${formatType(type)}.${hint}`;
    this.error(root, 'result-type', message);
  }
}

const changeTo = (text: string): FormulaFix => ({ title: `Change to ${text}`, text });

/**
 * "Unknown function LENGTH — Weft's LEN(text) does this": the function by meaning (names from
 * Excel, Sheets, Airtable and SQL), else the nearest by spelling.
 */
export function unknownFunctionMessage(name: string, known?: string | null): string {
  const upper = name.toUpperCase();
  const alias = Object.hasOwn(ALIASES, upper) ? ALIASES[upper] : undefined;
  if (alias) return `Unknown function ${name} — Weft's ${alias} does this`;
  // `known`: the suggestion already looked up (null: none); absent, it is looked up here.
  const hint = known === undefined ? suggest(name, functionNames()) : known;
  return `Unknown function ${name}.${hint ? ` Did you mean ${hint}?` : ''}`;
}
