// What the formula editor needs besides diagnostics: colouring tokens and signature help (completion: completion.ts).
import type { FunctionSpec } from './function-spec';
import { lookupFunction } from './functions';
import { lex, type Token } from './lexer';

export type TokenType = 'number' | 'string' | 'field' | 'function' | 'keyword' | 'operator' | 'paren' | 'comma' | 'whitespace' | 'error';

export interface FormulaToken {
  type: TokenType;
  start: number;
  end: number;
  /** The field name (unescaped) of a field token, the text of a string, the word of a function or keyword. */
  value?: string;
}

/** The words of the language that are not functions. */
export const KEYWORDS = ['TRUE', 'FALSE', 'NULL', 'AND', 'OR', 'NOT'] as const;
export type Keyword = (typeof KEYWORDS)[number];
const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS);

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
        if (KEYWORD_SET.has(upper) && (!call || operatorDue || upper === 'TRUE' || upper === 'FALSE' || upper === 'NULL')) type = 'keyword';
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
