// JSON read exactly and flattened the way every JSON-reading source does (files, webhooks): numbers a double
// cannot hold stay exact decimal text, nested objects become dotted names. Pure: runs in the browser and the worker.
import { exactNumber } from '../graph/field-types';

/**
 * Characters of dotted field names that flattening may make from what one call reads (a record, a REST page). A
 * leaf's name repeats every key above it, so a long key over many fields makes names out of proportion to the text:
 * `{"<1 MiB key>": {2,000 fields}}` is 1 MiB of JSON and 2 GB of names (review15a: the process died). 16 million
 * characters is ~100 times what a wide, deep real record makes, and 16-32 MB of heap.
 */
export const MAX_FLAT_NAME_CHARS = 16_000_000;

/** Flattening would make more names than MAX_FLAT_NAME_CHARS: a record (or page) Weft refuses to read, in words. */
export class FlatNamesTooLong extends Error {
  override readonly name = 'FlatNamesTooLong';
  constructor() {
    super(`its nested field names add up to more than ${MAX_FLAT_NAME_CHARS.toLocaleString('en-US')} characters once flattened (each field's name repeats every name above it), more than Weft reads`);
  }
}

/** What is left of the names one flattening may make; one per record by default, or shared by a page's records. */
export interface NameBudget {
  left: number;
}
export const nameBudget = (): NameBudget => ({ left: MAX_FLAT_NAME_CHARS });

/**
 * A leaf's or an object's dotted name, charged to the budget before it is made a property (which copies it): a
 * concatenation is a rope, O(1) until then.
 */
export function dottedName(prefix: string, key: string, budget: NameBudget): string {
  const name = prefix ? `${prefix}.${key}` : key;
  if ((budget.left -= name.length) < 0) throw new FlatNamesTooLong();
  return name;
}

/**
 * Nested objects become dotted names (`address.city`); arrays stay as JSON text; scalars become text. Throws
 * FlatNamesTooLong past the budget (one per call unless given).
 */
export function flattenRecord(
  value: Record<string, unknown>,
  prefix = '',
  out: Record<string, string | null> = Object.create(null) as Record<string, string | null>,
  emptyTextIsNull = true,
  budget: NameBudget = nameBudget(),
): Record<string, string | null> {
  for (const [k, v] of Object.entries(value)) {
    const name = dottedName(prefix, k, budget);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flattenRecord(v as Record<string, unknown>, name, out, emptyTextIsNull, budget);
    else out[name] = v === null || v === undefined || (v === '' && emptyTextIsNull) ? null : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

/**
 * Could the text hold a number with more digits than a double keeps (16 or more), or an exponent of three digits (past
 * a double's range: 1e400, 1e-400)? A cheap filter before the scan. The exponent must follow what a JSON number does
 * (the start, `:`, `[`, `,`, white space): hex in ids and hashes ("9e123" in a UUID or SHA) is not one, and sent every
 * such row through the scan (JSONGET ~3x slower per row).
 */
const LONG_NUMBER = /\d[\d.]{15}|(?:^|[:[,\s])-?\d+(?:\.\d+)?[eE][-+]?\d{3}/;
/**
 * A JSON number as the grammar has it (no leading zeros: `012` is its `0` and then `12`, which JSON.parse refuses), so
 * that quoting a long one never turns text JSON refuses into text it reads.
 */
const NUMBER_AT = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
/** White space and then a `:`: the number stands where a name goes (`{12345678901234567890: 1}`), which JSON refuses. */
const NAME_AFTER = /[ \t\n\r]*:/y;

/**
 * A decimal, with or without an exponent, as its significant digits and the power of ten of the last one (`-1.50e3`
 * is `-15e2`, `0.0` is `0`): two texts of one value give one answer. The exponent is a BigInt (`1e99999999999999999999`).
 */
function scientific(text: string): string {
  const m = /^-?(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/.exec(text);
  if (!m) return text;
  const all = `${m[1]}${m[2] ?? ''}`.replace(/^0+/, '');
  if (all === '') return '0';
  const digits = all.replace(/0+$/, '');
  const exp = BigInt(m[3] ?? '0') - BigInt((m[2] ?? '').length) + BigInt(all.length - digits.length);
  return `${text.startsWith('-') ? '-' : ''}${digits}e${exp}`;
}

/**
 * Whether a number written with an exponent would change as a double: past its range (1e400 is not Infinity), below
 * it (1e-400 is not 0), or not the decimal the double reads back as (more digits than it keeps). The double's own
 * shortest text (`3.0000000000000004e-7`, `1.7976931348623157e308`, what JSON.stringify writes) does not change
 * (review15a: 16 or 17 digits were counted as a change, and such numbers arrived as text). Such a number stays the
 * text it was written as.
 */
function exponentChanges(token: string): boolean {
  if (!/[eE]/.test(token)) return false;
  const n = Number(token);
  return !Number.isFinite(n) || scientific(String(n)) !== scientific(token);
}

/**
 * JSON.parse, except that a number a double cannot hold exactly (an id past 2^53, a decimal with many places, an
 * exponent past a double's range such as 1e400) arrives as its exact decimal text instead of a rounded number. A
 * number the double reads back as the same decimal (`1e23`, `0.1`) is a number, as `exactNumber` decides for every
 * other source; `-0` is JSON.parse's. What JSON.parse refuses is refused (leading zeros, a number as a name), and a
 * name given twice keeps its last value, as JSON.parse does. The one exact JSON reader: files, webhooks, JSONGET, the
 * REST client and the Salesforce connector (native JSON.parse underneath: no recursion, any depth).
 */
export function parseJsonExact(text: string): unknown {
  if (!LONG_NUMBER.test(text)) return JSON.parse(text) as unknown;
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Skip the string, escapes included.
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      // Sticky at i, whatever the number's length (a slice of 400 characters cut a longer one, and the rest broke the JSON).
      NUMBER_AT.lastIndex = i;
      const m = NUMBER_AT.exec(text);
      if (!m) continue;
      const token = m[0];
      NAME_AFTER.lastIndex = i + token.length;
      if ((typeof exactNumber(token) === 'string' || exponentChanges(token)) && !NAME_AFTER.test(text)) {
        out += `${text.slice(from, i)}"${token}"`;
        from = i + token.length;
      }
      i += token.length - 1;
    }
  }
  return JSON.parse(out + text.slice(from)) as unknown;
}

