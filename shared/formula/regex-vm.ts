// A Pike VM for Weft's regular expressions: time linear in the text, whatever the pattern.
import { LIMITS } from './limits';
import type { RNode, RegexSyntax } from './regex-syntax';

const CHAR = 0;
const ANY = 1;
const SET = 2;
const SPLIT = 3;
const JMP = 4;
const SAVE = 5;
const BOL = 6;
const EOL = 7;
const WB = 8;
const NWB = 9;
const MATCH = 10;

/** What a match attempt can end in: the pattern matched, did not, or hit the step ceiling. */
export const TOO_MANY_STEPS = 'too-many-steps';

export interface CompiledRegex {
  readonly groups: number;
  test(input: string): boolean | typeof TOO_MANY_STEPS;
  /** The whole match and each group's text (null when a group took no part), or null. */
  exec(input: string): (string | null)[] | null | typeof TOO_MANY_STEPS;
}

interface CharSet {
  ranges: number[];
  neg: boolean;
}

const lowerCp = (cp: number): number => {
  if (cp < 128) return cp >= 65 && cp <= 90 ? cp + 32 : cp;
  const s = String.fromCodePoint(cp).toLowerCase();
  const l = s.codePointAt(0) as number;
  return s.length === (l > 0xffff ? 2 : 1) ? l : cp;
};
const upperCp = (cp: number): number => {
  if (cp < 128) return cp >= 97 && cp <= 122 ? cp - 32 : cp;
  const s = String.fromCodePoint(cp).toUpperCase();
  const u = s.codePointAt(0) as number;
  return s.length === (u > 0xffff ? 2 : 1) ? u : cp;
};

function inRanges(r: number[], cp: number): boolean {
  let lo = 0;
  let hi = r.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < (r[mid * 2] as number)) hi = mid - 1;
    else if (cp > (r[mid * 2 + 1] as number)) lo = mid + 1;
    else return true;
  }
  return false;
}

const isWordCp = (cp: number) => (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) || cp === 95;
const isLineTerminator = (cp: number) => cp === 10 || cp === 13 || cp === 0x2028 || cp === 0x2029;

export function compileRegex(syntax: RegexSyntax): CompiledRegex {
  const op: number[] = [];
  const x: number[] = [];
  const y: number[] = [];
  const sets: CharSet[] = [];
  const ic = syntax.ignoreCase;
  const emit = (o: number, a = 0, b = 0) => {
    op.push(o);
    x.push(a);
    y.push(b);
    return op.length - 1;
  };
  const gen = (n: RNode): void => {
    switch (n.t) {
      case 'empty':
        return;
      case 'char':
        emit(CHAR, ic ? lowerCp(n.cp) : n.cp);
        return;
      case 'any':
        emit(ANY);
        return;
      case 'set':
        sets.push({ ranges: n.ranges, neg: n.neg });
        emit(SET, sets.length - 1);
        return;
      case 'bol':
        emit(BOL);
        return;
      case 'eol':
        emit(EOL);
        return;
      case 'wordb':
        emit(n.neg ? NWB : WB);
        return;
      case 'cat':
        n.items.forEach(gen);
        return;
      case 'alt': {
        const jumps: number[] = [];
        n.alts.forEach((alt, k) => {
          if (k < n.alts.length - 1) {
            const split = emit(SPLIT);
            x[split] = split + 1;
            gen(alt);
            jumps.push(emit(JMP));
            y[split] = op.length;
          } else gen(alt);
        });
        for (const j of jumps) x[j] = op.length;
        return;
      }
      case 'group':
        if (n.index !== null) emit(SAVE, n.index * 2);
        gen(n.body);
        if (n.index !== null) emit(SAVE, n.index * 2 + 1);
        return;
      case 'rep': {
        for (let k = 0; k < n.min; k++) gen(n.body);
        if (n.max === Infinity) {
          const loop = emit(SPLIT);
          gen(n.body);
          emit(JMP, loop);
          const [body, out] = [loop + 1, op.length];
          x[loop] = n.greedy ? body : out;
          y[loop] = n.greedy ? out : body;
        } else {
          const splits: number[] = [];
          for (let k = n.min; k < n.max; k++) {
            splits.push(emit(SPLIT));
            gen(n.body);
          }
          for (const s of splits) {
            x[s] = n.greedy ? s + 1 : op.length;
            y[s] = n.greedy ? op.length : s + 1;
          }
        }
        return;
      }
    }
  };
  emit(SAVE, 0);
  gen(syntax.root);
  emit(SAVE, 1);
  emit(MATCH);
  const root = syntax.root;
  const anchored = root.t === 'bol' || (root.t === 'cat' && root.items[0]?.t === 'bol');
  return new PikeVm(Int32Array.from(op), Int32Array.from(x), Int32Array.from(y), sets, ic, anchored, syntax.groups);
}

class ThreadList {
  pcs: Int32Array;
  caps: (number[] | null)[];
  n = 0;
  constructor(size: number) {
    this.pcs = new Int32Array(size);
    this.caps = new Array<number[] | null>(size).fill(null);
  }
}

class PikeVm implements CompiledRegex {
  private readonly mark: Uint32Array;
  private gen = 0;
  private a: ThreadList;
  private b: ThreadList;
  private readonly stackPc: number[] = [];
  private readonly stackCaps: (number[] | null)[] = [];

  constructor(
    private readonly op: Int32Array,
    private readonly x: Int32Array,
    private readonly y: Int32Array,
    private readonly sets: CharSet[],
    private readonly ic: boolean,
    private readonly anchored: boolean,
    readonly groups: number,
  ) {
    this.mark = new Uint32Array(op.length);
    this.a = new ThreadList(op.length);
    this.b = new ThreadList(op.length);
  }

  test(input: string) {
    const r = this.run(input, false);
    return r === TOO_MANY_STEPS ? r : r !== null;
  }

  exec(input: string) {
    const r = this.run(input, true);
    if (r === null || r === TOO_MANY_STEPS) return r;
    const out: (string | null)[] = [];
    for (let g = 0; g <= this.groups; g++) {
      const s = r[g * 2] as number;
      const e = r[g * 2 + 1] as number;
      out.push(s >= 0 && e >= 0 ? input.slice(s, e) : null);
    }
    return out;
  }

  private matchesSet(set: CharSet, cp: number): boolean {
    let hit = inRanges(set.ranges, cp);
    if (!hit && this.ic) hit = inRanges(set.ranges, lowerCp(cp)) || inRanges(set.ranges, upperCp(cp));
    return hit !== set.neg;
  }

  /** Follows jumps, splits, saves and assertions from pc at pos, in priority order. */
  private add(list: ThreadList, pc0: number, caps0: number[] | null, input: string, pos: number): void {
    const { op, x, y, mark, stackPc, stackCaps } = this;
    const gen = this.gen;
    stackPc.push(pc0);
    stackCaps.push(caps0);
    while (stackPc.length > 0) {
      const pc = stackPc.pop() as number;
      let caps = stackCaps.pop() as number[] | null;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      switch (op[pc]) {
        case JMP:
          stackPc.push(x[pc] as number);
          stackCaps.push(caps);
          break;
        case SPLIT:
          stackPc.push(y[pc] as number, x[pc] as number);
          stackCaps.push(caps, caps);
          break;
        case SAVE:
          if (caps) {
            caps = caps.slice();
            caps[x[pc] as number] = pos;
          }
          stackPc.push(pc + 1);
          stackCaps.push(caps);
          break;
        case BOL:
          if (pos === 0) {
            stackPc.push(pc + 1);
            stackCaps.push(caps);
          }
          break;
        case EOL:
          if (pos === input.length) {
            stackPc.push(pc + 1);
            stackCaps.push(caps);
          }
          break;
        case WB:
        case NWB: {
          const before = pos > 0 && isWordCp(input.charCodeAt(pos - 1));
          const after = pos < input.length && isWordCp(input.charCodeAt(pos));
          if ((before !== after) === (op[pc] === WB)) {
            stackPc.push(pc + 1);
            stackCaps.push(caps);
          }
          break;
        }
        default:
          list.pcs[list.n] = pc;
          list.caps[list.n] = caps;
          list.n++;
      }
    }
  }

  private run(input: string, withCaps: boolean): number[] | null | typeof TOO_MANY_STEPS {
    const { op, x, sets, ic } = this;
    let clist = this.a;
    let nlist = this.b;
    clist.n = 0;
    const initial = withCaps ? new Array<number>((this.groups + 1) * 2).fill(-1) : null;
    let matched: number[] | null = null;
    let found = false;
    let steps = 0;
    const budget = LIMITS.regexSteps;
    this.gen++;
    for (let pos = 0; ; ) {
      if (!found && (pos === 0 || !this.anchored)) this.add(clist, 0, initial, input, pos);
      const cp = pos < input.length ? (input.codePointAt(pos) as number) : -1;
      const w = cp > 0xffff ? 2 : 1;
      if (clist.n === 0) {
        // No thread alive: a later start may still match, unless the pattern is anchored.
        if (found || this.anchored || pos >= input.length) break;
        pos += w;
        this.gen++;
        continue;
      }
      const folded = ic && cp >= 0 ? lowerCp(cp) : cp;
      this.gen++;
      nlist.n = 0;
      for (let t = 0; t < clist.n; t++) {
        if (++steps > budget) return TOO_MANY_STEPS;
        const pc = clist.pcs[t] as number;
        const caps = clist.caps[t] as number[] | null;
        let ok = false;
        switch (op[pc]) {
          case MATCH:
            if (!withCaps) return [];
            matched = caps;
            found = true;
            t = clist.n; // lower-priority threads lose to this match
            continue;
          case CHAR:
            ok = folded === x[pc];
            break;
          case ANY:
            ok = cp >= 0 && !isLineTerminator(cp);
            break;
          case SET:
            ok = cp >= 0 && this.matchesSet(sets[x[pc] as number] as CharSet, cp);
            break;
        }
        if (ok) this.add(nlist, pc + 1, caps, input, pos + w);
      }
      [clist, nlist] = [nlist, clist];
      if (pos >= input.length) break;
      pos += w;
    }
    this.a.caps.fill(null);
    this.b.caps.fill(null);
    return found ? matched : null;
  }
}
