// COPY's text format, both ways: rows written into a staging table as bytes (no string per line), and a table's rows
// read from `COPY (SELECT …) TO STDOUT` straight into records (no driver message, field list or row array per row).
import { unstorableValueReason } from '../../../shared/util/nul';
import type { Row } from '../types';

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A Weft value in COPY's text format: `\N` for null, backslash escapes for the separators. */
export function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return COPY_SPECIAL.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : text;
}

const TAB = 9;
/** Text up to this length is copied into the COPY buffer by its character codes (a call to Buffer#write costs more). */
const SHORT_TEXT = 64;
const NEWLINE = 10;
const BACKSLASH = 92;

/** Writes a safe integer's decimal digits at `pos` (as `String(n)` prints it); returns the position after them. */
function putInteger(buf: Buffer, pos: number, n: number): number {
  if (n < 0) {
    buf[pos++] = 45;
    n = -n;
  }
  let digits = 1;
  for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
  const end = pos + digits;
  for (let p = end - 1; p >= pos; p--) {
    buf[p] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return end;
}

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000];
/** Below this a scaled value's neighbours are closer than a unit apart, so one decimal at most reads back as it. */
const EXACT_SCALED = 2 ** 50;

/**
 * Writes a non-integer double with at most 6 fraction digits (amounts, prices, rates) as `String(v)` prints it, by
 * integer arithmetic, and returns the position after it; -1 (nothing written) for any other value. The fewest
 * fraction digits d whose decimal reads back as v give JavaScript's shortest digits; below 2^50 once scaled only one
 * decimal with d fraction digits is that close, and `Math.round` finds it (tested against String on generated values).
 */
function putShortDecimal(buf: Buffer, pos: number, v: number): number {
  const a = v < 0 ? -v : v;
  if (!(a >= 1e-6 && a < 1e15) || Number.isInteger(a)) return -1;
  // A decimal with fewer fraction digits that reads back as v is also one with 6 (zeros added): when the 6-digit one
  // does not (a random double, 16-17 digits), none does, and the loop below is not run (below 2^50 Math.round finds
  // the 6-digit one, as it finds the others).
  const m6 = Math.round(a * 1e6);
  if (m6 < EXACT_SCALED && m6 / 1e6 !== a) return -1;
  for (let d = 1; d <= 6; d++) {
    const p = POW10[d]!;
    const m = Math.round(a * p);
    if (m >= EXACT_SCALED) return -1;
    if (m / p !== a) continue;
    const frac = m % p;
    if (v < 0) buf[pos++] = 45;
    pos = putInteger(buf, pos, (m - frac) / p);
    buf[pos++] = 46; // .
    for (let q = p / 10, f = frac; q >= 1; q /= 10) {
      const digit = Math.floor(f / q);
      buf[pos++] = 48 + digit;
      f -= digit * q;
    }
    return pos;
  }
  return -1;
}

/** `putShortDecimal` for tests: the text it writes for v, or null when it leaves v to String. */
export function shortDecimalText(v: number): string | null {
  const buf = Buffer.alloc(40);
  const end = putShortDecimal(buf, 0, v);
  return end < 0 ? null : buf.toString('latin1', 0, end);
}

/**
 * The rows as COPY text lines `ordinal \t value \t …\n`, the bytes exactly those of `copyText` joined and UTF-8
 * encoded, handed to `write` in chunks of about `chunkSize` bytes. The lines are built in the chunk itself: a batch
 * leaves no string per line or per value behind (the collector's work, docs/benchmarks.md).
 *
 * With `target` (what the record's refusal names, "a Postgres column"), a row holding U+0000 or half of a character
 * in one of its own values is left out in the same pass, as `unstorableTextReason` would have it before the write
 * (no separate scan per value, issue 16): none of its bytes is handed on, and its reason is answered at its index
 * (null for a written row; the whole answer null when every row is written). The ordinal is the row's index among
 * the rows written. Without `target` every row is written, ordinals being the rows' indexes.
 */
export function copyRows(rows: readonly Row[], names: readonly string[], write: (chunk: Buffer) => void, chunkSize = 1 << 16, target?: string): (string | null)[] | null {
  // `buf` and `pos` are this function's own (no closure shares them), so the loop keeps them in registers; every
  // value first makes sure of the most bytes it can take. A chunk is handed on only up to the line being written
  // (`line`), so a row found unstorable midway is taken back by moving `pos` back to its start.
  let buf = Buffer.allocUnsafe(chunkSize);
  let pos = 0;
  const width = names.length;
  const check = target !== undefined;
  let refused: (string | null)[] | null = null;
  let ordinal = 0;
  rows: for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (pos + 17 > buf.length) {
      if (pos > 0) write(buf.subarray(0, pos));
      buf = Buffer.allocUnsafe(Math.max(chunkSize, 17));
      pos = 0;
    }
    let line = pos;
    pos = putInteger(buf, pos, ordinal);
    for (let c = 0; c < width; c++) {
      const v = row[names[c]!];
      let text: string | null = null;
      // The tab, then: `\N` (3 bytes); a number as String prints it (at most 25: a sign, 17 digits, a point, an
      // exponent of 5); short text by its codes, at most 3 bytes each; other text as its UTF-8 (at most 3 per unit).
      let need: number;
      if (v === null || v === undefined) need = 4;
      else if (typeof v === 'number') need = 27;
      else if (typeof v === 'string' && v.length <= SHORT_TEXT) need = 1 + v.length * 3;
      else {
        if (check) {
          const reason = unstorableValueReason(v, names[c]!, target);
          if (reason !== null && Object.hasOwn(row, names[c]!)) {
            (refused ??= new Array<string | null>(rows.length).fill(null))[i] = reason;
            pos = line;
            continue rows;
          }
        }
        text = typeof v === 'string' && !COPY_SPECIAL.test(v) ? v : copyText(v);
        need = 1 + text.length * 3;
      }
      if (pos + need > buf.length) {
        // The line so far moves to the next chunk (one at least as long as it and the value), the lines before
        // it are handed on.
        const next = Buffer.allocUnsafe(Math.max(chunkSize, pos - line + need + 1));
        buf.copy(next, 0, line, pos);
        if (line > 0) write(buf.subarray(0, line));
        buf = next;
        pos -= line;
        line = 0;
      }
      buf[pos++] = TAB;
      if (text !== null) {
        pos += buf.write(text, pos, 'utf8');
        continue;
      }
      if (v === null || v === undefined) {
        buf[pos++] = BACKSLASH;
        buf[pos++] = 78; // N
        continue;
      }
      if (typeof v === 'number') {
        if (Number.isSafeInteger(v)) pos = putInteger(buf, pos, v);
        else {
          const end = putShortDecimal(buf, pos, v);
          if (end >= 0) pos = end;
          else {
            // Digits, a point, a sign, `e`, `+`, or NaN and Infinity: ASCII, one byte per character.
            const printed = String(v);
            for (let k = 0; k < printed.length; k++) buf[pos + k] = printed.charCodeAt(k);
            pos += printed.length;
          }
        }
        continue;
      }
      // Short text: copied by its character codes while none is outside ASCII, U+0000 or a COPY separator (then its
      // UTF-8 bytes are those codes, copyText leaves it as it is, and it holds neither U+0000 nor half a character);
      // any other is asked whether it can be stored, then written over them the usual way.
      const short = v as string;
      let k = 0;
      for (; k < short.length; k++) {
        const code = short.charCodeAt(k);
        if (code >= 128 || code === BACKSLASH || (code <= 13 && (code === TAB || code === NEWLINE || code === 13 || code === 0))) break;
        buf[pos + k] = code;
      }
      if (k === short.length) pos += k;
      else {
        if (check) {
          const reason = unstorableValueReason(short, names[c]!, target);
          if (reason !== null && Object.hasOwn(row, names[c]!)) {
            (refused ??= new Array<string | null>(rows.length).fill(null))[i] = reason;
            pos = line;
            continue rows;
          }
        }
        pos += buf.write(COPY_SPECIAL.test(short) ? copyText(short) : short, pos, 'utf8');
      }
    }
    if (pos + 1 > buf.length) {
      write(buf.subarray(0, pos));
      buf = Buffer.allocUnsafe(chunkSize);
      pos = 0;
    }
    buf[pos++] = NEWLINE;
    ordinal++;
  }
  if (pos > 0) write(buf.subarray(0, pos));
  return refused;
}

/** A SQL literal Postgres types from context, as it types an untyped bind parameter (`standard_conforming_strings` on). */
export function copyLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (text.includes('\u0000')) throw new Error('A value with U+0000 cannot be a Postgres literal.');
  return `'${text.replace(/'/g, "''")}'`;
}

/** The byte after a backslash in COPY text, as the byte it stands for (COPY TO writes \b \f \n \r \t \v and \\). */
function unescaped(byte: number): number {
  switch (byte) {
    case 98: // b
      return 8;
    case 102: // f
      return 12;
    case 110: // n
      return 10;
    case 114: // r
      return 13;
    case 116: // t
      return 9;
    case 118: // v
      return 11;
    default:
      return byte;
  }
}

const isOctal = (b: number | undefined) => b !== undefined && b >= 48 && b <= 55;
const hexValue = (b: number | undefined) => (b === undefined ? -1 : b >= 48 && b <= 57 ? b - 48 : b >= 97 && b <= 102 ? b - 87 : b >= 65 && b <= 70 ? b - 55 : -1);

/** A field with backslash escapes, undone (the escaped bytes are ASCII, so the result is still UTF-8). */
function unescapeField(buf: Buffer, start: number, end: number): string {
  const out = Buffer.allocUnsafe(end - start);
  let o = 0;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b !== BACKSLASH || i + 1 >= end) {
      out[o++] = b;
      continue;
    }
    const next = buf[++i]!;
    if (isOctal(next)) {
      // \digits: up to three octal digits (COPY FROM's form; COPY TO does not write it, but it is the format's).
      let v = next - 48;
      if (i + 1 < end && isOctal(buf[i + 1])) v = v * 8 + (buf[++i]! - 48);
      if (i + 1 < end && isOctal(buf[i + 1])) v = v * 8 + (buf[++i]! - 48);
      out[o++] = v & 0xff;
    } else if (next === 120 && hexValue(buf[i + 1]) >= 0 && i + 1 < end) {
      let v = hexValue(buf[++i]);
      if (i + 1 < end && hexValue(buf[i + 1]) >= 0) v = v * 16 + hexValue(buf[++i]);
      out[o++] = v;
    } else out[o++] = unescaped(next);
  }
  return out.toString('utf8', 0, o);
}

/**
 * Records from the lines of `COPY … TO STDOUT` (text format), fed chunk by chunk as they come: each field read from
 * the bytes once, `\N` as null, every other value through its column's parser (the same ones the driver uses for
 * the same text), into a `recordOf`-shaped row. A line cut between two chunks waits for the rest.
 */
export class CopyOutRows {
  readonly rows: Row[] = [];
  private rest: Buffer | null = null;
  private readonly width: number;

  constructor(
    private readonly names: readonly string[],
    private readonly parsers: readonly ((text: string) => unknown)[],
    private readonly makeRow: () => Row,
    /**
     * A column's parser from the field's bytes, where it has one (timestamps): its value made without the field's text
     * first, or null to have the field read as text by `parsers` (it must then answer what that parser answers).
     */
    private readonly byteParsers: readonly (((buf: Buffer, start: number, end: number) => unknown) | undefined)[] = [],
  ) {
    this.width = names.length;
  }

  push(chunk: Buffer): void {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = null;
    const last = buf.lastIndexOf(NEWLINE);
    if (last >= 0) {
      // The chunk's whole lines decoded as Latin-1 in one call (issue 16): a field of ASCII bytes is that text's slice
      // at the same offsets (one byte, one character), taken without a call into the runtime per field. The text
      // dies with this call (`line` keeps no view on it), so it is collected young.
      const text = buf.toString('latin1', 0, last);
      let at = 0;
      for (;;) {
        const nl = at <= last ? buf.indexOf(NEWLINE, at) : -1;
        if (nl === -1) break;
        this.line(buf, text, at, nl);
        at = nl + 1;
      }
    }
    if (last + 1 < buf.length) this.rest = Buffer.from(buf.subarray(last + 1));
  }

  /** Throws when the stream ended inside a line. */
  end(): void {
    if (this.rest) throw new Error('The COPY output ended inside a row.');
  }

  private line(buf: Buffer, text: string, start: number, end: number): void {
    const row = this.makeRow();
    const { names, parsers, byteParsers, width } = this;
    let field = 0;
    let from = start;
    let escaped = false;
    // Whether the field has a byte outside ASCII: one without is the same text read as Latin-1, a cheaper decode.
    let wide = false;
    for (let i = start; i <= end; i++) {
      const b = i < end ? buf[i]! : TAB;
      if (b === BACKSLASH) {
        escaped = true;
        i++; // the escaped byte is never a separator
        continue;
      }
      if (b !== TAB) {
        if (b > 127) wide = true;
        continue;
      }
      if (field >= width) throw new Error(`A COPY row has more than the ${width} columns described.`);
      let value: unknown;
      if (i - from === 2 && buf[from] === BACKSLASH && buf[from + 1] === 78) value = null;
      else {
        const fromBytes = escaped ? undefined : byteParsers[field];
        value = fromBytes === undefined ? null : fromBytes(buf, from, i);
        if (value === null) {
          if (escaped || wide) value = parsers[field]!(escaped ? unescapeField(buf, from, i) : buf.toString('utf8', from, i));
          else {
            const t = text.slice(from, i);
            value = parsers[field]!(t);
            // V8 makes a slice of 13 characters or more a view on the whole text: a text answer from such a slice (the
            // slice itself, or a part of it a parser kept) is made again from the field's own string, so a record
            // alive for long keeps no chunk's text alive. Answers that are not text (a double's digits) need not.
            if (typeof value === 'string' && i - from >= 13) {
              const own = buf.toString('latin1', from, i);
              value = value === t ? own : parsers[field]!(own);
            }
          }
        }
      }
      row[names[field]!] = value;
      field++;
      from = i + 1;
      escaped = false;
      wide = false;
    }
    if (field !== width) throw new Error(`A COPY row has ${field} columns, not the ${width} described.`);
    this.rows.push(row);
  }
}
