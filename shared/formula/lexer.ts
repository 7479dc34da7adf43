// Turns formula text into tokens: one linear pass, no regular expressions over user text.
import { exactNumberFast } from '../graph/field-types';
import type { FormulaDiagnosticCode } from './diagnostics';

export type BinaryOp = '+' | '-' | '*' | '/' | '^' | '&' | '=' | '<>' | '!=' | '<' | '<=' | '>' | '>=';

export type Token =
  | { kind: 'number'; start: number; end: number; value: number }
  | { kind: 'string'; start: number; end: number; value: string }
  | { kind: 'field'; start: number; end: number; value: string }
  | { kind: 'ident'; start: number; end: number; value: string }
  | { kind: 'op'; start: number; end: number; value: BinaryOp }
  | { kind: 'lparen' | 'rparen' | 'comma' | 'ws' | 'eof'; start: number; end: number }
  | { kind: 'error'; start: number; end: number; code: FormulaDiagnosticCode; message: string };

const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029;

/**
 * A plain decimal (no exponent) a double cannot hold, such as 9007199254740993 or a 20-digit decimal: it would be
 * rounded silently. Numbers with an exponent are a double's own notation and are read as such.
 */
const tooPrecise = (written: string): boolean => written.length > 15 && !/[eE]/.test(written) && typeof exactNumberFast(written) === 'string';

/** Every token of the text, whitespace and errors included, ending with `eof`. */
export function lex(text: string): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const start = i;
    if (isSpace(c)) {
      while (i < n && isSpace(text.charCodeAt(i))) i++;
      out.push({ kind: 'ws', start, end: i });
    } else if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 46) {
        i++;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
      }
      const e = text.charCodeAt(i);
      if (e === 69 || e === 101) {
        let j = i + 1;
        const sign = text.charCodeAt(j);
        if (sign === 43 || sign === 45) j++;
        if (isDigit(text.charCodeAt(j))) {
          while (j < n && isDigit(text.charCodeAt(j))) j++;
          i = j;
        }
      }
      const written = text.slice(start, i);
      const value = Number(written);
      if (!Number.isFinite(value)) out.push({ kind: 'error', start, end: i, code: 'bad-number', message: 'This number is too large' });
      else if (tooPrecise(written)) {
        const message = `This number has more digits than a formula can compute with exactly (about 15): it would be ${String(value)}; write it as text ("${written}") or with fewer digits`;
        out.push({ kind: 'error', start, end: i, code: 'bad-number', message });
      } else out.push({ kind: 'number', start, end: i, value });
    } else if (c === 34 || c === 91) {
      // "text" with "" for a quote inside; [Field name] with ]] for a ] inside
      const text_ = c === 34;
      const read = readDelimited(text, i + 1, text_ ? '"' : ']');
      if (read) {
        i = read.end;
        out.push({ kind: text_ ? 'string' : 'field', start, end: i, value: read.value });
      } else {
        i = n;
        out.push(
          text_
            ? { kind: 'error', start, end: n, code: 'unclosed-string', message: 'Text is missing its closing quote (")' }
            : { kind: 'error', start, end: n, code: 'unclosed-field', message: 'Field name is missing its closing "]"' },
        );
      }
    } else if (isIdentStart(c)) {
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      out.push({ kind: 'ident', start, end: i, value: text.slice(start, i) });
    } else {
      i = lexPunctuation(text, i, out);
    }
  }
  out.push({ kind: 'eof', start: n, end: n });
  return out;
}

function lexPunctuation(text: string, i: number, out: Token[]): number {
  const start = i;
  const ch = text[i] ?? '';
  const next = text[i + 1] ?? '';
  const op = (value: BinaryOp, len: number) => {
    out.push({ kind: 'op', start, end: start + len, value });
    return start + len;
  };
  const bad = (len: number, message: string) => {
    out.push({ kind: 'error', start, end: start + len, code: 'bad-character', message });
    return start + len;
  };
  switch (ch) {
    case '(':
      out.push({ kind: 'lparen', start, end: start + 1 });
      return start + 1;
    case ')':
      out.push({ kind: 'rparen', start, end: start + 1 });
      return start + 1;
    case ',':
      out.push({ kind: 'comma', start, end: start + 1 });
      return start + 1;
    case '+':
    case '-':
    case '*':
    case '/':
    case '^':
      return op(ch, 1);
    case '&':
      return next === '&' ? bad(2, 'Use AND to combine conditions (not &&); & joins text') : op('&', 1);
    case '|':
      return next === '|' ? bad(2, 'Use OR to combine conditions (not ||)') : bad(1, 'Unexpected "|"; use OR to combine conditions');
    case '=':
      return next === '=' ? bad(2, 'Use = to compare (not ==)') : op('=', 1);
    case '!':
      return next === '=' ? op('!=', 2) : bad(1, 'Use NOT(...) to negate a condition (not !)');
    case '<':
      return next === '>' ? op('<>', 2) : next === '=' ? op('<=', 2) : op('<', 1);
    case '>':
      return next === '=' ? op('>=', 2) : op('>', 1);
    case "'":
      return bad(1, 'Text goes in double quotes ("), not single quotes');
    case ']':
      return bad(1, 'Unexpected "]": field names are written [Field name]');
    case ';':
      return bad(1, 'Separate arguments with a comma (,), not a semicolon');
    default: {
      const cp = text.codePointAt(i) ?? 0;
      const len = cp > 0xffff ? 2 : 1;
      return bad(len, `Unexpected character "${text.slice(i, i + len)}"`);
    }
  }
}

/** Reads up to the closing `close` from `from`, where a doubled `close` stands for one; null if never closed. */
function readDelimited(text: string, from: number, close: '"' | ']'): { value: string; end: number } | null {
  let value = '';
  let j = from;
  for (;;) {
    const q = text.indexOf(close, j);
    if (q < 0) return null;
    value += text.slice(j, q);
    if (text[q + 1] === close) {
      value += close;
      j = q + 2;
    } else {
      return { value, end: q + 1 };
    }
  }
}
