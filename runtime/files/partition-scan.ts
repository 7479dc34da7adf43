// Where a plain CSV or NDJSON file may be cut into parts (issue 16, partitioned reads): byte offsets that start a
// record, found by one streaming pass over the stored bytes (a disk file or a bucket object, by range GETs).
//
// NDJSON: every line feed ends a record (a JSON string cannot hold a raw line feed), so a part starts after one.
// CSV: a line feed ends a record only outside quotes, which only a pass from the first byte can tell. The pass keeps
// RFC 4180's quoting state (a quote opens a field only at its start, `""` inside is a quote, the closing quote is
// followed by the delimiter or the line's end). A quote anywhere else, or a quote left open at the end, is a file the
// reader's recovery (a fresh parser on the line after a bad record) may read differently from this pass: such a
// file is not cut (null), and reads as one part. The pass also counts the records before each cut the way the
// readers number them (CSV: blank lines skipped — whitespace-only ones too, as the reader's trim decides — the header
// not counted; NDJSON: every line), so a part's row numbers are the file's own. CSV line ends: csv-parse takes the
// record delimiter from the first CR or LF outside quotes (CRLF, LF or a lone CR), in the whole file and in each part
// alike, so a cut is only made where the part's own first line end is the file's (a file mixing LF and CRLF is cut
// only where that holds; in a CRLF file a bare LF is data and never a cut; a lone-CR file is not cut). Probe16.
import { openRange } from './storage';
import type { BytePartition } from '../../shared/sync/partitions';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

export interface ScanOptions {
  format: 'csv' | 'ndjson';
  /** CSV: the one-character delimiter. */
  delimiter?: string;
  /** CSV: whether the first record is a header (not a data row). */
  hasHeader?: boolean;
  /** The file's size in bytes. */
  size: number;
  /** Parts wanted (at most; fewer when the file has fewer records). */
  parts: number;
  /** Called before each chunk is scanned: may throw to stop the scan there (the local pipeline part's budget). */
  check?: () => void;
}

/**
 * The file's parts: contiguous byte ranges covering it, each starting on a record, as close to equal size as records
 * allow; null when a CSV's quoting cannot be followed (then it reads as one part).
 */
export async function scanFilePartitions(location: string, opts: ScanOptions): Promise<BytePartition[] | null> {
  const parts = Math.max(1, Math.floor(opts.parts));
  if (parts === 1 || opts.size === 0) return [{ kind: 'bytes', start: 0, end: opts.size, firstRow: 0 }];
  const targets = Array.from({ length: parts - 1 }, (_, k) => Math.floor((opts.size * (k + 1)) / parts));
  const cuts: { at: number; rows: number }[] = [];
  const csv = opts.format === 'csv';
  const delim = (opts.delimiter ?? ',').charCodeAt(0);

  // Records ended so far as the reader counts them. CSV: a blank line is not a record, and the reader's "blank" is a
  // line with no delimiter outside quotes whose one value trims to nothing (String.prototype.trim: spaces, tabs, CR,
  // but also U+00A0, U+3000, U+FEFF, U+2028…), quoted or not (csv.ts isBlankRecord). So while the current line may
  // still be blank its bytes are kept (decoded in pieces, never more than a few KB held) until one shows content.
  let records = 0;
  const line = new BlankLine();
  // CSV quoting: inside a quoted field; just saw a quote inside one (a close, or the first of `""`); at a value's start
  // (where a quote may open one); the byte just after a closing quote (only a delimiter or the record's end may follow).
  let quoted = false;
  let quoteSeen = false;
  let fieldStart = true;
  let closed = false;
  // The file's record delimiter as csv-parse finds it: at the first CR or LF outside quotes, CRLF before LF before a
  // lone CR. A part is read by a parser of its own, which finds its own from its first line: so each part's first CR
  // or LF outside quotes must begin the file's delimiter (`verify`), or the file is not cut. In a CRLF file a bare LF
  // is data; in an LF file a CR is data; a lone-CR file is not cut. `crHeld`: a CR outside quotes whose meaning the
  // next byte decides (`crClosed`: it came right after a closing quote).
  let rd: 'lf' | 'crlf' | null = null;
  let verify = false;
  let crHeld = false;
  let crClosed = false;
  let position = 0;
  let bom = 0;
  let next = 0; // index into targets

  const recordEnd = (at: number) => {
    // `at` is the line feed's offset; the next record starts after it.
    if (!csv || !line.blank()) records += 1;
    line.reset();
    while (next < targets.length && at + 1 >= targets[next]! && at + 1 < opts.size) {
      const dataRows = csv && opts.hasHeader ? Math.max(0, records - 1) : records;
      if (cuts.length === 0 || cuts[cuts.length - 1]!.at !== at + 1) {
        cuts.push({ at: at + 1, rows: dataRows });
        verify = true;
      }
      next += 1;
    }
  };
  /** A line end of kind `kind` found outside quotes: false when it is one a part's parser would read otherwise. */
  const lineEnd = (kind: 'lf' | 'crlf' | 'cr'): boolean => {
    if (rd === null) {
      if (kind === 'cr') return false;
      rd = kind;
      return true;
    }
    if (verify) {
      if (kind !== rd) return false;
      verify = false;
    }
    return true;
  };

  // Whether the whole file was read (not stopped past the last cut, where a quoted value may well be open).
  let ended = false;
  let stopped = false;
  const stream = await openRange(location, { start: 0, end: opts.size });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      opts.check?.();
      let i = 0;
      // A UTF-8 byte order mark before the first field is not part of it.
      while (position + i < 3 && bom === position + i && i < chunk.length && chunk[i] === [0xef, 0xbb, 0xbf][bom]) {
        bom += 1;
        i += 1;
      }
      if (!csv) {
        for (let at = chunk.indexOf(LF, i); at !== -1; at = chunk.indexOf(LF, at + 1)) recordEnd(position + at);
        position += chunk.length;
        if (next >= targets.length) break;
        continue;
      }
      // Past the last cut (and its part's first line end), the rest is one part's own: read as the whole file would
      // be from a record's start.
      if (next >= targets.length && !verify) {
        stopped = true;
        break;
      }
      for (; i < chunk.length; i++) {
        const b = chunk[i]!;
        if (quoted) {
          if (quoteSeen) {
            quoteSeen = false;
            if (b === QUOTE) {
              line.content(); // `""`: a quote inside the value
              continue;
            }
            quoted = false; // the closing quote: what follows must end the field
            closed = true;
          } else {
            if (b !== QUOTE) {
              // Skip ahead to the next quote: nothing inside a quoted value ends a record.
              const q = chunk.indexOf(QUOTE, i);
              line.bytes(chunk, i, q === -1 ? chunk.length : q);
              if (q === -1) {
                i = chunk.length - 1;
                continue;
              }
              i = q;
            }
            quoteSeen = true;
            continue;
          }
        }
        // The common byte (above '"', not the delimiter, nothing pending): part of a value.
        if (b > QUOTE && b !== delim && !crHeld && !closed) {
          if (line.maybe) line.byte(b);
          fieldStart = false;
          continue;
        }
        if (crHeld) {
          crHeld = false;
          if (b === LF) {
            if (!lineEnd('crlf')) return null;
            // In an LF file the CR is the last value's (after a closing quote csv-parse refuses it).
            if (rd === 'lf') {
              if (crClosed) return null;
              line.byte(CR);
            }
            recordEnd(position + i);
            fieldStart = true;
            closed = false;
            continue;
          }
          // A lone CR: data, unless it would be a part's (or the file's) record delimiter.
          if (!lineEnd('cr') || crClosed) return null;
          line.byte(CR);
          fieldStart = false;
        }
        if (closed) {
          closed = false;
          if (b !== delim && b !== CR && !(b === LF && rd !== 'crlf')) return null;
          if (b === CR) crClosed = true;
        } else if (b === CR) crClosed = false;
        if (b === CR) crHeld = true;
        else if (b === LF) {
          if (!lineEnd('lf')) return null;
          if (rd === 'crlf') {
            // Data in a CRLF file.
            line.byte(LF);
            fieldStart = false;
          } else {
            recordEnd(position + i);
            fieldStart = true;
          }
        } else if (b === QUOTE) {
          // A quote opens a value only at the value's start.
          if (!fieldStart) return null;
          quoted = true;
          fieldStart = false;
        } else if (b === delim) {
          if (line.maybe) line.content();
          fieldStart = true;
        } else {
          if (line.maybe) line.byte(b);
          fieldStart = false;
        }
      }
      position += chunk.length;
    }
    ended = !stopped;
  } finally {
    stream.destroy();
  }
  // A quote still open (or open at the last byte and never closed) at the end: not followed, not cut.
  if (csv && ended && quoted && !quoteSeen) return null;
  // A CR as the file's last byte: a lone CR (data, or a part's delimiter).
  if (csv && ended && crHeld && (rd === null || verify || crClosed)) return cuts.length > 0 ? null : [{ kind: 'bytes', start: 0, end: opts.size, firstRow: 0 }];
  const starts = [{ at: 0, rows: 0 }, ...cuts];
  return starts.map((s, k) => ({ kind: 'bytes', start: s.at, end: starts[k + 1]?.at ?? opts.size, firstRow: s.rows }));
}

/**
 * Whether a CSV line is blank as the reader decides (no delimiter outside quotes, its text all whitespace by
 * String.prototype.trim), fed byte by byte (or in runs) while it may still be: an ASCII byte that is not whitespace
 * settles it at once; other bytes (UTF-8 sequences, possibly of a whitespace character) are decoded in pieces.
 */
class BlankLine {
  /** Still possibly blank (read by the scan's loop to skip the call once the line has content). */
  maybe = true;
  private held: number[] = [];
  /** Made only for a line whose bytes need decoding (most lines settle on their first byte). */
  private decoder: TextDecoder | null = null;

  content(): void {
    if (!this.maybe) return;
    this.maybe = false;
    if (this.held.length > 0) this.held.length = 0;
  }

  byte(b: number): void {
    if (!this.maybe) return;
    if (b < 0x80 && b !== 0x20 && (b < 0x09 || b > 0x0d)) return this.content();
    this.held.push(b);
    if (this.held.length >= 4096) this.decode(true);
  }

  bytes(chunk: Buffer, from: number, to: number): void {
    for (let k = from; k < to && this.maybe; k++) this.byte(chunk[k]!);
  }

  private decode(stream: boolean): void {
    this.decoder ??= new TextDecoder('utf-8');
    const text = this.decoder.decode(Uint8Array.from(this.held), { stream });
    this.held.length = 0;
    if (/\S/.test(text)) this.maybe = false;
  }

  blank(): boolean {
    if (this.maybe && this.held.length > 0) this.decode(false);
    return this.maybe;
  }

  reset(): void {
    this.maybe = true;
    if (this.held.length > 0) this.held.length = 0;
    this.decoder = null;
  }
}
