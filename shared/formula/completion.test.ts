import { describe, expect, it } from 'vitest';
import { completionSpot, completionsAt, functionDocs, type CompletionInput, type Completions } from './index';
import { CONCAT_DOC, EDITOR_FIELDS, FIELDS, ROUND_DOC } from './test-kit';

// The one completion implementation (the web editor only maps it onto Monaco). These assertions were
// the shared editor's and the web editor's own, kept when the two implementations became one.

const fields = EDITOR_FIELDS;
const ROUND = ROUND_DOC;
const CONCAT = CONCAT_DOC;
const functions = [ROUND, CONCAT];

/** What the editor keeps of a list as the person types: the items whose filterText starts with the text typed so far (case aside). */
function typed(text: string, offset: number, input: CompletionInput): Completions {
  const c = completionsAt(text, offset, input);
  const prefix = text.slice(c.from, offset).toLowerCase();
  return { ...c, items: c.items.filter((i) => i.filterText.toLowerCase().startsWith(prefix)) };
}

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
    const c = completionsAt('[', 1, { fields, functions, sourceLabel: 'contacts.csv' });
    expect(c.items.map((i) => [i.kind, i.label, i.detail, i.insertText])).toEqual([
      ['field', 'deal_value', 'Number', '[deal_value]'],
      ['field', 'first name', 'Text', '[first name]'],
      ['field', 'signed_up', 'Date', '[signed_up]'],
    ]);
    expect(c).toMatchObject({ from: 0, to: 1 });
    expect(c.items[0]).toMatchObject({ filterText: '[deal_value]' });
    // Names from data are escaped for Markdown (ui15): the dot shows as a dot.
    expect(c.items[0]?.documentation).toContain('contacts\\.csv');
  });

  it('offers fields inside an open bracket, escaped', () => {
    const c = typed('1 + [clo', 8, { fields: FIELDS });
    expect(c).toMatchObject({ from: 4, to: 8 });
    expect(c.items.map((i) => i.insertText)).toEqual(['[Close Date]']);
    expect(typed('[odd', 4, { fields: FIELDS }).items.map((i) => i.insertText)).toEqual(['[odd]]name]']);
    expect(completionsAt('[', 1, { fields: [{ name: 'a]b', type: 'text' }], functions: [] }).items[0]?.insertText).toBe('[a]]b]');
  });

  it('offers functions (inserted as NAME( with signature help), keywords and fields for a word', () => {
    const c = completionsAt('[deal_value] + ro', 17, { fields, functions });
    expect(c).toMatchObject({ from: 15, to: 17 });
    const round = c.items.find((i) => i.label === 'ROUND');
    expect(round).toMatchObject({ kind: 'function', detail: 'ROUND(number, digits?) → Number', insertText: 'ROUND(', triggerSignatureHelp: true });
    expect(round?.documentation).toContain('Rounds a number.');
    expect(round?.documentation).toContain('Example: `ROUND([deal_value], 2)`');
    expect(c.items.filter((i) => i.kind === 'keyword').map((i) => i.label)).toEqual(['TRUE', 'FALSE', 'NULL', 'AND', 'OR', 'NOT']);
    expect(c.items.find((i) => i.label === 'first name')).toMatchObject({ insertText: '[first name]', filterText: 'first name' });
    // With every function (the default): what is left as "ro" is typed starts with ROUND.
    const all = typed('1 + ro', 6, { fields: FIELDS });
    expect(all).toMatchObject({ from: 4, to: 6 });
    expect(all.items.filter((i) => i.kind !== 'field')[0]).toMatchObject({ label: 'ROUND', kind: 'function', insertText: 'ROUND(', detail: 'ROUND(number, digits?) → Number' });
  });

  it('offers everything at an empty spot', () => {
    const c = completionsAt('', 0, { fields: FIELDS });
    expect(c.items.filter((i) => i.kind === 'field')).toHaveLength(FIELDS.length);
    expect(c.items.some((i) => i.label === 'IF')).toBe(true);
  });

  it("offers nothing inside text, except value map names as LOOKUP's second argument", () => {
    expect(completionsAt('"ab', 3, { fields, functions }).items).toEqual([]);
    const valueMaps = { tiers: { g: 'Gold', s: 'Silver' }, 'say "hi"': {} };
    expect(completionsAt('LOOKUP([c], "t', 14, { fields, functions, valueMaps, call: { name: 'LOOKUP', argIndex: 0 } }).items).toEqual([]);
    const c = completionsAt('LOOKUP([c], "t")', 14, { fields, functions, valueMaps, call: { name: 'lookup', argIndex: 1 } });
    expect(c).toMatchObject({ from: 12, to: 15 });
    expect(c.items.map((i) => [i.kind, i.label, i.insertText])).toEqual([
      ['value-map', 'tiers', '"tiers"'],
      ['value-map', 'say "hi"', '"say ""hi"""'],
    ]);
    expect(c.items[0]?.documentation).toContain('2 entries');
    expect(c.items[0]?.documentation).toContain('`g` → `Gold`');
    // Entries from data stay code: a backtick in one cannot close its span, markup in one is not markup (ui15).
    const hostile = completionsAt('LOOKUP([c], "t")', 14, { fields, functions, valueMaps: { 'm*x*': { 'a`b': '<img src=x>' } }, call: { name: 'LOOKUP', argIndex: 1 } });
    expect(hostile.items[0]?.documentation).toBe('Value map **m\\*x\\*** · 1 entry\n\n- ``a`b`` → `<img src=x>`');
    // The call is found from the text when not given.
    expect(completionsAt('LOOKUP([c], "t")', 14, { fields, valueMaps }).items.map((i) => i.label)).toEqual(['tiers', 'say "hi"']);
  });

  it("offers the integration's declared parameters inside PARAM's quotes, with their types", () => {
    const params = [
      { name: 'since', type: 'date' as const, required: true },
      { name: 'limit', type: 'number' as const, required: false, default: 100 },
    ];
    const c = completionsAt('PARAM("s")', 8, { fields, functions, params, call: { name: 'PARAM', argIndex: 0 } });
    expect([c.from, c.to]).toEqual([6, 9]);
    expect(c.items.map((i) => [i.kind, i.label, i.insertText, i.detail])).toEqual([
      ['parameter', 'since', '"since"', 'Date parameter'],
      ['parameter', 'limit', '"limit"', 'Number parameter'],
    ]);
    expect(c.items[1]?.documentation).toContain('default `100`');
    // Found without a given call too, and nothing inside another function's text.
    expect(completionsAt('PARAM("s")', 8, { fields, params }).items.map((i) => i.label)).toEqual(['since', 'limit']);
    expect(completionsAt('UPPER("s")', 8, { fields, functions, params, call: { name: 'UPPER', argIndex: 0 } }).items).toEqual([]);
  });

  it('offers the spreadsheet functions with their signatures (issue 17)', () => {
    const fns = completionsAt('=DATED', 6, { fields, functions: functionDocs() }).items.filter((s) => s.kind === 'function');
    expect(fns.find((s) => s.label === 'DATEDIF')?.detail).toBe('DATEDIF(start, end, unit) → Number');
    expect(fns.length).toBeGreaterThanOrEqual(120);
    expect(typed('EOM', 3, { fields }).items.find((c) => c.label === 'EOMONTH')?.detail).toBe('EOMONTH(date, months) → Date');
  });
});
