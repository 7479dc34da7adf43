// Where a plain CSV or NDJSON file may be cut into parts (issue 16, partitioned reads): byte offsets that start a
// record, found by one streaming pass over the stored bytes (a disk file or a bucket object, by range GETs).
//
// NDJSON: every line feed ends a record (a JSON string cannot hold a raw line feed), so a part starts after one.
// CSV: a line feed ends a record only outside quotes, which only a pass from the first byte can tell. The pass keeps
// RFC 4180's quoting state (a quote opens a field only at its start, `""` inside is a quote, the closing quote is
// followed by the delimiter or the line's end). A quote anywhere else, or a quote left open at the end, is a file the
// reader's recovery (a fresh parser on the line after a bad record) may read differently from this pass: such a
// file is not cut (null), and reads as one part. The pass also counts the records before each cut the way the
// readers number them (CSV: blank lines skipped, the header not counted; NDJSON: every line), so a part's row numbers
// are the file's own.
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

  // Records ended so far as the reader counts them, and whether the current line has any byte but CR (CSV: blank
  // lines are not records).
  let records = 0;
  let lineHasContent = false;
  // CSV quoting: inside a quoted field; just saw a quote inside one (a close, or the first of `""`); the previous byte.
  let quoted = false;
  let quoteSeen = false;
  let prev = -1; // -1: start of the file
  let position = 0;
  let bom = 0;
  let next = 0; // index into targets

  const recordEnd = (at: number) => {
    // `at` is the line feed's offset; the next record starts after it.
    if (lineHasContent || !csv) records += 1;
    lineHasContent = false;
    while (next < targets.length && at + 1 >= targets[next]! && at + 1 < opts.size) {
      const dataRows = csv && opts.hasHeader ? Math.max(0, records - 1) : records;
      if (cuts.length === 0 || cuts[cuts.length - 1]!.at !== at + 1) cuts.push({ at: at + 1, rows: dataRows });
      next += 1;
    }
  };

  let ended = false;
  const stream = await openRange(location, { start: 0, end: opts.size });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
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
      // Past the last cut, the rest is one part's own: read as the whole file would be from a record's start.
      if (next >= targets.length) break;
      for (; i < chunk.length; i++) {
        const b = chunk[i]!;
        if (quoted) {
          if (quoteSeen) {
            quoteSeen = false;
            if (b === QUOTE) {
              prev = b;
              continue; // `""`: a quote inside the value
            }
            quoted = false; // the closing quote: what follows must end the field
            if (b !== delim && b !== CR && b !== LF) return null;
          } else {
            if (b === QUOTE) quoteSeen = true;
            else {
              // Skip ahead to the next quote: nothing inside a quoted value ends a record.
              const q = chunk.indexOf(QUOTE, i);
              if (q === -1) {
                i = chunk.length - 1;
                prev = chunk[i]!;
                continue;
              }
              i = q;
              quoteSeen = true;
            }
            prev = QUOTE;
            continue;
          }
        }
        if (b === QUOTE) {
          // A quote opens a value only at the value's start.
          if (!(prev === -1 || prev === delim || prev === LF)) return null;
          quoted = true;
          lineHasContent = true;
        } else if (b === LF) recordEnd(position + i);
        else if (b !== CR) lineHasContent = true;
        prev = b;
      }
      position += chunk.length;
    }
    ended = true;
  } finally {
    stream.destroy();
  }
  // A quote still open (or open at the last byte and never closed) at the end: not followed, not cut.
  if (csv && ended && quoted && !quoteSeen) return null;
  const starts = [{ at: 0, rows: 0 }, ...cuts];
  return starts.map((s, k) => ({ kind: 'bytes', start: s.at, end: starts[k + 1]?.at ?? opts.size, firstRow: s.rows }));
}
