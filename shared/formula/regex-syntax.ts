// Parses Weft's regular expressions (a JavaScript-like subset) and refuses the unsafe constructs.
import { LIMITS } from './limits';

export type RNode =
  | { t: 'empty' }
  | { t: 'char'; cp: number }
  /** `.`: any character except a line terminator. */
  | { t: 'any' }
  /** Sorted, merged inclusive code point ranges [lo0, hi0, lo1, hi1, ...]. */
  | { t: 'set'; ranges: number[]; neg: boolean }
  | { t: 'bol' }
  | { t: 'eol' }
  | { t: 'wordb'; neg: boolean }
  | { t: 'cat'; items: RNode[] }
  | { t: 'alt'; alts: RNode[] }
  | { t: 'group'; index: number | null; body: RNode }
  | { t: 'rep'; body: RNode; min: number; max: number; greedy: boolean };

export interface RegexSyntax {
  root: RNode;
  /** Capture groups, not counting the whole match (group 0). */
  groups: number;
  ignoreCase: boolean;
}

export class RegexError {
  constructor(
    readonly code: 'regex-invalid' | 'regex-unsafe',
    readonly message: string,
  ) {}
}

const MAX_COUNT = 1000;
const MAX_DEPTH = 32;
const MAX_CP = 0x10ffff;

export const DIGIT = [48, 57];
export const WORD = [48, 57, 65, 90, 95, 95, 97, 122];
export const SPACE = [9, 13, 32, 32, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff];

export function normalizeRanges(r: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < r.length; i += 2) pairs.push([r[i] as number, r[i + 1] as number]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const last = out.length - 1;
    if (out.length && lo <= (out[last] as number) + 1) out[last] = Math.max(out[last] as number, hi);
    else out.push(lo, hi);
  }
  return out;
}

export function complementRanges(r: number[]): number[] {
  const n = normalizeRanges(r);
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < n.length; i += 2) {
    if ((n[i] as number) > next) out.push(next, (n[i] as number) - 1);
    next = (n[i + 1] as number) + 1;
  }
  if (next <= MAX_CP) out.push(next, MAX_CP);
  return out;
}

/** Parses a pattern; throws RegexError with a message a non-engineer can act on. */
export function parseRegex(pattern: string): RegexSyntax {
  if (pattern.length > LIMITS.regexPatternLength) {
    throw new RegexError('regex-unsafe', `The pattern is too long (the limit is ${LIMITS.regexPatternLength} characters)`);
  }
  const p = new RegexParser(pattern);
  const syntax = p.parse();
  checkSafety(syntax.root);
  if (programSize(syntax.root) > LIMITS.regexProgramSize) {
    throw new RegexError('regex-unsafe', 'The pattern is too complex once its repeats are counted out; use smaller {n,m} counts');
  }
  return syntax;
}

class RegexParser {
  private i = 0;
  private groups = 0;
  private depth = 0;
  private ignoreCase = false;

  constructor(private readonly s: string) {}

  /** Where the construct being read began: errors point there, not past it. */
  private at = 0;

  private err(message: string, code: 'regex-invalid' | 'regex-unsafe' = 'regex-invalid'): never {
    throw new RegexError(code, `${message} (at character ${Math.min(this.at, this.i) + 1} of the pattern)`);
  }

  parse(): RegexSyntax {
    if (this.s.startsWith('(?i)')) {
      this.ignoreCase = true;
      this.i = 4;
    }
    const root = this.parseAlt();
    this.at = this.i;
    if (this.i < this.s.length) this.err('Unmatched ")"');
    return { root, groups: this.groups, ignoreCase: this.ignoreCase };
  }

  private parseAlt(): RNode {
    const alts = [this.parseCat()];
    while (this.s[this.i] === '|') {
      this.i++;
      alts.push(this.parseCat());
    }
    return alts.length === 1 ? (alts[0] as RNode) : { t: 'alt', alts };
  }

  private parseCat(): RNode {
    const items: RNode[] = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      const atom = this.parseAtom();
      items.push(this.parseQuantifier(atom));
    }
    if (items.length === 0) return { t: 'empty' };
    return items.length === 1 ? (items[0] as RNode) : { t: 'cat', items };
  }

  private parseQuantifier(atom: RNode): RNode {
    this.at = this.i;
    const c = this.s[this.i];
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i, this.i + 16));
      if (!m) this.err('Use \\{ for a literal {');
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (min > MAX_COUNT || (max !== Infinity && max > MAX_COUNT)) this.err(`Repeat counts go up to ${MAX_COUNT}`, 'regex-unsafe');
      if (max < min) this.err('In {n,m}, n must not be greater than m');
      this.i += m[0].length - 1;
    } else return atom;
    this.i++;
    if (atom.t === 'bol' || atom.t === 'eol' || atom.t === 'wordb') this.err('An anchor (^, $, \\b) cannot be repeated');
    let greedy = true;
    if (this.s[this.i] === '?') {
      greedy = false;
      this.i++;
    }
    const after = this.s[this.i];
    if (after === '*' || after === '+' || after === '?' || after === '{') this.err('Nothing to repeat: a repeat follows a repeat');
    return { t: 'rep', body: atom, min, max, greedy };
  }

  private parseAtom(): RNode {
    this.at = this.i;
    const c = this.s[this.i] as string;
    switch (c) {
      case '(':
        return this.parseGroup();
      case '[':
        return this.parseClass();
      case '.':
        this.i++;
        return { t: 'any' };
      case '^':
        this.i++;
        return { t: 'bol' };
      case '$':
        this.i++;
        return { t: 'eol' };
      case '\\':
        return this.parseEscape(false);
      case '*':
      case '+':
      case '?':
        return this.err(`Nothing to repeat before "${c}"`);
      case '{':
        return this.err('Use \\{ for a literal {');
      default: {
        const cp = this.s.codePointAt(this.i) as number;
        this.i += cp > 0xffff ? 2 : 1;
        return { t: 'char', cp };
      }
    }
  }

  private parseGroup(): RNode {
    const open = this.i;
    if (++this.depth > MAX_DEPTH) this.err(`Groups nest too deeply (more than ${MAX_DEPTH})`, 'regex-unsafe');
    this.i++;
    let index: number | null = null;
    const rest = this.s.slice(this.i, this.i + 3);
    if (rest.startsWith('?:')) {
      this.i += 2;
    } else if (rest.startsWith('?=') || rest.startsWith('?!') || rest.startsWith('?<=') || rest.startsWith('?<!')) {
      this.err('Lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not supported');
    } else if (rest.startsWith('?<')) {
      const close = this.s.indexOf('>', this.i);
      if (close < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(this.s.slice(this.i + 2, close))) this.err('Invalid group name');
      this.i = close + 1;
      index = ++this.groups;
    } else if (rest.startsWith('?')) {
      this.err('Unsupported group: (? must be followed by : or <name>; (?i) is allowed only at the very start');
    } else {
      index = ++this.groups;
    }
    const body = this.parseAlt();
    if (this.s[this.i] !== ')') {
      this.at = open;
      this.err('Missing ")" to close this "("');
    }
    this.i++;
    this.depth--;
    return { t: 'group', index, body };
  }

  /** An escape outside or inside [...]; returns a char, a set, or (outside) an assertion. */
  private parseEscape(inClass: boolean): RNode {
    this.at = this.i;
    this.i++;
    const c = this.s[this.i];
    if (c === undefined) this.err('The pattern ends with a lone backslash');
    this.i++;
    switch (c) {
      case 'd':
        return { t: 'set', ranges: DIGIT, neg: false };
      case 'D':
        return { t: 'set', ranges: DIGIT, neg: true };
      case 'w':
        return { t: 'set', ranges: WORD, neg: false };
      case 'W':
        return { t: 'set', ranges: WORD, neg: true };
      case 's':
        return { t: 'set', ranges: SPACE, neg: false };
      case 'S':
        return { t: 'set', ranges: SPACE, neg: true };
      case 'b':
        return inClass ? { t: 'char', cp: 8 } : { t: 'wordb', neg: false };
      case 'B':
        if (inClass) this.err('\\B cannot be used inside [...]');
        return { t: 'wordb', neg: true };
      case 't':
        return { t: 'char', cp: 9 };
      case 'n':
        return { t: 'char', cp: 10 };
      case 'v':
        return { t: 'char', cp: 11 };
      case 'f':
        return { t: 'char', cp: 12 };
      case 'r':
        return { t: 'char', cp: 13 };
      case '0':
        if (/[0-9]/.test(this.s[this.i] ?? '')) this.err('Octal escapes are not supported');
        return { t: 'char', cp: 0 };
      case 'x': {
        const hex = this.s.slice(this.i, this.i + 2);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) this.err('\\x needs two hex digits');
        this.i += 2;
        return { t: 'char', cp: parseInt(hex, 16) };
      }
      case 'u': {
        let hex: string;
        if (this.s[this.i] === '{') {
          const close = this.s.indexOf('}', this.i);
          hex = close < 0 ? '' : this.s.slice(this.i + 1, close);
          if (!/^[0-9A-Fa-f]{1,6}$/.test(hex) || parseInt(hex, 16) > MAX_CP) this.err('\\u{...} needs a hex code point');
          this.i = close + 1;
        } else {
          hex = this.s.slice(this.i, this.i + 4);
          if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.err('\\u needs four hex digits');
          this.i += 4;
        }
        return { t: 'char', cp: parseInt(hex, 16) };
      }
      case 'k':
        return this.err('Backreferences (\\k<name>) are not supported: they can make matching take exponential time', 'regex-unsafe');
      case 'p':
      case 'P':
        return this.err('Unicode property escapes (\\p{...}) are not supported');
      default:
        if (/[1-9]/.test(c)) this.err(`Backreferences (\\${c}) are not supported: they can make matching take exponential time`, 'regex-unsafe');
        if (/[A-Za-z0-9]/.test(c)) this.err(`Unknown escape \\${c}`);
        return { t: 'char', cp: this.s.codePointAt(this.i - 1) as number };
    }
  }

  private parseClass(): RNode {
    const open = this.i;
    this.i++;
    let neg = false;
    if (this.s[this.i] === '^') {
      neg = true;
      this.i++;
    }
    const ranges: number[] = [];
    let first = true;
    for (;;) {
      if (this.i >= this.s.length) {
        this.at = open;
        this.err('Missing "]" to close "["');
      }
      if (this.s[this.i] === ']') {
        if (first) this.err('Empty character class []; write \\] for a literal ]');
        this.i++;
        break;
      }
      first = false;
      const lo = this.classAtom();
      if (typeof lo === 'number' && this.s[this.i] === '-' && this.s[this.i + 1] !== ']' && this.i + 1 < this.s.length) {
        this.i++;
        const hi = this.classAtom();
        if (typeof hi !== 'number') this.err('A range in [...] must be between two characters');
        if (hi < lo) this.err('Range out of order in [...]');
        ranges.push(lo, hi);
      } else if (typeof lo === 'number') {
        ranges.push(lo, lo);
      } else {
        ranges.push(...lo);
      }
    }
    return { t: 'set', ranges: normalizeRanges(ranges), neg };
  }

  /** A character, or the ranges of an escape such as \d (negated escapes complemented). */
  private classAtom(): number | number[] {
    if (this.s[this.i] === '\\') {
      const e = this.parseEscape(true);
      if (e.t === 'char') return e.cp;
      if (e.t === 'set') return e.neg ? complementRanges(e.ranges) : e.ranges;
      return this.err('Unsupported escape inside [...]');
    }
    const cp = this.s.codePointAt(this.i) as number;
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }
}

const variable = (n: RNode) => n.t === 'rep' && n.min !== n.max;

function containsVariableRepeat(n: RNode): boolean {
  switch (n.t) {
    case 'rep':
      return variable(n) || containsVariableRepeat(n.body);
    case 'group':
      return containsVariableRepeat(n.body);
    case 'cat':
      return n.items.some(containsVariableRepeat);
    case 'alt':
      return n.alts.some(containsVariableRepeat);
    default:
      return false;
  }
}

/** Whether the node can match without consuming text (assertions are zero-width). */
function nullable(n: RNode): boolean {
  switch (n.t) {
    case 'empty':
    case 'bol':
    case 'eol':
    case 'wordb':
      return true;
    case 'char':
    case 'any':
    case 'set':
      return false;
    case 'cat':
      return n.items.every(nullable);
    case 'alt':
      return n.alts.some(nullable);
    case 'group':
      return nullable(n.body);
    case 'rep':
      return n.min === 0 || nullable(n.body);
  }
}

/**
 * Refuses nested variable repetition such as (a+)+, (a*)*, (a?){2,9}: the classic shape of
 * catastrophic backtracking. Weft's matcher is linear anyway; refusing them keeps a formula
 * meaning the same in every engine and keeps compiled patterns small.
 */
function checkSafety(n: RNode): void {
  switch (n.t) {
    case 'rep':
      if (variable(n) && containsVariableRepeat(n.body)) {
        throw new RegexError('regex-unsafe', 'Nested repetition such as (a+)+ is not allowed: it can take exponential time; repeat once, e.g. (a)+ or a+');
      }
      // JavaScript gives up on a repeat the moment an iteration matches nothing; refusing such
      // repeats keeps Weft's matches identical to JavaScript's.
      if (variable(n) && nullable(n.body)) {
        throw new RegexError('regex-invalid', 'A repeat of something that can match empty text, such as (a|)* or (\\b)+, is not allowed');
      }
      checkSafety(n.body);
      return;
    case 'group':
      checkSafety(n.body);
      return;
    case 'cat':
      n.items.forEach(checkSafety);
      return;
    case 'alt':
      n.alts.forEach(checkSafety);
      return;
    default:
      return;
  }
}

/** Instructions the compiled program will have (see regex-vm.ts). */
export function programSize(n: RNode): number {
  switch (n.t) {
    case 'empty':
      return 0;
    case 'cat':
      return n.items.reduce((s, x) => s + programSize(x), 0);
    case 'alt':
      return n.alts.reduce((s, x) => s + programSize(x) + 2, 0);
    case 'group':
      return programSize(n.body) + (n.index === null ? 0 : 2);
    case 'rep': {
      const body = programSize(n.body);
      const copies = n.max === Infinity ? n.min + 1 : n.max;
      return copies * (body + 2);
    }
    default:
      return 1;
  }
}
