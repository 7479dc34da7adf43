// Limits that keep a hostile or broken upload from taking a process's memory (probe16b): the longest record or
// value read whole, how deep JSON may nest, how much of a workbook's shared strings is held, and how large a decrypted
// copy may grow on disk. Read from the environment where files are read (the API and every worker read the same
// files) and checked at start by runtime/config.ts, with defaults that fit a worker's 160 MB heap.

export interface FileLimits {
  /** The longest NDJSON line, JSON string / key / number, or Excel cell text or XML run, in characters (not bytes). */
  maxRecordBytes: number;
  /** How deep objects and arrays may nest in a JSON or NDJSON record. */
  maxJsonDepth: number;
  /** An Excel workbook's shared strings, held in memory while a sheet is read: their characters plus ~40 bytes each. */
  maxSharedStringsBytes: number;
  /** A PGP-encrypted zip or workbook is decrypted to a private copy on disk of at most this many bytes. */
  maxDecryptedBytes: number;
}

const MB = 1024 * 1024;

/**
 * A setting in `unit`s, given in whole `scale`s (MB: 1,048,576) or a fraction of one: a positive number that rounds
 * to at least one unit (0.0000001 MB would be 0 characters, and every file refused), else an error naming it.
 */
function setting(env: NodeJS.ProcessEnv, name: string, fallback: number, scale: number, unit: string, round: (n: number) => number = Math.round): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback * scale;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number (it is "${raw}")`);
  const value = round(n * scale);
  if (value < 1) throw new Error(`${name} is less than 1 ${unit} (it is "${raw}")`);
  return value;
}

/**
 * The limits in force (the environment is read each time: cheap, and a test may change it). runtime/config.ts calls
 * it at start, so a bad value stops `npm start` with the setting's name rather than failing every file read.
 */
export function fileLimits(env: NodeJS.ProcessEnv = process.env): FileLimits {
  return {
    maxRecordBytes: setting(env, 'WEFT_FILES_MAX_RECORD_MB', 8, MB, 'character'),
    maxJsonDepth: setting(env, 'WEFT_FILES_MAX_JSON_DEPTH', 64, 1, 'level', Math.floor),
    maxSharedStringsBytes: setting(env, 'WEFT_FILES_MAX_SHARED_STRINGS_MB', 64, MB, 'byte'),
    maxDecryptedBytes: setting(env, 'WEFT_FILES_MAX_DECRYPTED_MB', 20_480, MB, 'byte'),
  };
}

/** A count of characters, which the record limit counts (a UTF-8 character is 1 to 4 bytes). */
export const formatChars = (chars: number): string => `${chars.toLocaleString('en-US')} characters`;
/**
 * The text of the rows held at once (probe16d): a sniff's sample rows and a batch stop growing once their values pass
 * this many characters, so 200 sample rows or a batch of 500 just under the record limit never take the heap. A batch
 * cut short ends at its last row, as the last batch of a file does.
 */
export const MAX_HELD_ROWS_BYTES = 16 * MB;

export function formatLimit(bytes: number): string {
  return bytes >= MB ? `${+(bytes / MB).toFixed(1)} MB` : `${+(bytes / 1024).toFixed(1)} KB`;
}

/** A record or value past a limit: the reader reports it (a rejected record, or the file refused) in these words. */
export class FileLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileLimitError';
  }
}

