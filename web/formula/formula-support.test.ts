import { describe, expect, it } from 'vitest';
// The Markdown renderer Monaco's hovers and suggestions use.
import { marked } from 'monaco-editor/base/common/marked/marked.js';
import { functionDocs, type FunctionDoc } from '../../shared';
import { CONCAT_DOC, EDITOR_FIELDS, ROUND_DOC } from '../../shared/formula/test-kit';
import { hoverAt, markersFor, parameterRanges, signatureHelp } from './formula-support';

// Completion is shared/formula's completionsAt (tested in shared/formula/completion.test.ts); this is the rest.
const FUNCTION_DOCS = functionDocs();

const fields = EDITOR_FIELDS;
const ROUND = ROUND_DOC;
const CONCAT = CONCAT_DOC;
const IFS: FunctionDoc = {
  name: 'IFS',
  category: 'Logic',
  signature: 'IFS(condition, value, …) → the type of the values',
  description: 'First TRUE wins.',
  example: '',
  params: [{ name: 'condition' }, { name: 'value' }],
  repeat: 2,
};
const functions = [ROUND, CONCAT, IFS];

// 1-based line/column as Monaco counts them (what shared/formula's offsetToPosition does).
const toPosition = (text: string, offset: number) => {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1] ?? '').length + 1 };
};

describe('markersFor', () => {
  it('turns checker ranges into 1-based Monaco positions', () => {
    const text = 'IF([deal_valu] > 10000,\n  1, 2)';
    const [m] = markersFor(text, [{ message: 'Unknown field [deal_valu]. Did you mean [deal_value]?', start: 3, end: 14, severity: 'error', code: 'unknown-field' }], toPosition);
    expect(m).toEqual({
      severity: 'error',
      message: 'Unknown field [deal_valu]. Did you mean [deal_value]?',
      code: 'unknown-field',
      startLineNumber: 1,
      startColumn: 4,
      endLineNumber: 1,
      endColumn: 15,
    });
    const [second] = markersFor(text, [{ message: 'x', start: 26, end: 27, severity: 'warning', code: 'format-hint' }], toPosition);
    expect(second).toMatchObject({ severity: 'warning', startLineNumber: 2, startColumn: 3, endColumn: 4 });
  });

  it('widens empty ranges so the squiggle shows, and clamps to the text', () => {
    const [atEnd] = markersFor('1 +', [{ message: 'Expected a value after "+"', start: 3, end: 3, severity: 'error', code: 'unexpected-token' }], toPosition);
    expect(atEnd).toMatchObject({ startColumn: 3, endColumn: 4 });
    const [inside] = markersFor('(1', [{ message: 'x', start: 0, end: 0, severity: 'error', code: 'unclosed-paren' }], toPosition);
    expect(inside).toMatchObject({ startColumn: 1, endColumn: 2 });
    const [beyond] = markersFor('ab', [{ message: 'x', start: 1, end: 99, severity: 'error', code: 'empty' }], toPosition);
    expect(beyond).toMatchObject({ startColumn: 2, endColumn: 3 });
  });
});

describe('signature help', () => {
  it('finds each parameter in the signature and highlights the active one', () => {
    expect(parameterRanges(ROUND.signature, ROUND.params)).toEqual([
      [6, 12],
      [14, 20],
    ]);
    const help = signatureHelp({ name: 'round', argIndex: 1 }, functions);
    expect(help).toMatchObject({ label: ROUND.signature, activeParameter: 1 });
    expect(help?.parameters.map((p) => ROUND.signature.slice(...p.label))).toEqual(['number', 'digits']);
  });

  it('follows repeating parameters and ignores unknown functions', () => {
    expect(signatureHelp({ name: 'CONCAT', argIndex: 4 }, functions)?.activeParameter).toBe(0);
    expect(signatureHelp({ name: 'CONCAT', argIndex: 0 }, functions)?.documentation).toBe('Joins text.\n\nExample: `CONCAT("a", "b")` → `"ab"`');
    expect([0, 1, 2, 3, 4].map((argIndex) => signatureHelp({ name: 'IFS', argIndex }, functions)?.activeParameter)).toEqual([0, 1, 0, 1, 0]);
    expect(signatureHelp({ name: 'ROUND', argIndex: 5 }, functions)?.activeParameter).toBe(1);
    expect(signatureHelp({ name: 'NOPE', argIndex: 0 }, functions)).toBeNull();
    expect(signatureHelp(null, functions)).toBeNull();
  });
});

describe('hoverAt', () => {
  // tokenize('ROUND([deal_value], TRUE)') from the formula package
  const tokens = [
    { type: 'function', start: 0, end: 5, value: 'ROUND' },
    { type: 'paren', start: 5, end: 6 },
    { type: 'field', start: 6, end: 18, value: 'deal_value' },
    { type: 'comma', start: 18, end: 19 },
    { type: 'whitespace', start: 19, end: 20 },
    { type: 'keyword', start: 20, end: 24, value: 'TRUE' },
    { type: 'paren', start: 24, end: 25 },
  ];
  it('documents functions, fields and keywords', () => {
    expect(hoverAt(2, tokens, { fields, functions })).toMatchObject({ start: 0, end: 5 });
    expect(hoverAt(2, tokens, { fields, functions })?.markdown).toContain('ROUND(number, digits?) → Number');
    expect(hoverAt(10, tokens, { fields, functions, sourceLabel: 'CSV file' })?.markdown).toBe('**\\[deal\\_value\\]** · Number\n\nA field from *CSV file*.');
    expect(hoverAt(10, [{ type: 'field', start: 6, end: 18, value: 'deal_valu' }], { fields, functions })?.markdown).toContain('no field has this name');
    expect(hoverAt(21, tokens, { fields, functions })?.markdown).toContain('**TRUE**');
    expect(hoverAt(18, tokens, { fields, functions })).toBeNull();
  });
  it('shows names from data as typed, never as markup, links or code (ui15)', () => {
    const hostile = '<img src=x onerror=alert(1)> *b* [l](http://e.example) `c`';
    const md = hoverAt(10, [{ type: 'field', start: 6, end: 18, value: hostile }], { fields: [{ name: hostile, type: 'text' }], functions, sourceLabel: `${hostile}\n# title` })!.markdown;
    // Every ASCII punctuation character of the names is escaped (Markdown shows it as it is); a line break is a space.
    const shown = String.raw`\<img src\=x onerror\=alert\(1\)\> \*b\* \[l\]`;
    expect(md).toBe(String.raw`**\[${shown}\]\(http\:\/\/e\.example\) \`c\`\]** · Text` + `\n\nA field from *${shown}\\(http\\:\\/\\/e\\.example\\) \\\`c\\\` \\# title*.`);
    const unknown = hoverAt(10, [{ type: 'field', start: 6, end: 18, value: hostile }], { fields, functions })!.markdown;
    expect(unknown).toBe(String.raw`**\[${shown}\]\(http\:\/\/e\.example\) \`c\`\]** — no field has this name here.`);
  });
});

describe('names from data as the editor renders them (review15b)', () => {
  /** The hover's HTML as Monaco's Markdown renderer makes it, and its text with the entities read. */
  const render = (md: string) => {
    const html = marked.parse(md, { async: false, gfm: true }) as string;
    const text = html.replace(/<[^>]+>/g, '').replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    return { html, text };
  };
  it.each([' Orders', 'Orders ', '  two  ', '*b*', '_u_ __d__', '`c` ``d``', '[x](javascript:alert(1))', '| a | b |', 'back\\slash\\', '<img src=x onerror=alert(1)>', 'www.e.example a@b.example', '&lt;b&gt;', '# h', '1. x', '> q'])(
    'shows the step %j and a field of that name as typed, in the emphasis around them',
    (name) => {
      const md = hoverAt(10, [{ type: 'field', start: 6, end: 18, value: name }], { fields: [{ name, type: 'text' }], functions, sourceLabel: name })!.markdown;
      const { html, text } = render(md);
      expect(text.trim()).toBe(`[${name.replace(/]/g, ']]')}] · Text\nA field from ${name}.`);
      // The wrapper's strong and em only: no link, image, code, heading, list, quote or table from the name.
      expect(html.match(/<[a-z][a-z0-9]*/g)).toEqual(['<p', '<strong', '<p', '<em']);
    },
  );
});

describe('the spreadsheet functions in the editor (issue 17)', () => {
  it('the hover names the spreadsheet counterpart and says where Weft differs', () => {
    const hover = hoverAt(1, [{ type: 'function', start: 0, end: 5, value: 'ISBLANK' }], { fields, functions: FUNCTION_DOCS });
    expect(hover?.markdown).toContain('Spreadsheet counterpart: Excel ISBLANK · Sheets ISBLANK.');
    expect(hover?.markdown).toContain('**Differs from Excel:** Empty text counts as blank');
    // + - * / treat a blank as 0, as Excel: no longer a difference, so no hover.
    expect(hoverAt(4, [{ type: 'operator', start: 4, end: 5, value: '+' }], { fields, functions: FUNCTION_DOCS })).toBeNull();
    expect(hoverAt(4, [{ type: 'operator', start: 4, end: 5, value: '/' }], { fields, functions: FUNCTION_DOCS })).toBeNull();
    const equals = hoverAt(4, [{ type: 'operator', start: 4, end: 5, value: '=' }], { fields, functions: FUNCTION_DOCS });
    expect(equals?.markdown).toContain('**=** — **Differs from Excel:** Text comparisons are case-sensitive');
    expect(hoverAt(4, [{ type: 'operator', start: 4, end: 5, value: '&' }], { fields, functions: FUNCTION_DOCS })).toBeNull();
  });
});
