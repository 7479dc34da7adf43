// What the formula editor shows besides completion (shared/formula/completion.ts): markers, signature help
// and hovers, as plain data. No Monaco here (the lazy chunk maps these onto Monaco's types), so all of it is
// tested headless.
import { DIFFERENCES, exampleLine, fieldDoc, fieldReference, functionDoc, functionDocs, KEYWORD_DOCS, KEYWORDS, markdownText, type CompletionInput, type FunctionDoc, type Keyword } from '../../shared';

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

/** The parameter argument `i` fills, following `repeat` (IFS: condition, value, condition, value, …). */
export function paramIndex(fn: Pick<FunctionDoc, 'params' | 'repeat'>, i: number): number {
  const n = fn.params.length;
  if (i < n) return i;
  const repeat = fn.repeat ?? 0;
  if (!repeat) return n - 1;
  return n - repeat + ((i - n) % repeat);
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
    return { start: t.start, end: t.end, markdown: f ? fieldDoc(f, input.sourceLabel) : `**${markdownText(fieldReference(word))}** — no field has this name here.` };
  }
  const upper = word.toUpperCase();
  if (t.type === 'function') {
    const fn = (input.functions ?? functionDocs()).find((f) => f.name.toUpperCase() === upper);
    return fn ? { start: t.start, end: t.end, markdown: `\`\`\`\n${fn.signature}\n\`\`\`\n\n${functionDoc(fn)}` } : null;
  }
  if (t.type === 'operator') {
    const key = Object.keys(DIFFERENCES).find((k) => k.includes(' ') && k.split(' ').includes(word));
    return key ? { start: t.start, end: t.end, markdown: `**${word}** — **Differs from Excel:** ${DIFFERENCES[key]}` } : null;
  }
  if (t.type === 'keyword' && (KEYWORDS as readonly string[]).includes(upper)) {
    return { start: t.start, end: t.end, markdown: `**${upper}** — ${KEYWORD_DOCS[upper as Keyword]}` };
  }
  return null;
}
