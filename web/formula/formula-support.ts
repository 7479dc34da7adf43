// What the formula editor offers, as plain data: completion items, markers, signature help and hovers.
// No Monaco here (the lazy chunk maps these onto Monaco's types), so all of it is tested headless.
import { DIFFERENCES, FIELD_TYPE_LABELS, PARAMETER_TYPE_LABELS, type Field, type FieldType, type RunParameter } from '../../shared';
import { KEYWORDS } from './monarch';

/** One function as the editor documents it (adapted from the formula package's FUNCTIONS table). */
export interface FunctionDoc {
  name: string;
  category: string;
  /** "ROUND(number, digits?) → Number" */
  signature: string;
  description: string;
  example: string;
  /** What the example gives ("\"large\""). */
  result?: string;
  params: { name: string; description?: string }[];
  /** The last `repeat` params may repeat (SUM(number, …) repeats 1, IFS(condition, value, …) 2). */
  repeat?: number;
  /** "Excel EDATE · Sheets EDATE": the spreadsheet functions it stands for. */
  counterparts?: string;
  /** How Weft deliberately differs from them. */
  differs?: string;
}

/** A problem with a character range inside the formula text (checkFormula's diagnostics). */
export interface RangedProblem {
  message: string;
  start: number;
  end: number;
  severity: 'error' | 'warning';
  code: string;
}

export interface Pos {
  line: number;
  column: number;
}
export type OffsetToPosition = (text: string, offset: number) => Pos;

export type SuggestionKind = 'field' | 'function' | 'keyword' | 'value-map' | 'parameter';

export interface Suggestion {
  kind: SuggestionKind;
  label: string;
  /** The type of a field; the signature of a function. */
  detail: string;
  /** Markdown. */
  documentation: string;
  insertText: string;
  filterText: string;
  sortText: string;
  /** Offsets of the text the item replaces. */
  start: number;
  end: number;
  /** Open signature help once inserted (functions). */
  triggerSignatureHelp?: boolean;
}

/** Where the cursor is, for completion: inside a [field reference], after a word, inside "text", or after a number. */
export type CompletionSpot =
  | { kind: 'field'; start: number; end: number }
  | { kind: 'name'; start: number; end: number }
  | { kind: 'string'; start: number; end: number }
  | { kind: 'none' };

const isIdentPart = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);

export function completionSpot(text: string, offset: number): CompletionSpot {
  let state: 'code' | 'string' | 'field' = 'code';
  let fieldStart = -1;
  let stringStart = -1;
  for (let i = 0; i < offset; i++) {
    const c = text[i];
    if (state === 'code') {
      if (c === '"') {
        state = 'string';
        stringStart = i;
      } else if (c === '[') {
        state = 'field';
        fieldStart = i;
      }
    } else if (state === 'string') {
      if (c === '"') {
        if (text[i + 1] === '"' && i + 1 < offset) i++;
        else state = 'code';
      }
    } else if (c === ']') {
      if (text[i + 1] === ']' && i + 1 < offset) i++;
      else state = 'code';
    } else if (c === '\n' || c === '\r') state = 'code';
  }
  if (state === 'string') {
    const rest = /^(?:[^"]|"")*"/.exec(text.slice(offset));
    return { kind: 'string', start: stringStart, end: offset + (rest ? rest[0].length : 0) };
  }
  if (state === 'field') {
    // Replace through the closing bracket (auto-inserted, or the rest of a name being corrected).
    const rest = /^(?:[^\]["\n\r]|\]\])*\]/.exec(text.slice(offset));
    return { kind: 'field', start: fieldStart, end: offset + (rest ? rest[0].length : 0) };
  }
  let start = offset;
  while (start > 0 && isIdentPart(text[start - 1])) start--;
  let end = offset;
  while (end < text.length && isIdentPart(text[end])) end++;
  if (start < offset && /[0-9]/.test(text[start] ?? '')) return { kind: 'none' };
  return { kind: 'name', start, end };
}

export const fieldReference = (name: string) => `[${name.replace(/]/g, ']]')}]`;

export const fieldTypeLabel = (t: FieldType) => FIELD_TYPE_LABELS[t] ?? t;

function fieldDoc(f: Field, sourceLabel?: string | null) {
  return `**${fieldReference(f.name)}** · ${fieldTypeLabel(f.type)}${sourceLabel ? `\n\nA field from *${sourceLabel}*.` : ''}`;
}

const exampleLine = (fn: FunctionDoc) => (fn.example ? `Example: \`${fn.example}\`${fn.result ? ` → \`${fn.result}\`` : ''}` : '');

export function functionDoc(fn: FunctionDoc): string {
  const params = fn.params.filter((p) => p.description).map((p) => `- \`${p.name}\` — ${p.description}`);
  const origin = fn.counterparts ? `Spreadsheet counterpart: ${fn.counterparts}.` : '';
  const differs = fn.differs ? `**Differs from Excel:** ${fn.differs}` : '';
  return [fn.description, params.join('\n'), exampleLine(fn), origin, differs].filter(Boolean).join('\n\n');
}

/** The parameter argument `i` fills, following `repeat` (IFS: condition, value, condition, value, …). */
export function paramIndex(fn: Pick<FunctionDoc, 'params' | 'repeat'>, i: number): number {
  const n = fn.params.length;
  if (i < n) return i;
  const repeat = fn.repeat ?? 0;
  if (!repeat) return n - 1;
  return n - repeat + ((i - n) % repeat);
}

const KEYWORD_DOCS: Record<(typeof KEYWORDS)[number], string> = {
  TRUE: 'The Boolean value true.',
  FALSE: 'The Boolean value false.',
  NULL: 'No value (an empty cell).',
  AND: 'Both conditions hold: `[vip] AND [deal_value] > 1000`.',
  OR: 'Either condition holds: `[country] = "FR" OR [country] = "BE"`.',
  NOT: 'The opposite of a condition: `NOT [vip]`.',
};

export interface CompletionInput {
  fields: readonly Field[];
  functions: readonly FunctionDoc[];
  sourceLabel?: string | null;
  /** Value maps by name, offered for LOOKUP's second argument. */
  valueMaps?: Record<string, Record<string, unknown>>;
  /** The integration's declared run parameters, offered for PARAM's argument. */
  params?: readonly RunParameter[];
  /** The call around the cursor (the formula package's functionAt). */
  call?: { name: string; argIndex: number } | null;
}

export const textLiteral = (s: string) => `"${s.replace(/"/g, '""')}"`;

function valueMapDoc(name: string, entries: Record<string, unknown>): string {
  const pairs = Object.entries(entries);
  const shown = pairs.slice(0, 5).map(([from, to]) => `- \`${from}\` → \`${String(to)}\``);
  return [`Value map **${name}** · ${pairs.length} ${pairs.length === 1 ? 'entry' : 'entries'}`, shown.join('\n'), pairs.length > 5 ? '…' : ''].filter(Boolean).join('\n\n');
}

/** The completion list at `offset`: fields inside `[`, else fields, functions and keywords for the word being typed. */
export function completionsAt(text: string, offset: number, input: CompletionInput): Suggestion[] {
  const spot = completionSpot(text, offset);
  if (spot.kind === 'none') return [];
  if (spot.kind === 'string') {
    if (input.call?.name.toUpperCase() === 'PARAM' && input.call.argIndex === 0) {
      return (input.params ?? []).map((p, i) => ({
        kind: 'parameter',
        label: p.name,
        detail: `${PARAMETER_TYPE_LABELS[p.type]} parameter`,
        documentation: `Run parameter **${p.name}** · ${PARAMETER_TYPE_LABELS[p.type]}${p.required ? ' · required' : ''}${p.default !== undefined && p.default !== null && p.default !== '' ? ` · default \`${String(p.default)}\`` : ''}`,
        insertText: textLiteral(p.name),
        filterText: textLiteral(p.name),
        sortText: `0${String(i).padStart(4, '0')}`,
        start: spot.start,
        end: spot.end,
      }));
    }
    if (input.call?.name.toUpperCase() !== 'LOOKUP' || input.call.argIndex !== 1) return [];
    return Object.entries(input.valueMaps ?? {}).map(([name, entries], i) => ({
      kind: 'value-map',
      label: name,
      detail: 'value map',
      documentation: valueMapDoc(name, entries),
      insertText: textLiteral(name),
      filterText: textLiteral(name),
      sortText: `0${String(i).padStart(4, '0')}`,
      start: spot.start,
      end: spot.end,
    }));
  }
  const fields = input.fields.map(
    (f, i): Suggestion => ({
      kind: 'field',
      label: f.name,
      detail: fieldTypeLabel(f.type),
      documentation: fieldDoc(f, input.sourceLabel),
      insertText: fieldReference(f.name),
      filterText: spot.kind === 'field' ? fieldReference(f.name) : f.name,
      sortText: `0${String(i).padStart(4, '0')}`,
      start: spot.start,
      end: spot.end,
    }),
  );
  if (spot.kind === 'field') return fields;
  const functions = input.functions.map(
    (fn): Suggestion => ({
      kind: 'function',
      label: fn.name,
      detail: fn.signature,
      documentation: functionDoc(fn),
      insertText: `${fn.name}(`,
      filterText: fn.name,
      sortText: `1${fn.name}`,
      start: spot.start,
      end: spot.end,
      triggerSignatureHelp: true,
    }),
  );
  const keywords = KEYWORDS.map(
    (k): Suggestion => ({ kind: 'keyword', label: k, detail: 'keyword', documentation: KEYWORD_DOCS[k], insertText: k, filterText: k, sortText: `2${k}`, start: spot.start, end: spot.end }),
  );
  return [...fields, ...functions, ...keywords];
}

export interface MarkerLike {
  severity: 'error' | 'warning';
  message: string;
  code: string;
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
}

/** Editor markers for the checker's problems; an empty range is widened to one character so it shows. */
export function markersFor(text: string, problems: readonly RangedProblem[], toPosition: OffsetToPosition): MarkerLike[] {
  return problems.map((d) => {
    let start = Math.max(0, Math.min(d.start, text.length));
    let end = Math.max(start, Math.min(d.end, text.length));
    if (end === start) {
      if (end < text.length) end++;
      else if (start > 0) start--;
    }
    const s = toPosition(text, start);
    const e = toPosition(text, end);
    return { severity: d.severity, message: d.message, code: d.code, startLineNumber: s.line, startColumn: s.column, endLineNumber: e.line, endColumn: e.column };
  });
}

export interface SignatureInfo {
  label: string;
  documentation: string;
  /** Each parameter's [start, end) inside `label`, for highlighting. */
  parameters: { label: [number, number]; documentation: string }[];
  activeParameter: number;
}

/** Where each parameter name sits in a signature string, in order ("ROUND(number, digits?)"). */
export function parameterRanges(signature: string, params: readonly { name: string }[]): [number, number][] {
  const open = signature.indexOf('(');
  let from = open < 0 ? 0 : open + 1;
  return params.map((p) => {
    const at = signature.indexOf(p.name, from);
    if (at < 0) return [0, 0];
    from = at + p.name.length;
    return [at, at + p.name.length];
  });
}

/** Signature help for the call around the cursor; extra arguments of a repeating function cycle through its repeating params. */
export function signatureHelp(call: { name: string; argIndex: number } | null, functions: readonly FunctionDoc[]): SignatureInfo | null {
  if (!call) return null;
  const fn = functions.find((f) => f.name.toUpperCase() === call.name.toUpperCase());
  if (!fn) return null;
  const ranges = parameterRanges(fn.signature, fn.params);
  return {
    label: fn.signature,
    documentation: [fn.description, exampleLine(fn)].filter(Boolean).join('\n\n'),
    parameters: fn.params.map((p, i) => ({ label: ranges[i] ?? [0, 0], documentation: p.description ?? '' })),
    activeParameter: Math.max(0, paramIndex(fn, Math.max(0, call.argIndex))),
  };
}

/** A token as the formula package's tokenize() returns it (only what hovers need). */
export interface HoverToken {
  type: string;
  start: number;
  end: number;
  value?: string;
}

/** Hover text for the field, function or keyword under the cursor. */
export function hoverAt(offset: number, tokens: readonly HoverToken[], input: CompletionInput): { start: number; end: number; markdown: string } | null {
  const t = tokens.find((x) => x.start <= offset && offset < x.end);
  if (!t) return null;
  const word = t.value ?? '';
  if (t.type === 'field') {
    const f = input.fields.find((x) => x.name === word);
    return { start: t.start, end: t.end, markdown: f ? fieldDoc(f, input.sourceLabel) : `**${fieldReference(word)}** — no field has this name here.` };
  }
  const upper = word.toUpperCase();
  if (t.type === 'function') {
    const fn = input.functions.find((f) => f.name.toUpperCase() === upper);
    return fn ? { start: t.start, end: t.end, markdown: `\`\`\`\n${fn.signature}\n\`\`\`\n\n${functionDoc(fn)}` } : null;
  }
  if (t.type === 'operator') {
    const key = Object.keys(DIFFERENCES).find((k) => k.includes(' ') && k.split(' ').includes(word));
    return key ? { start: t.start, end: t.end, markdown: `**${word}** — **Differs from Excel:** ${DIFFERENCES[key]}` } : null;
  }
  if (t.type === 'keyword' && (KEYWORDS as readonly string[]).includes(upper)) {
    return { start: t.start, end: t.end, markdown: `**${upper}** — ${KEYWORD_DOCS[upper as (typeof KEYWORDS)[number]]}` };
  }
  return null;
}
