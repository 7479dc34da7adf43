// What the formula editor needs besides diagnostics: colouring tokens, signature help, completion.
import type { Field } from '../graph/field-types';
import type { FunctionSpec } from './function-spec';
import { FUNCTIONS, lookupFunction } from './functions';
import { lex, type Token } from './lexer';

export type TokenType = 'number' | 'string' | 'field' | 'function' | 'keyword' | 'operator' | 'paren' | 'comma' | 'whitespace' | 'error';

export interface FormulaToken {
  type: TokenType;
  start: number;
  end: number;
  /** The field name (unescaped) of a field token, the text of a string, the word of a function or keyword. */
  value?: string;
}

const KEYWORDS = new Set(['TRUE', 'FALSE', 'NULL', 'AND', 'OR', 'NOT']);

const significant = (t: Token | undefined) => t !== undefined && t.kind !== 'ws';

/** Every character of the text belongs to exactly one token, in order. */
export function tokenize(text: string): FormulaToken[] {
  const toks = lex(text);
  const out: FormulaToken[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] as Token;
    if (t.kind === 'eof') break;
    let type: TokenType;
    switch (t.kind) {
      case 'number':
      case 'string':
      case 'field':
      case 'error':
        type = t.kind;
        break;
      case 'ws':
        type = 'whitespace';
        break;
      case 'op':
        type = 'operator';
        break;
      case 'lparen':
      case 'rparen':
        type = 'paren';
        break;
      case 'comma':
        type = 'comma';
        break;
      case 'ident': {
        let j = i + 1;
        while (toks[j]?.kind === 'ws') j++;
        const call = toks[j]?.kind === 'lparen';
        const upper = t.value.toUpperCase();
        // AND/OR/NOT before "(" read as calls, except AND/OR where an operator is due: TRUE AND (x).
        let k = i - 1;
        while (k >= 0 && !significant(toks[k])) k--;
        const prev = toks[k];
        const operatorDue = prev !== undefined && (prev.kind === 'number' || prev.kind === 'string' || prev.kind === 'field' || prev.kind === 'rparen' || (prev.kind === 'ident' && ['TRUE', 'FALSE', 'NULL'].includes(prev.value.toUpperCase())));
        if (KEYWORDS.has(upper) && (!call || operatorDue || upper === 'TRUE' || upper === 'FALSE' || upper === 'NULL')) type = 'keyword';
        else type = call || lookupFunction(t.value) ? 'function' : 'error';
        break;
      }
      default:
        type = 'error';
    }
    const value = t.kind === 'field' || t.kind === 'string' ? t.value : t.kind === 'ident' ? t.value : undefined;
    out.push(value === undefined ? { type, start: t.start, end: t.end } : { type, start: t.start, end: t.end, value });
  }
  return out;
}

export interface SignatureAt {
  /** The function's canonical (upper-case) name, or the name as written when it is unknown. */
  name: string;
  /** 0-based index of the argument the offset is in. */
  argIndex: number;
  /** Offset of the function name. */
  start: number;
  spec: FunctionSpec | null;
}

/** The innermost function call whose argument list contains `offset`, for signature help. */
export function functionAt(text: string, offset: number): SignatureAt | null {
  const toks = lex(text);
  const stack: ({ name: string; start: number; argIndex: number } | null)[] = [];
  let prev: Token | undefined;
  for (const t of toks) {
    if (t.kind === 'eof' || t.start >= offset) break;
    if (t.kind === 'lparen') {
      stack.push(prev?.kind === 'ident' ? { name: prev.value, start: prev.start, argIndex: 0 } : null);
    } else if (t.kind === 'rparen') {
      stack.pop();
    } else if (t.kind === 'comma') {
      const top = stack[stack.length - 1];
      if (top) top.argIndex++;
    }
    if (t.kind !== 'ws') prev = t;
  }
  for (let i = stack.length - 1; i >= 0; i--) {
    const frame = stack[i];
    // A grouping "(" is not a call: the enclosing call's signature still applies.
    if (!frame) continue;
    const spec = lookupFunction(frame.name) ?? null;
    return { name: spec ? spec.name : frame.name, argIndex: frame.argIndex, start: frame.start, spec };
  }
  return null;
}

export interface Completion {
  label: string;
  kind: 'field' | 'function' | 'keyword';
  /** Text to put in place of the range from..to. */
  insertText: string;
  detail: string;
}

export interface CompletionsAt {
  from: number;
  to: number;
  items: Completion[];
}

/** Fields inside an open "[", otherwise functions, keywords and fields matching the word typed. */
export function completionsAt(text: string, offset: number, fields: readonly Field[]): CompletionsAt {
  const toks = lex(text);
  const at = toks.find((t) => t.start < offset && offset <= t.end && t.kind !== 'eof' && t.kind !== 'ws');
  const escape = (name: string) => `[${name.replace(/]/g, ']]')}]`;
  const fieldItems = (prefix: string): Completion[] =>
    fields
      .filter((f) => f.name.toLowerCase().includes(prefix.toLowerCase()))
      .map((f) => ({ label: f.name, kind: 'field', insertText: escape(f.name), detail: f.type }));
  if (at && (at.kind === 'field' || (at.kind === 'error' && text[at.start] === '['))) {
    const end = at.kind === 'field' ? at.end : offset;
    return { from: at.start, to: end, items: fieldItems(text.slice(at.start + 1, offset)) };
  }
  if (at && at.kind === 'ident') {
    const prefix = text.slice(at.start, offset).toUpperCase();
    const fns: Completion[] = FUNCTIONS.filter((f) => f.name.startsWith(prefix)).map((f) => ({ label: f.name, kind: 'function', insertText: `${f.name}(`, detail: f.signature }));
    const kws: Completion[] = [...KEYWORDS].filter((k) => k.startsWith(prefix)).map((k) => ({ label: k, kind: 'keyword', insertText: k, detail: 'keyword' }));
    return { from: at.start, to: at.end, items: [...fns, ...kws, ...fieldItems(prefix)] };
  }
  return {
    from: offset,
    to: offset,
    items: [
      ...fieldItems(''),
      ...FUNCTIONS.map((f): Completion => ({ label: f.name, kind: 'function', insertText: `${f.name}(`, detail: f.signature })),
    ],
  };
}
