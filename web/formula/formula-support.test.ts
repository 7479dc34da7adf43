import { describe, expect, it } from 'vitest';
import { completionsAt as sharedCompletions } from '../../shared';
import { FUNCTION_DOCS } from './catalog';
import { completionSpot, completionsAt, hoverAt, markersFor, parameterRanges, signatureHelp, type FunctionDoc } from './formula-support';

const fields = [
  { name: 'deal_value', type: 'number' as const },
  { name: 'first name', type: 'text' as const },
  { name: 'signed_up', type: 'date' as const },
];
const ROUND: FunctionDoc = {
  name: 'ROUND',
  category: 'Numbers',
  signature: 'ROUND(number, digits?) → Number',
  description: 'Rounds a number.',
  example: 'ROUND([deal_value], 2)',
  params: [
    { name: 'number', description: 'a Number' },
    { name: 'digits', description: 'optional, a Number' },
  ],
};
const CONCAT: FunctionDoc = { name: 'CONCAT', category: 'Text', signature: 'CONCAT(text, …) → Text', description: 'Joins text.', example: 'CONCAT("a", "b")', result: '"ab"', params: [{ name: 'text' }], repeat: 1 };
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

describe('completionSpot', () => {
  it('knows when the cursor is inside a field reference, a word or text', () => {
    expect(completionSpot('[de', 3)).toEqual({ kind: 'field', start: 0, end: 3 });
    // An auto-closed bracket (or the rest of a name being corrected) is replaced too.
    expect(completionSpot('1 + [de]', 7)).toEqual({ kind: 'field', start: 4, end: 8 });
    expect(completionSpot('[deal_valu] > 1', 5)).toEqual({ kind: 'field', start: 0, end: 11 });
    expect(completionSpot('[a]]b] + 1', 4)).toEqual({ kind: 'field', start: 0, end: 6 });
    expect(completionSpot('[a]] b', 4)).toEqual({ kind: 'field', start: 0, end: 4 });
    expect(completionSpot('[a] + RO', 8)).toEqual({ kind: 'name', start: 6, end: 8 });
    expect(completionSpot('ROUND(', 6)).toEqual({ kind: 'name', start: 6, end: 6 });
    expect(completionSpot('"[not a field', 5)).toEqual({ kind: 'string', start: 0, end: 5 });
    expect(completionSpot('LOOKUP([c], "ti")', 14)).toEqual({ kind: 'string', start: 12, end: 16 });
    expect(completionSpot('"say ""hi""" & ', 15)).toEqual({ kind: 'name', start: 15, end: 15 });
    expect(completionSpot('12', 2)).toEqual({ kind: 'none' });
  });
});

describe('completionsAt', () => {
  it('offers the fields with their types after [', () => {
    const items = completionsAt('[', 1, { fields, functions, sourceLabel: 'contacts.csv' });
    expect(items.map((i) => [i.kind, i.label, i.detail, i.insertText])).toEqual([
      ['field', 'deal_value', 'Number', '[deal_value]'],
      ['field', 'first name', 'Text', '[first name]'],
      ['field', 'signed_up', 'Date', '[signed_up]'],
    ]);
    expect(items[0]).toMatchObject({ start: 0, end: 1, filterText: '[deal_value]' });
    expect(items[0]?.documentation).toContain('contacts.csv');
  });

  it('offers functions (inserted as NAME( with signature help), keywords and fields for a word', () => {
    const items = completionsAt('[deal_value] + ro', 17, { fields, functions });
    const round = items.find((i) => i.label === 'ROUND');
    expect(round).toMatchObject({ kind: 'function', detail: 'ROUND(number, digits?) → Number', insertText: 'ROUND(', start: 15, end: 17, triggerSignatureHelp: true });
    expect(round?.documentation).toContain('Rounds a number.');
    expect(round?.documentation).toContain('Example: `ROUND([deal_value], 2)`');
    expect(items.filter((i) => i.kind === 'keyword').map((i) => i.label)).toEqual(['TRUE', 'FALSE', 'NULL', 'AND', 'OR', 'NOT']);
    expect(items.find((i) => i.label === 'first name')).toMatchObject({ insertText: '[first name]', filterText: 'first name' });
  });

  it("offers nothing inside text, except value map names as LOOKUP's second argument", () => {
    expect(completionsAt('"ab', 3, { fields, functions })).toEqual([]);
    const valueMaps = { tiers: { g: 'Gold', s: 'Silver' }, 'say "hi"': {} };
    expect(completionsAt('LOOKUP([c], "t', 14, { fields, functions, valueMaps, call: { name: 'LOOKUP', argIndex: 0 } })).toEqual([]);
    const items = completionsAt('LOOKUP([c], "t")', 14, { fields, functions, valueMaps, call: { name: 'lookup', argIndex: 1 } });
    expect(items.map((i) => [i.kind, i.label, i.insertText, i.start, i.end])).toEqual([
      ['value-map', 'tiers', '"tiers"', 12, 15],
      ['value-map', 'say "hi"', '"say ""hi"""', 12, 15],
    ]);
    expect(items[0]?.documentation).toContain('2 entries');
    expect(items[0]?.documentation).toContain('`g` → `Gold`');
  });

  it("offers the integration's declared parameters inside PARAM's quotes, with their types", () => {
    const params = [
      { name: 'since', type: 'date' as const, required: true },
      { name: 'limit', type: 'number' as const, required: false, default: 100 },
    ];
    const items = completionsAt('PARAM("s")', 8, { fields, functions, params, call: { name: 'PARAM', argIndex: 0 } });
    expect(items.map((i) => [i.kind, i.label, i.insertText, i.detail, i.start, i.end])).toEqual([
      ['parameter', 'since', '"since"', 'Date parameter', 6, 9],
      ['parameter', 'limit', '"limit"', 'Number parameter', 6, 9],
    ]);
    expect(items[1]?.documentation).toContain('default `100`');
    expect(completionsAt('UPPER("s")', 8, { fields, functions, params, call: { name: 'UPPER', argIndex: 0 } })).toEqual([]);
  });

  it('escapes ] in field names', () => {
    expect(completionsAt('[', 1, { fields: [{ name: 'a]b', type: 'text' }], functions: [] })[0]?.insertText).toBe('[a]]b]');
  });
});

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
    expect(hoverAt(10, tokens, { fields, functions, sourceLabel: 'CSV file' })?.markdown).toBe('**[deal_value]** · Number\n\nA field from *CSV file*.');
    expect(hoverAt(10, [{ type: 'field', start: 6, end: 18, value: 'deal_valu' }], { fields, functions })?.markdown).toContain('no field has this name');
    expect(hoverAt(21, tokens, { fields, functions })?.markdown).toContain('**TRUE**');
    expect(hoverAt(18, tokens, { fields, functions })).toBeNull();
  });
});

describe('the spreadsheet functions in the editor (issue 17)', () => {
  it('both completion lists offer the new functions with their signatures', () => {
    const web = completionsAt('=DATED', 6, { fields, functions: FUNCTION_DOCS }).filter((s) => s.kind === 'function');
    expect(web.find((s) => s.label === 'DATEDIF')?.detail).toBe('DATEDIF(start, end, unit) → Number');
    expect(web.length).toBeGreaterThanOrEqual(120);
    const shared = sharedCompletions('EOM', 3, fields);
    expect(shared.items.find((c) => c.label === 'EOMONTH')?.detail).toBe('EOMONTH(date, months) → Date');
  });

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
