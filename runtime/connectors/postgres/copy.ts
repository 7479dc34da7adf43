// COPY's text format, both ways: rows written into a staging table as bytes (no string per line), and a table's rows
// read from `COPY (SELECT …) TO STDOUT` straight into records (no driver message, field list or row array per row).
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

/**
 * The rows as COPY text lines `ordinal \t value \t …\n` (the ordinal is the row's index), the bytes exactly those of
 * `copyText` joined and UTF-8 encoded, handed to `write` in chunks of about `chunkSize` bytes. The lines are built in
 * the chunk itself: a batch leaves no string per line or per value behind (the collector's work, docs/benchmarks.md).
 */
export function copyRows(rows: readonly Row[], names: readonly string[], write: (chunk: Buffer) => void, chunkSize = 1 << 16): void {
  let buf = Buffer.allocUnsafe(chunkSize);
  let pos = 0;
  const ensure = (bytes: number) => {
    if (pos + bytes <= buf.length) return;
    if (pos > 0) write(buf.subarray(0, pos));
    buf = Buffer.allocUnsafe(Math.max(chunkSize, bytes));
    pos = 0;
  };
  const width = names.length;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    ensure(17);
    pos = putInteger(buf, pos, i);
    for (let c = 0; c < width; c++) {
      const v = row[names[c]!];
      if (v === null || v === undefined) {
        ensure(3);
        buf[pos++] = TAB;
        buf[pos++] = BACKSLASH;
        buf[pos++] = 78; // N
      } else if (typeof v === 'number' && Number.isSafeInteger(v)) {
        ensure(18);
        buf[pos++] = TAB;
        pos = putInteger(buf, pos, v);
      } else {
        const text = typeof v === 'string' && !COPY_SPECIAL.test(v) ? v : copyText(v);
        // UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair: 4 bytes for 2 units).
        ensure(1 + text.length * 3);
        buf[pos++] = TAB;
        pos += buf.write(text, pos, 'utf8');
      }
    }
    ensure(1);
    buf[pos++] = NEWLINE;
  }
  if (pos > 0) write(buf.subarray(0, pos));
}

/** A SQL literal Postgres types from context, as it types an untyped bind parameter (`standard_conforming_strings` on). */
export function copyLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (text.includes('\u0000')) throw new Error('A value with U+0000 cannot be a Postgres literal.');
  return `'${text.replace(/'/g, "''")}'`;
}

/** A COPY field's text with its backslash escapes undone: \b \f \n \r \t \v and \\ (what COPY TO writes), and COPY
 * FROM's \digits (octal) and \xhh forms, each one character; any other escaped character stands for itself. */
export function unescapeCopyText(text: string): string {
  return text.replace(/\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|([\s\S]))/g, (_m, octal: string | undefined, hex: string | undefined, c: string | undefined) => {
    if (octal !== undefined) return String.fromCharCode(parseInt(octal, 8) & 0xff);
    if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
    switch (c) {
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'v':
        return '\v';
      default:
        return c!;
    }
  });
}

/**
 * Records from the lines of `COPY … TO STDOUT` (text format), fed chunk by chunk as they come: the whole lines of a
 * chunk decoded at once (UTF-8 never has a 0x0A or 0x09 byte inside a character, and COPY escapes both in values),
 * then cut at tabs and line feeds; `\N` is null, every other value goes through its column's parser (the same ones
 * the driver uses for the same text) into a `recordOf`-shaped row. A line cut between two chunks waits for the rest.
 * One decode per chunk instead of one per value: about 2-4x faster than cutting the bytes (docs/benchmarks.md).
 */
export class CopyOutRows {
  readonly rows: Row[] = [];
  private rest: Buffer | null = null;
  private readonly width: number;

  constructor(
    private readonly names: readonly string[],
    private readonly parsers: readonly ((text: string) => unknown)[],
    private readonly makeRow: () => Row,
  ) {
    this.width = names.length;
  }

  push(chunk: Buffer): void {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = null;
    const last = buf.lastIndexOf(NEWLINE);
    if (last + 1 < buf.length) this.rest = Buffer.from(buf.subarray(last + 1));
    if (last === -1) return;
    this.lines(buf.toString('utf8', 0, last));
  }

  /** Throws when the stream ended inside a line. */
  end(): void {
    if (this.rest) throw new Error('The COPY output ended inside a row.');
  }

  /** `text`: whole lines, the last one without its line feed. */
  private lines(text: string): void {
    const { names, parsers, width } = this;
    const end = text.length;
    let at = 0;
    while (at <= end) {
      let nl = text.indexOf('\n', at);
      if (nl === -1) nl = end;
      const row = this.makeRow();
      let from = at;
      for (let field = 0; field < width; field++) {
        const tab = text.indexOf('\t', from);
        const stop = tab === -1 || tab > nl ? nl : tab;
        const lastField = field === width - 1;
        if (stop === nl && !lastField) throw new Error(`A COPY row has ${field + 1} columns, not the ${width} described.`);
        if (stop !== nl && lastField) throw new Error(`A COPY row has more than the ${width} columns described.`);
        let value: unknown;
        if (stop - from === 2 && text.charCodeAt(from) === BACKSLASH && text.charCodeAt(from + 1) === 78) value = null;
        else {
          const raw = text.slice(from, stop);
          value = parsers[field]!(raw.includes('\\') ? unescapeCopyText(raw) : raw);
        }
        row[names[field]!] = value;
        from = stop + 1;
      }
      this.rows.push(row);
      at = nl + 1;
    }
  }
}
