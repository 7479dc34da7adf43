// Formula completion, the one implementation: what the editor offers at a cursor (fields inside `[`, value
// maps inside LOOKUP's text, declared run parameters inside PARAM's text, else fields, functions and keywords),
// with the documentation each item shows.
// Plain data; the web editor maps it onto Monaco's types (web/formula/monaco-language.ts).
import { FIELD_TYPE_LABELS, type Field, type FieldType } from '../graph/field-types';
import { PARAMETER_TYPE_LABELS, type RunParameter } from '../graph/parameters';
import { counterpartOf } from './counterparts';
import { functionAt, KEYWORDS, type Keyword } from './editor';
import type { FunctionSpec, ParamKind } from './function-spec';
import { FUNCTIONS } from './functions';

export const KEYWORD_DOCS: Record<Keyword, string> = {
  TRUE: 'The Boolean value true.',
  FALSE: 'The Boolean value false.',
  NULL: 'No value (an empty cell).',
  AND: 'Both conditions hold: `[vip] AND [deal_value] > 1000`.',
  OR: 'Either condition holds: `[country] = "FR" OR [country] = "BE"`.',
  NOT: 'The opposite of a condition: `NOT [vip]`.',
};

/** One function as the editor documents it (adapted from the FUNCTIONS table by toFunctionDoc). */
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

const KIND_WORDS: Record<ParamKind, string> = {
  text: 'Text',
  number: 'a Number',
  numbers: 'a Number or a List of Numbers',
  boolean: 'TRUE or FALSE',
  date: 'a Date',
  scalar: 'a single value',
  list: 'a List',
  any: 'any value',
};

export function toFunctionDoc(f: FunctionSpec): FunctionDoc {
  const c = counterpartOf(f.name);
  const names = c ? [c.excel && `Excel ${c.excel}`, c.sheets && `Sheets ${c.sheets}`, c.airtable && `Airtable ${c.airtable}`].filter(Boolean).join(' · ') : '';
  return {
    ...(names ? { counterparts: names } : {}),
    ...(c?.differs ? { differs: c.differs } : {}),
    name: f.name,
    category: f.category,
    signature: f.signature,
    description: f.description,
    example: f.example,
    result: f.result,
    repeat: f.repeat,
    params: f.params.map((p) => ({
      name: p.name,
      description: `${KIND_WORDS[p.kind]}${p.optional ? ', optional' : ''}${p.constant ? ', written in the formula (not computed)' : ''}`,
    })),
  };
}

let docs: readonly FunctionDoc[] | null = null;
/** Every function as the editor documents it (built once, on first use). */
export const functionDocs = (): readonly FunctionDoc[] => (docs ??= FUNCTIONS.map(toFunctionDoc));

export type SuggestionKind = 'field' | 'function' | 'keyword' | 'value-map' | 'parameter' | 'member-system';

export interface Suggestion {
  kind: SuggestionKind;
  label: string;
  /** The type of a field; the signature of a function. */
  detail: string;
  /** Markdown. */
  documentation: string;
  insertText: string;
  /** What the editor matches the typed text against (`[name]` inside a bracket, the bare name after a word). */
  filterText: string;
  sortText: string;
  /** Open signature help once inserted (functions). */
  triggerSignatureHelp?: boolean;
}

/** The items for a cursor, and the offsets of the text an accepted item replaces. */
export interface Completions {
  from: number;
  to: number;
  items: Suggestion[];
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

/**
 * Text from data (a field, a step, a value map, a parameter or a member system name, a value) made safe to put in the
 * Markdown the editor renders: every ASCII punctuation character is escaped, so `<img …>`, `*`, `[…](…)` or a
 * backtick read as typed instead of becoming markup, a link or a code span; line breaks and other control
 * characters become spaces, so a name cannot start a heading or a list.
 */
export const markdownText = (s: string) =>
  s
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`)
    // A space at either end as its entity: beside the ** or * around a name, a plain one undid the emphasis and the
    // asterisks showed ("A field from * Orders*.") (review15b).
    .replace(/^ +| +$/g, (run) => '&#32;'.repeat(run.length));

/** A value from data as a Markdown code span: fenced by more backticks than it holds, so it cannot close it early. */
export function markdownCode(s: string): string {
  const t = s.replace(/[\u0000-\u001f\u007f]/g, ' ');
  const fence = '`'.repeat(Math.max(0, ...(t.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  const pad = t === '' || t.startsWith('`') || t.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}
export const textLiteral = (s: string) => `"${s.replace(/"/g, '""')}"`;
export const fieldTypeLabel = (t: FieldType) => FIELD_TYPE_LABELS[t] ?? t;

export function fieldDoc(f: Field, sourceLabel?: string | null): string {
  return `**${markdownText(fieldReference(f.name))}** · ${fieldTypeLabel(f.type)}${sourceLabel ? `\n\nA field from *${markdownText(sourceLabel)}*.` : ''}`;
}

export const exampleLine = (fn: FunctionDoc) => (fn.example ? `Example: \`${fn.example}\`${fn.result ? ` → \`${fn.result}\`` : ''}` : '');

export function functionDoc(fn: FunctionDoc): string {
  const params = fn.params.filter((p) => p.description).map((p) => `- \`${p.name}\` — ${p.description}`);
  const origin = fn.counterparts ? `Spreadsheet counterpart: ${fn.counterparts}.` : '';
  const differs = fn.differs ? `**Differs from Excel:** ${fn.differs}` : '';
  return [fn.description, params.join('\n'), exampleLine(fn), origin, differs].filter(Boolean).join('\n\n');
}

function valueMapDoc(name: string, entries: Record<string, unknown>): string {
  const pairs = Object.entries(entries);
  const shown = pairs.slice(0, 5).map(([from, to]) => `- ${markdownCode(from)} → ${markdownCode(String(to))}`);
  return [`Value map **${markdownText(name)}** · ${pairs.length} ${pairs.length === 1 ? 'entry' : 'entries'}`, shown.join('\n'), pairs.length > 5 ? '…' : ''].filter(Boolean).join('\n\n');
}

function parameterDoc(p: RunParameter): string {
  const hasDefault = p.default !== undefined && p.default !== null && p.default !== '';
  return `Run parameter **${markdownText(p.name)}** · ${PARAMETER_TYPE_LABELS[p.type]}${p.required ? ' · required' : ''}${hasDefault ? ` · default ${markdownCode(String(p.default))}` : ''}`;
}

export interface CompletionInput {
  fields: readonly Field[];
  /** The functions offered; every function (functionDocs()) when absent. */
  functions?: readonly FunctionDoc[];
  sourceLabel?: string | null;
  /** Value maps by name, offered for LOOKUP's second argument. */
  valueMaps?: Record<string, Record<string, unknown>>;
  /** The integration's declared run parameters, offered for PARAM's argument. */
  params?: readonly RunParameter[];
  /** The member systems MEMBER's first and third arguments complete to ("weft" is always offered). */
  memberSystems?: readonly string[];
  /** The call around the cursor; found with functionAt when absent. */
  call?: { name: string; argIndex: number } | null;
}

/**
 * The completion list at `offset`: fields inside `[`, value map names inside LOOKUP's second argument, declared
 * run parameters inside PARAM's first, else
 * fields, functions and keywords for the word being typed. Every candidate is listed; the editor narrows the
 * list by each item's filterText as the person types (fuzzy, as Monaco does).
 */
export function completionsAt(text: string, offset: number, input: CompletionInput): Completions {
  const spot = completionSpot(text, offset);
  if (spot.kind === 'none') return { from: offset, to: offset, items: [] };
  const range = { from: spot.start, to: spot.end };
  if (spot.kind === 'string') {
    const call = input.call === undefined ? functionAt(text, offset) : input.call;
    if (call?.name.toUpperCase() === 'PARAM' && call.argIndex === 0) {
      const items = (input.params ?? []).map(
        (p, i): Suggestion => ({
          kind: 'parameter',
          label: p.name,
          detail: `${PARAMETER_TYPE_LABELS[p.type]} parameter`,
          documentation: parameterDoc(p),
          insertText: textLiteral(p.name),
          filterText: textLiteral(p.name),
          sortText: `0${String(i).padStart(4, '0')}`,
        }),
      );
      return { ...range, items };
    }
    if (call?.name.toUpperCase() === 'MEMBER' && (call.argIndex === 0 || call.argIndex === 2)) {
      const names = [...(input.memberSystems ?? []), 'weft'];
      const items = names.map(
        (name, i): Suggestion => ({
          kind: 'member-system',
          label: name,
          detail: name === 'weft' ? "Weft's members (email)" : 'member system',
          documentation: name === 'weft' ? (call.argIndex === 0 ? 'The id is an email: the member with this email.' : "Gives the member's email.") : `Users of ${markdownText(name)}, aligned on the Members page.`,
          insertText: textLiteral(name),
          filterText: textLiteral(name),
          sortText: `0${String(i).padStart(4, '0')}`,
        }),
      );
      return { ...range, items };
    }
    if (call?.name.toUpperCase() !== 'LOOKUP' || call.argIndex !== 1) return { ...range, items: [] };
    const items = Object.entries(input.valueMaps ?? {}).map(
      ([name, entries], i): Suggestion => ({
        kind: 'value-map',
        label: name,
        detail: 'value map',
        documentation: valueMapDoc(name, entries),
        insertText: textLiteral(name),
        filterText: textLiteral(name),
        sortText: `0${String(i).padStart(4, '0')}`,
      }),
    );
    return { ...range, items };
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
    }),
  );
  if (spot.kind === 'field') return { ...range, items: fields };
  const functions = (input.functions ?? functionDocs()).map(
    (fn): Suggestion => ({
      kind: 'function',
      label: fn.name,
      detail: fn.signature,
      documentation: functionDoc(fn),
      insertText: `${fn.name}(`,
      filterText: fn.name,
      sortText: `1${fn.name}`,
      triggerSignatureHelp: true,
    }),
  );
  const keywords = KEYWORDS.map((k): Suggestion => ({ kind: 'keyword', label: k, detail: 'keyword', documentation: KEYWORD_DOCS[k], insertText: k, filterText: k, sortText: `2${k}` }));
  return { ...range, items: [...fields, ...functions, ...keywords] };
}
