// Text functions spreadsheet users know (FIND, PROPER, TEXTJOIN...) and what integrations need (URLs, hashes, JSON, run parameters).
import { defineFunction, type FunctionSpec } from './function-spec';
import { fromBase64, fromUtf8, sha256Hex, toBase64, utf8 } from './hash';
import { LIMITS } from './limits';
import { checkText, roundHalfAway, show, toText, type Site } from './runtime';
import { T } from './types';
import { parseJsonExact } from '../util/json-exact';
import { suggest } from '../util/suggest';

const PARAM_TYPES = { text: T.Text, number: T.Number, date: T.Date, boolean: T.Boolean } as const;

const int = Math.trunc;
const text = (site: Site, s: string) => checkText(s, site);

/** FIND/SEARCH position: 1-based, #VALUE! when absent (as Excel). */
function position(s: Site, haystack: string, needle: string, start: number | undefined, fold: boolean): number {
  const from = start === undefined ? 1 : int(start);
  if (from < 1 || from > haystack.length + 1) s.failWith('#VALUE!', `The start must be 1 to ${haystack.length + 1}, got ${from}`);
  const at = fold ? searchWildcard(s, haystack, needle, from - 1) : haystack.indexOf(needle, from - 1);
  return at < 0 ? s.failWith('#VALUE!', `${show(needle)} is not in ${show(haystack)}`) : at + 1;
}

/**
 * Lower case that keeps every character where it was, so a position in it is a position in `t`: a character whose
 * lower case is longer stays as it is. "İ" (U+0130, lower case "i̇", two characters) is the only such character, so
 * the text around it is lowered in pieces (a character-by-character loop made SEARCH ~5x slower on such rows).
 */
function foldInPlace(t: string): string {
  const lower = t.toLowerCase();
  if (lower.length === t.length) return lower;
  return t
    .split('\u0130')
    .map((piece) => piece.toLowerCase())
    .join('\u0130');
}

/**
 * SEARCH: case-insensitive, with Excel's ? and * wildcards (~ escapes them). No RegExp over user text. Runs of plain
 * characters are found with indexOf; a run holding ? is tried place by place, which can cost its length at every
 * place: those comparisons are counted, and past LIMITS.searchSteps the record is rejected rather than the batch held.
 */
function searchWildcard(s: Site, haystack: string, needle: string, from: number): number {
  const h = foldInPlace(haystack);
  const n = foldInPlace(needle);
  if (!/[?*~]/.test(n)) return h.indexOf(n, from);
  // The pattern as segments between *s; each segment a list of characters, null for ?.
  const segments: (string | null)[][] = [[]];
  for (let i = 0; i < n.length; i++) {
    const ch = n[i] as string;
    if (ch === '~' && i + 1 < n.length) (segments[segments.length - 1] as (string | null)[]).push(n[++i] as string);
    else if (ch === '*') segments.push([]);
    else (segments[segments.length - 1] as (string | null)[]).push(ch === '?' ? null : ch);
  }
  let steps = LIMITS.searchSteps;
  const matchAt = (seg: (string | null)[], at: number) => {
    if (at + seg.length > h.length) return false;
    for (let k = 0; k < seg.length; k++) {
      if (--steps < 0) s.failWith('#VALUE!', `The search pattern ${show(needle)} needs too many steps on this text`);
      if (seg[k] !== null && seg[k] !== h[at + k]) return false;
    }
    return true;
  };
  /** The first place at or after `p` where the segment fits, or -1. */
  const find = (seg: (string | null)[], p: number): number => {
    if (!seg.includes(null)) return h.indexOf(seg.join(''), p);
    for (; p + seg.length <= h.length; p++) if (matchAt(seg, p)) return p;
    return -1;
  };
  // The first segment at its earliest place, then each later one at its earliest place after it: a leftmost fit of
  // each is enough to know there is a match, and a later segment missing after the first fit is missing after any.
  const start = find(segments[0] as (string | null)[], from);
  if (start < 0) return -1;
  let at = start + (segments[0] as (string | null)[]).length;
  for (let k = 1; k < segments.length; k++) {
    const seg = segments[k] as (string | null)[];
    const found = find(seg, at);
    if (found < 0) return -1;
    at = found + seg.length;
  }
  return start;
}

/** PROPER: upper-cases each letter that follows a non-letter. ASCII by hand; other text by Unicode letter classes. */
export function proper(t: string): string {
  const lower = t.toLowerCase();
  let out = '';
  let last = 0;
  let prevLetter = false;
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    if (c >= 128) return lower.replace(/(^|[^\p{L}])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase());
    const letter = c >= 97 && c <= 122;
    if (letter && !prevLetter) {
      out += lower.slice(last, i) + String.fromCharCode(c - 32);
      last = i + 1;
    }
    prevLetter = letter;
  }
  return last === 0 ? lower : out + lower.slice(last);
}

function fixed(x: number, decimals: number, commas: boolean): string {
  const d = int(decimals);
  const r = roundHalfAway(x, d);
  const body = Math.abs(r).toFixed(Math.max(0, Math.min(d, 100)));
  const [whole, frac] = body.split('.') as [string, string | undefined];
  const grouped = commas ? whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : whole;
  return `${r < 0 ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/** A path into JSON: a.b[0].c, or ["odd key"]. */
function jsonPath(path: string): (string | number)[] | null {
  const out: (string | number)[] = [];
  const re = /\s*(?:\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\])/y;
  let i = 0;
  while (i < path.length) {
    re.lastIndex = i;
    const m = re.exec(path);
    if (!m || m[0].length === 0) return null;
    out.push(m[1] !== undefined ? m[1] : m[2] !== undefined ? Number(m[2]) : (JSON.parse(`"${m[3]}"`) as string));
    i = re.lastIndex;
  }
  return out;
}

interface JsonPrep {
  path: (string | number)[];
  /** The last document parsed and its value: rows often repeat one payload across JSONGET calls. */
  lastText: string | null;
  lastValue: unknown;
}

export const TEXT_FUNCTIONS: readonly FunctionSpec[] = [
  defineFunction({
    name: 'FIND',
    category: 'Text',
    params: [
      { name: 'search', kind: 'text' },
      { name: 'text', kind: 'text' },
      { name: 'start', kind: 'number', optional: true },
    ],
    returns: T.Number,
    description: 'The position (1 is the first character) of `search` in the text, case-sensitive, starting at `start`. #VALUE! when it is not there; wrap in IFERROR for a default.',
    example: 'FIND("-", "INV-0042")',
    result: '4',
    impl: (s, needle: string, haystack: string, start?: number) => position(s, haystack, needle, start, false),
  }),
  defineFunction({
    name: 'SEARCH',
    category: 'Text',
    params: [
      { name: 'search', kind: 'text' },
      { name: 'text', kind: 'text' },
      { name: 'start', kind: 'number', optional: true },
    ],
    returns: T.Number,
    description: 'Like FIND, but ignoring case, with the wildcards ? (one character) and * (any run); ~ before them matches them literally.',
    example: 'SEARCH("e?l", "Hello world")',
    result: '2',
    impl: (s, needle: string, haystack: string, start?: number) => position(s, haystack, needle, start, true),
  }),
  defineFunction({
    name: 'PROPER',
    category: 'Text',
    params: [{ name: 'text', kind: 'text' }],
    returns: T.Text,
    description: 'Capitalises the first letter of each word and lower-cases the rest; a word starts after any character that is not a letter (so "o\'neil" is "O\'Neil", as Excel).',
    example: 'PROPER("ada LOVELACE")',
    result: '"Ada Lovelace"',
    impl: (_s, t: string) => proper(t),
  }),
  defineFunction({
    name: 'REPT',
    category: 'Text',
    params: [
      { name: 'text', kind: 'text' },
      { name: 'times', kind: 'number' },
    ],
    returns: T.Text,
    description: 'The text repeated `times` times (whole part). Negative is #VALUE!.',
    example: 'REPT("ab", 3)',
    result: '"ababab"',
    impl: (s, t: string, times: number) => {
      const n = int(times);
      if (n < 0) s.failWith('#VALUE!', `Cannot repeat ${n} times`);
      if (t.length * n > LIMITS.textLength) checkText('x'.repeat(LIMITS.textLength + 1), s);
      return t.repeat(n);
    },
  }),
  defineFunction({
    name: 'REPLACE',
    category: 'Text',
    params: [
      { name: 'text', kind: 'text' },
      { name: 'start', kind: 'number' },
      { name: 'count', kind: 'number' },
      { name: 'new', kind: 'text' },
    ],
    returns: T.Text,
    description: 'Replaces `count` characters starting at position `start` with `new` (by position; SUBSTITUTE replaces by content).',
    example: 'REPLACE("INV-0042", 1, 3, "ORD")',
    result: '"ORD-0042"',
    impl: (s, t: string, start: number, count: number, replacement: string) => {
      const from = int(start);
      const n = int(count);
      if (from < 1 || n < 0) s.failWith('#VALUE!', `The start must be 1 or more and the count not negative, got ${from} and ${n}`);
      return text(s, t.slice(0, from - 1) + replacement + t.slice(from - 1 + n));
    },
  }),
  defineFunction({
    name: 'TEXTJOIN',
    category: 'Text',
    params: [
      { name: 'separator', kind: 'text' },
      { name: 'skip_blanks', kind: 'boolean' },
      { name: 'value', kind: 'any' },
    ],
    repeat: 1,
    returns: T.Text,
    description: 'Joins the values and list items with `separator` between them, skipping blanks when `skip_blanks` is TRUE.',
    example: 'TEXTJOIN(", ", TRUE, [Country], [Notes], "EU")',
    result: '"FR, EU"',
    nulls: 'accept',
    // Repeating functions get all their arguments as one array: separator, skip_blanks, values...
    impl: (s, args: unknown[]) => {
      const sep = (args[0] as string | null) ?? '';
      const skip = args[1] === true;
      let out = '';
      let first = true;
      for (let i = 2; i < args.length; i++) {
        const v = args[i];
        const items = Array.isArray(v) ? v : null;
        const n = items ? items.length : 1;
        for (let k = 0; k < n; k++) {
          const x = items ? items[k] : v;
          if (skip && (x === null || x === '')) continue;
          out += first ? toText(x) : sep + toText(x);
          first = false;
        }
        if (out.length > LIMITS.textLength) text(s, out);
      }
      return out;
    },
  }),
  defineFunction({
    name: 'EXACT',
    category: 'Text',
    params: [
      { name: 'text1', kind: 'text' },
      { name: 'text2', kind: 'text' },
    ],
    returns: T.Boolean,
    description: 'TRUE when the two texts are the same, case included. A blank counts as empty text.',
    example: 'EXACT("Weft", "weft")',
    result: 'FALSE',
    nulls: 'accept',
    impl: (_s, a: string | null, b: string | null) => (a ?? '') === (b ?? ''),
  }),
  defineFunction({
    name: 'CHAR',
    category: 'Text',
    params: [{ name: 'code', kind: 'number' }],
    returns: T.Text,
    description: 'The character with this code, 1 to 255 (Latin-1, which is what Excel gives on Windows for most codes; see UNICHAR for any).',
    example: 'CHAR(65)',
    result: '"A"',
    impl: (s, code: number) => {
      const c = int(code);
      return c >= 1 && c <= 255 ? String.fromCharCode(c) : s.failWith('#VALUE!', `The code must be 1 to 255, got ${c}`);
    },
  }),
  defineFunction({
    name: 'CODE',
    category: 'Text',
    params: [{ name: 'text', kind: 'text' }],
    returns: T.Number,
    description: 'The code of the first character (its UTF-16 unit). Empty text is #VALUE!.',
    example: 'CODE("A")',
    result: '65',
    impl: (s, t: string) => (t.length ? t.charCodeAt(0) : s.failWith('#VALUE!', 'The text is empty')),
  }),
  defineFunction({
    name: 'UNICHAR',
    category: 'Text',
    params: [{ name: 'code', kind: 'number' }],
    returns: T.Text,
    description: 'The character with this Unicode code point.',
    example: 'UNICHAR(8364)',
    result: '"€"',
    impl: (s, code: number) => {
      const c = int(code);
      return c >= 1 && c <= 0x10ffff && !(c >= 0xd800 && c <= 0xdfff) ? String.fromCodePoint(c) : s.failWith('#VALUE!', `${c} is not a Unicode code point`);
    },
  }),
  defineFunction({
    name: 'UNICODE',
    category: 'Text',
    params: [{ name: 'text', kind: 'text' }],
    returns: T.Number,
    description: 'The Unicode code point of the first character.',
    example: 'UNICODE("€")',
    result: '8364',
    impl: (s, t: string) => (t.length ? (t.codePointAt(0) as number) : s.failWith('#VALUE!', 'The text is empty')),
  }),
  defineFunction({
    name: 'CLEAN',
    category: 'Text',
    params: [{ name: 'text', kind: 'text' }],
    returns: T.Text,
    description: 'Removes the control characters 0 to 31 (line breaks, tabs) from the text.',
    example: 'CLEAN("a" & CHAR(10) & "b")',
    result: '"ab"',
    impl: (_s, t: string) => t.replace(/[\x00-\x1f]/g, ''),
  }),
  defineFunction({
    name: 'FIXED',
    category: 'Text',
    params: [
      { name: 'number', kind: 'number' },
      { name: 'decimals', kind: 'number', optional: true },
      { name: 'no_commas', kind: 'boolean', optional: true },
    ],
    returns: T.Text,
    description: 'The number as text rounded to `decimals` places (2 when omitted), with thousands separators unless `no_commas` is TRUE.',
    example: 'FIXED(1234.567, 1)',
    result: '"1,234.6"',
    impl: (_s, x: number, decimals?: number, noCommas?: boolean) => fixed(x, decimals ?? 2, noCommas !== true),
  }),
  defineFunction({
    name: 'DOLLAR',
    category: 'Text',
    params: [
      { name: 'number', kind: 'number' },
      { name: 'decimals', kind: 'number', optional: true },
    ],
    returns: T.Text,
    description: 'The number as money text: "$1,234.57"; negative amounts as "-$12.00".',
    example: 'DOLLAR(1234.567)',
    result: '"$1,234.57"',
    impl: (_s, x: number, decimals?: number) => {
      const t = fixed(x, decimals ?? 2, true);
      return t.startsWith('-') ? `-$${t.slice(1)}` : `$${t}`;
    },
  }),
  defineFunction({
    name: 'NUMBERVALUE',
    category: 'Text',
    params: [
      { name: 'text', kind: 'text' },
      { name: 'decimal_separator', kind: 'text', optional: true },
      { name: 'group_separator', kind: 'text', optional: true },
    ],
    returns: T.Number,
    description: 'Reads a number written with the given separators: NUMBERVALUE("1.234,5", ",", ".") is 1234.5. Spaces are ignored; a trailing % divides by 100. Blank text is 0.',
    example: 'NUMBERVALUE("1.234,5", ",", ".")',
    result: '1234.5',
    impl: (s, t: string, dec?: string, group?: string) => {
      const d = dec ?? '.';
      const g = group ?? ',';
      let body = t.replace(/\s+/g, '');
      if (body === '') return 0;
      let pct = 0;
      while (body.endsWith('%')) {
        body = body.slice(0, -1);
        pct++;
      }
      const at = body.indexOf(d);
      if (at >= 0 && body.indexOf(d, at + 1) >= 0) s.failWith('#VALUE!', `${show(t)} has more than one decimal separator`);
      const whole = (at >= 0 ? body.slice(0, at) : body).split(g).join('');
      const frac = at >= 0 ? body.slice(at + d.length) : '';
      if (g && frac.includes(g)) s.failWith('#VALUE!', `${show(t)} has a group separator after the decimal separator`);
      const n = Number(`${whole}${frac ? `.${frac}` : ''}`);
      if (!/^[-+]?\d*(\.\d*)?(e[-+]?\d+)?$/i.test(`${whole}.${frac}`) || !Number.isFinite(n)) s.failWith('#VALUE!', `${show(t)} is not a number`);
      return n / 100 ** pct;
    },
  }),
  defineFunction({
    name: 'TEXTBEFORE',
    category: 'Text',
    params: [
      { name: 'text', kind: 'text' },
      { name: 'delimiter', kind: 'text' },
      { name: 'instance', kind: 'number', optional: true },
    ],
    returns: T.Text,
    description: 'The text before the n-th delimiter (the first when omitted; negative counts from the end). #N/A when there is no such delimiter.',
    example: 'TEXTBEFORE([Email], "@")',
    result: '"ada"',
    impl: (s, t: string, delim: string, instance?: number) => {
      const at = nth(s, t, delim, instance);
      return t.slice(0, at);
    },
  }),
  defineFunction({
    name: 'TEXTAFTER',
    category: 'Text',
    params: [
      { name: 'text', kind: 'text' },
      { name: 'delimiter', kind: 'text' },
      { name: 'instance', kind: 'number', optional: true },
    ],
    returns: T.Text,
    description: 'The text after the n-th delimiter (the first when omitted; negative counts from the end). #N/A when there is no such delimiter.',
    example: 'TEXTAFTER([Email], "@")',
    result: '"example.com"',
    impl: (s, t: string, delim: string, instance?: number) => t.slice(nth(s, t, delim, instance) + delim.length),
  }),
  defineFunction({
    name: 'REVERSE',
    category: 'Text',
    params: [{ name: 'text', kind: 'text' }],
    returns: T.Text,
    description: 'The characters in reverse order (whole code points, so emoji stay intact).',
    example: 'REVERSE("abc")',
    result: '"cba"',
    impl: (_s, t: string) => [...t].reverse().join(''),
  }),

  // What integrations need
  defineFunction({
    name: 'ENCODEURL',
    category: 'Text',
    params: [{ name: 'text', kind: 'text' }],
    returns: T.Text,
    description: 'Percent-encodes text for a URL query value or path segment (UTF-8; everything but A-Z a-z 0-9 - _ . ! ~ * \' ( ) is encoded).',
    example: 'ENCODEURL("a b&c=ü")',
    result: '"a%20b%26c%3D%C3%BC"',
    impl: (s, t: string) => {
      try {
        return text(s, encodeURIComponent(t));
      } catch {
        return s.failWith('#VALUE!', 'The text has an unpaired surrogate character');
      }
    },
  }),
  defineFunction({
    name: 'DECODEURL',
    category: 'Text',
    params: [{ name: 'text', kind: 'text' }],
    returns: T.Text,
    description: 'Decodes percent-encoding (and + as a space, as in query strings). Broken encoding is #VALUE!.',
    example: 'DECODEURL("a%20b+c%C3%BC")',
    result: '"a b cü"',
    impl: (s, t: string) => {
      try {
        return decodeURIComponent(t.replace(/\+/g, ' '));
      } catch {
        return s.failWith('#VALUE!', `${show(t)} is not valid percent-encoding`);
      }
    },
  }),
  defineFunction({
    name: 'HASH',
    category: 'Text',
    params: [{ name: 'value', kind: 'scalar' }],
    repeat: 1,
    returns: T.Text,
    description:
      'The SHA-256 hash of the values as 64 hex digits: a stable id from source fields. Several values are joined with a unit separator (U+001F) first, so ("ab", "c") and ("a", "bc") differ; blanks count as empty text.',
    example: 'LEFT(HASH("abc"), 16)',
    result: '"ba7816bf8f01cfea"',
    nulls: 'accept',
    impl: (_s, values: unknown[]) => sha256Hex(utf8(values.length === 1 ? toText(values[0]) : values.map(toText).join('\u001f'))),
  }),
  defineFunction({
    name: 'BASE64ENCODE',
    category: 'Text',
    params: [{ name: 'text', kind: 'text' }],
    returns: T.Text,
    description: 'The UTF-8 bytes of the text in Base64.',
    example: 'BASE64ENCODE("user:pass")',
    result: '"dXNlcjpwYXNz"',
    impl: (s, t: string) => text(s, toBase64(utf8(t))),
  }),
  defineFunction({
    name: 'BASE64DECODE',
    category: 'Text',
    params: [{ name: 'text', kind: 'text' }],
    returns: T.Text,
    description: 'Decodes Base64 (standard or URL-safe, padding optional) to UTF-8 text. Anything else is #VALUE!.',
    example: 'BASE64DECODE("dXNlcjpwYXNz")',
    result: '"user:pass"',
    impl: (s, t: string) => {
      const b = fromBase64(t);
      const out = b && fromUtf8(b);
      return out ?? s.failWith('#VALUE!', `${show(t)} is not Base64 of UTF-8 text`);
    },
  }),
  defineFunction<JsonPrep>({
    name: 'JSONGET',
    category: 'Lookup',
    params: [
      { name: 'json', kind: 'text' },
      { name: 'path', kind: 'text', constant: true },
    ],
    returns: T.Text,
    description:
      'Reads a nested value from JSON text by path (customer.address.city, items[0].sku, ["odd key"]): text as is, numbers and TRUE/FALSE as text (convert with VALUE; a number a double cannot hold, such as an id past 2^53 or 1e400, keeps every digit as written), objects and lists as JSON; NULL when the path is absent. Text that is not JSON is #VALUE!.',
    example: 'JSONGET("{""a"":{""b"":[10,20]}}", "a.b[1]")',
    result: '"20"',
    check: (c) => {
      const a = c.args[1];
      if (!a) return {};
      if (!a.constant || typeof a.constant.value !== 'string') {
        c.error(a, 'constant-required', 'The path must be text in quotes, such as "customer.address.city"');
        return {};
      }
      const path = jsonPath(a.constant.value);
      if (!path) {
        c.error(a, 'bad-argument', `Cannot read the path ${show(a.constant.value)}; write names with dots and positions in brackets: a.b[0].c`);
        return {};
      }
      return { prep: { path, lastText: null, lastValue: undefined } };
    },
    impl: (s, json: string) => {
      const prep = s.prep;
      let v: unknown;
      if (prep.lastText === json) v = prep.lastValue;
      else {
        try {
          // Exactly, as every other JSON reader of Weft's: a number a double cannot hold stays its decimal text.
          v = parseJsonExact(json);
        } catch {
          return s.failWith('#VALUE!', `${show(json)} is not JSON`);
        }
        prep.lastText = json;
        prep.lastValue = v;
      }
      for (const key of prep.path) {
        if (v === null || typeof v !== 'object') return null;
        if (typeof key === 'number') {
          if (!Array.isArray(v)) return null;
          v = v[key];
        } else {
          if (Array.isArray(v) || !Object.hasOwn(v, key)) return null;
          v = (v as Record<string, unknown>)[key];
        }
      }
      if (v === null || v === undefined) return null;
      if (typeof v === 'string') return v;
      return typeof v === 'object' ? text(s, jsonText(s, v)) : String(v).replace(/^true$/, 'TRUE').replace(/^false$/, 'FALSE');
    },
  }),
  defineFunction<{ name: string; type: 'text' | 'number' | 'date' | 'boolean' }>({
    name: 'PARAM',
    category: 'Lookup',
    params: [{ name: 'name', kind: 'text', constant: true }],
    returns: 'the parameter\'s declared type',
    description:
      'The run parameter with this name, of the type the integration declares for it (Text, Number, Date or Boolean); NULL when the run has no value for it. The name must be one the integration declares.',
    example: 'COALESCE(PARAM("region"), "all")',
    result: '"all"',
    nulls: 'accept',
    volatile: true,
    check: (c) => {
      const a = c.args[0];
      if (!a?.constant || typeof a.constant.value !== 'string') {
        if (a) c.error(a, 'constant-required', 'The parameter name must be text in quotes, such as "region"');
        return {};
      }
      const name = a.constant.value;
      // No declarations known (a formula checked outside an integration): any name, as Text.
      if (!c.params) return { prep: { name, type: 'text' } };
      const type = c.params.get(name);
      if (!type) {
        const names = [...c.params.keys()];
        const hint = suggest(name, names);
        c.error(a, 'unknown-param', `Unknown parameter ${show(name)}.${hint ? ` Did you mean ${show(hint)}?` : names.length ? ` This integration declares ${names.map(show).join(', ')}.` : ' This integration declares no parameters (add them in the integration\'s Parameters).'}`);
        return {};
      }
      return { prep: { name, type }, type: PARAM_TYPES[type] };
    },
    lazy: ({ site }) => {
      const { name, type } = site.prep as { name: string; type: keyof typeof PARAM_TYPES };
      return (_r, e) => {
        const v = e.params?.get(name);
        if (v === undefined || v === null) return null;
        // The API checked each value against its declaration (shared/graph/parameters.ts); text is the fallback.
        if (type === 'number' && typeof v === 'number') return v;
        if (type === 'boolean' && typeof v === 'boolean') return v;
        if (type === 'date' && typeof v === 'string') return v;
        return toText(v);
      };
    },
  }),
];

/** An object or list as JSON text. JSON.parse reads any depth but JSON.stringify recurses: a very deep one is refused. */
function jsonText(s: Site, v: object): string {
  try {
    return JSON.stringify(v);
  } catch (e) {
    if (e instanceof RangeError) return s.failWith('#VALUE!', 'The JSON at this path nests too deeply to write as text');
    throw e;
  }
}

function nth(s: Site, t: string, delim: string, instance: number | undefined): number {
  const n = instance === undefined ? 1 : int(instance);
  if (n === 0 || delim === '') s.failWith('#VALUE!', 'The instance cannot be 0 and the delimiter cannot be empty');
  let at = n > 0 ? -1 : t.length + 1;
  for (let k = 0; k < Math.abs(n); k++) {
    at = n > 0 ? t.indexOf(delim, at < 0 ? 0 : at + delim.length) : at - 1 < 0 ? -1 : t.lastIndexOf(delim, at - 1);
    if (at < 0) s.failWith('#N/A', `${show(t)} has no ${ordinal(Math.abs(n))} ${show(delim)}`);
  }
  return at;
}

const ordinal = (n: number) => `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;
