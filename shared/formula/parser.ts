// Recursive descent over the token list, Excel-like precedence, depth checked before recursing.
import type { ChainLevel, ChainOp, CompareOp, Node } from './ast';
import type { FormulaDiagnostic, FormulaDiagnosticCode } from './diagnostics';
import { lex, type Token } from './lexer';
import { LIMITS } from './limits';

export interface ParseResult {
  ast: Node | null;
  diagnostics: FormulaDiagnostic[];
}

class ParseError {
  constructor(
    readonly code: FormulaDiagnosticCode,
    readonly message: string,
    readonly start: number,
    readonly end: number,
  ) {}
}

const COMPARE = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);
const KEYWORDS = new Set(['TRUE', 'FALSE', 'NULL', 'AND', 'OR', 'NOT']);

export function parse(text: string): ParseResult {
  if (text.length > LIMITS.formulaLength) {
    const message = `The formula is too long: ${text.length.toLocaleString('en-US')} characters (the limit is ${LIMITS.formulaLength.toLocaleString('en-US')})`;
    return { ast: null, diagnostics: [{ code: 'too-long', message, start: LIMITS.formulaLength, end: text.length, severity: 'error' }] };
  }
  const tokens = lex(text).filter((t) => t.kind !== 'ws');
  if (tokens.length === 1) {
    return { ast: null, diagnostics: [{ code: 'empty', message: 'The formula is empty', start: 0, end: text.length, severity: 'error' }] };
  }
  try {
    const p = new Parser(tokens, text);
    const ast = p.parseExpr();
    p.expectEnd();
    return { ast, diagnostics: [] };
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    return { ast: null, diagnostics: [{ code: e.code, message: e.message, start: e.start, end: e.end, severity: 'error' }] };
  }
}

const describe = (t: Token, text: string): string => {
  switch (t.kind) {
    case 'eof':
      return 'the end of the formula';
    case 'string':
      return 'text';
    case 'field':
      return `field ${text.slice(t.start, t.end)}`;
    case 'number':
      return `number ${text.slice(t.start, t.end)}`;
    default:
      return `"${text.slice(t.start, t.end)}"`;
  }
};

class Parser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly toks: Token[],
    private readonly text: string,
  ) {}

  private peek(offset = 0): Token {
    return this.toks[Math.min(this.i + offset, this.toks.length - 1)] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private fail(code: FormulaDiagnosticCode, message: string, start: number, end: number): never {
    throw new ParseError(code, message, start, end);
  }

  private isWord(t: Token, word: string): boolean {
    return t.kind === 'ident' && t.value.toUpperCase() === word;
  }

  /** Enters one nesting level; the limit is checked before any recursion happens. */
  private enter(at: Token): void {
    if (++this.depth > LIMITS.nestingDepth) {
      this.fail('too-deep', `The formula nests too deeply (more than ${LIMITS.nestingDepth} levels)`, at.start, at.end);
    }
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind === 'eof') return;
    if (t.kind === 'error') this.fail(t.code, t.message, t.start, t.end);
    if (t.kind === 'rparen') this.fail('unexpected-token', 'Unexpected ")": there is no "(" to close', t.start, t.end);
    if (t.kind === 'comma') this.fail('unexpected-token', 'Unexpected ",": commas separate the arguments of a function call', t.start, t.end);
    if (this.startsValue(t)) this.fail('unexpected-token', `Missing an operator before ${describe(t, this.text)}`, t.start, t.end);
    if (t.kind === 'op' && COMPARE.has(t.value)) {
      this.fail('chained-comparison', 'Comparisons cannot be chained: write AND(a < b, b < c)', t.start, t.end);
    }
    if (t.kind === 'ident' && this.isWord(t, 'NOT')) this.fail('unexpected-token', 'NOT goes before a condition: NOT [Done] or NOT([Done])', t.start, t.end);
    this.fail('unexpected-token', `Unexpected ${describe(t, this.text)}`, t.start, t.end);
  }

  private startsValue(t: Token): boolean {
    return t.kind === 'number' || t.kind === 'string' || t.kind === 'field' || t.kind === 'ident' || t.kind === 'lparen';
  }

  parseExpr(): Node {
    return this.parseOr();
  }

  private chain(level: ChainLevel, ops: ChainOp[], operands: Node[]): Node {
    if (operands.length === 1) return operands[0] as Node;
    const first = operands[0] as Node;
    const last = operands[operands.length - 1] as Node;
    return { k: 'chain', level, ops, operands, start: first.start, end: last.end };
  }

  private parseKeywordChain(level: 'or' | 'and', word: 'OR' | 'AND', operand: () => Node): Node {
    const operands = [operand()];
    const ops: ChainOp[] = [];
    while (this.isWord(this.peek(), word)) {
      const op = this.next();
      this.requireOperand(op);
      ops.push(word);
      operands.push(operand());
    }
    return this.chain(level, ops, operands);
  }

  private parseOr(): Node {
    return this.parseKeywordChain('or', 'OR', () => this.parseAnd());
  }

  private parseAnd(): Node {
    return this.parseKeywordChain('and', 'AND', () => this.parseNot());
  }

  private parseNot(): Node {
    const t = this.peek();
    // NOT(x) reads as the function; NOT x as the prefix operator. Same meaning either way.
    if (this.isWord(t, 'NOT') && this.peek(1).kind !== 'lparen') {
      this.next();
      this.requireOperand(t);
      this.enter(t);
      const operand = this.parseNot();
      this.depth--;
      return { k: 'not', operand, start: t.start, end: operand.end };
    }
    return this.parseCompare();
  }

  private parseCompare(): Node {
    const left = this.parseConcat();
    const t = this.peek();
    if (t.kind !== 'op' || !COMPARE.has(t.value)) return left;
    this.next();
    this.requireOperand(t);
    const right = this.parseConcat();
    const again = this.peek();
    if (again.kind === 'op' && COMPARE.has(again.value)) {
      this.fail('chained-comparison', 'Comparisons cannot be chained: write AND(a < b, b < c)', again.start, again.end);
    }
    return { k: 'compare', op: t.value as CompareOp, left, right, start: left.start, end: right.end };
  }

  private parseBinaryChain(level: ChainLevel, accepts: readonly string[], operand: () => Node): Node {
    const operands = [operand()];
    const ops: ChainOp[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || !accepts.includes(t.value)) break;
      this.next();
      this.requireOperand(t);
      ops.push(t.value as ChainOp);
      operands.push(operand());
    }
    return this.chain(level, ops, operands);
  }

  private parseConcat(): Node {
    return this.parseBinaryChain('concat', ['&'], () => this.parseAdd());
  }

  private parseAdd(): Node {
    return this.parseBinaryChain('add', ['+', '-'], () => this.parseMul());
  }

  private parseMul(): Node {
    return this.parseBinaryChain('mul', ['*', '/'], () => this.parsePow());
  }

  private parsePow(): Node {
    return this.parseBinaryChain('pow', ['^'], () => this.parseUnary());
  }

  /** Excel: a prefix minus binds tighter than ^, so -2^2 is 4. */
  private parseUnary(): Node {
    const t = this.peek();
    if (t.kind === 'op' && (t.value === '-' || t.value === '+')) {
      this.next();
      this.requireOperand(t);
      this.enter(t);
      const operand = this.parseUnary();
      this.depth--;
      return { k: 'neg', op: t.value, operand, start: t.start, end: operand.end };
    }
    return this.parsePrimary();
  }

  /** After an operator, a value must follow: say so at the operator, not at the next token. */
  private requireOperand(op: Token): void {
    const t = this.peek();
    if (t.kind === 'eof') this.fail('unexpected-token', `Expected a value after "${this.text.slice(op.start, op.end)}"`, op.start, op.end);
    if (t.kind === 'rparen' || t.kind === 'comma' || (t.kind === 'op' && t.value !== '-' && t.value !== '+')) {
      this.fail('unexpected-token', `Expected a value after "${this.text.slice(op.start, op.end)}" but found ${describe(t, this.text)}`, t.start, t.end);
    }
  }

  private parsePrimary(): Node {
    const t = this.next();
    switch (t.kind) {
      case 'number':
        return { k: 'num', value: t.value, start: t.start, end: t.end };
      case 'string':
        return { k: 'str', value: t.value, start: t.start, end: t.end };
      case 'field':
        if (t.value === '') this.fail('unknown-field', 'Empty field name: write [Field name]', t.start, t.end);
        return { k: 'field', name: t.value, start: t.start, end: t.end };
      case 'ident':
        return this.parseWord(t);
      case 'lparen': {
        this.enter(t);
        if (this.peek().kind === 'rparen') this.fail('unexpected-token', 'Empty parentheses: put a value inside', t.start, this.peek().end);
        const inner = this.parseExpr();
        this.closeParen(t);
        this.depth--;
        // The parentheses belong to the value: "([A] - 1)" is what an error about it should show.
        inner.start = t.start;
        inner.end = (this.toks[this.i - 1] as Token).end;
        return inner;
      }
      case 'error':
        return this.fail(t.code, t.message, t.start, t.end);
      case 'eof':
        return this.fail('unexpected-token', 'Expected a value at the end of the formula', t.start, t.end);
      case 'rparen':
        return this.fail('unexpected-token', 'Expected a value but found ")"', t.start, t.end);
      case 'comma':
        return this.fail('unexpected-token', 'Expected a value but found ","', t.start, t.end);
      default:
        return this.fail('unexpected-token', `Expected a value but found ${describe(t, this.text)}`, t.start, t.end);
    }
  }

  private closeParen(open: Token): void {
    const t = this.peek();
    if (t.kind === 'rparen') {
      this.next();
      return;
    }
    if (t.kind === 'eof') this.fail('unclosed-paren', 'This "(" is never closed: add ")"', open.start, open.end);
    if (t.kind === 'error') this.fail(t.code, t.message, t.start, t.end);
    if (this.startsValue(t)) this.fail('unexpected-token', `Missing an operator or ")" before ${describe(t, this.text)}`, t.start, t.end);
    this.fail('unexpected-token', `Expected ")" but found ${describe(t, this.text)}`, t.start, t.end);
  }

  private parseWord(t: Extract<Token, { kind: 'ident' }>): Node {
    const upper = t.value.toUpperCase();
    const open = this.peek();
    if (open.kind === 'lparen') return this.parseCall(t, open);
    if (upper === 'TRUE' || upper === 'FALSE') return { k: 'bool', value: upper === 'TRUE', start: t.start, end: t.end };
    if (upper === 'NULL') return { k: 'null', start: t.start, end: t.end };
    if (KEYWORDS.has(upper)) this.fail('unexpected-token', `Expected a value but found ${upper}`, t.start, t.end);
    return { k: 'name', name: t.value, start: t.start, end: t.end };
  }

  private parseCall(name: Extract<Token, { kind: 'ident' }>, open: Token): Node {
    this.next();
    this.enter(open);
    const args: Node[] = [];
    if (this.peek().kind === 'rparen') {
      this.next();
    } else {
      for (;;) {
        const t = this.peek();
        if (t.kind === 'comma' || t.kind === 'rparen') {
          const where = args.length === 0 ? 'before the first ","' : `after argument ${args.length}`;
          this.fail('unexpected-token', `Missing an argument ${where} of ${name.value}`, t.start, t.end);
        }
        if (t.kind === 'eof') this.fail('unclosed-paren', `This "(" of ${name.value} is never closed: add ")"`, open.start, open.end);
        args.push(this.parseExpr());
        const sep = this.peek();
        if (sep.kind === 'comma') {
          this.next();
          continue;
        }
        if (sep.kind === 'rparen') {
          this.next();
          break;
        }
        if (sep.kind === 'eof') this.fail('unclosed-paren', `This "(" of ${name.value} is never closed: add ")"`, open.start, open.end);
        if (sep.kind === 'error') this.fail(sep.code, sep.message, sep.start, sep.end);
        this.fail('unexpected-token', `Expected "," or ")" after argument ${args.length} of ${name.value} but found ${describe(sep, this.text)}`, sep.start, sep.end);
      }
    }
    this.depth--;
    const close = this.toks[this.i - 1] as Token;
    return { k: 'call', name: name.value, nameEnd: name.end, args, start: name.start, end: close.end };
  }
}
