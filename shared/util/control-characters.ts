// What a name Weft keeps may not hold (one rule for every name, id and search the API takes; tidy16 folded five copies).
// A name travels into alert mail subjects, webhook payloads, the audit log, file names on download and page titles:
// - control characters: C0 (NUL, tab, CR/LF, ESC …), DEL and C1 (U+0080–U+009F; NEL U+0085 is a line break);
// - the Unicode line and paragraph separators U+2028/U+2029 (line breaks to JavaScript, mail and most viewers);
// - half of a character (a lone UTF-16 surrogate), which no stored text can hold (a text column writes U+FFFD).
// Zero-width characters (U+200B–U+200D, U+2060, U+FEFF) are allowed: the joiners build emoji (👩‍💻) and spell
// Persian and Indic words, and none of them breaks a line or reorders text.
// - the embeddings, overrides and isolates that reorder what follows them (U+202A–U+202E, U+2066–U+2069): an
//   integration named "Orders\u202edeliaf" reads "Ordersfailed" in an alert mail's subject (probe21). A search a person
//   types may hold them (`allowReordering`).
// The plain direction marks LRM/RLM (U+200E/U+200F) and ALM (U+061C, the Arabic letter mark) only place neutral
// characters (Hebrew and Arabic names carry them legitimately): refused only where asked (`directionMarks`), an
// upload's name, where every mark is suspect.

export interface ControlRuleOptions {
  /** Tab is allowed (a search a person typed). */
  allowTab?: boolean;
  /** The marks that reorder text (U+202A–U+202E, U+2066–U+2069) are allowed (a search). */
  allowReordering?: boolean;
  /** LRM, RLM and ALM (U+200E/U+200F/U+061C) are refused too (and the reordering marks, whatever `allowReordering` says). */
  directionMarks?: boolean;
}

const CONTROLS = '\\u0000-\\u0008\\u000a-\\u001f\\u007f-\\u009f\\u2028\\u2029';
const REORDERING = '\\u202a-\\u202e\\u2066-\\u2069';
const DIRECTION_MARKS = '\\u061c\\u200e\\u200f';
const cache = new Map<string, RegExp>();

/**
 * A pattern a whole text matches when it holds none of the characters above (for zod's `.regex`, so the API's
 * description shows it). Whole surrogate pairs are allowed, a half of one is not. No `u` flag: it reads UTF-16 units.
 */
export function controlFreePattern({ allowTab = false, allowReordering = false, directionMarks = false }: ControlRuleOptions = {}): RegExp {
  const key = `${allowTab}/${allowReordering}/${directionMarks}`;
  let pattern = cache.get(key);
  if (pattern === undefined) {
    const refused = `${CONTROLS}${allowTab ? '' : '\\u0009'}${allowReordering && !directionMarks ? '' : REORDERING}${directionMarks ? DIRECTION_MARKS : ''}`;
    pattern = new RegExp(`^(?:[^${refused}\\ud800-\\udfff]|[\\ud800-\\udbff][\\udc00-\\udfff])*$`);
    cache.set(key, pattern);
  }
  return pattern;
}

/** What a name with such a character is answered (integrations, connections, people, tokens, runs). */
export const NAME_CONTROL_MESSAGE = 'A name holds no control characters (line breaks, tabs, NUL) or invisible marks that reorder text';

/** Whether the text holds a character a name may not (see above). */
export const hasControlCharacters = (text: string, options?: ControlRuleOptions): boolean => !controlFreePattern(options).test(text);
