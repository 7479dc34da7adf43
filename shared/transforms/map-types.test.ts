// Currency codes, references, notes and the mapping's CSV export; the value-map checks over sample rows.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import fixture from '../../test/fixtures/graphs/csv-map-workspace.json';
import { compile } from '../compiler/compile';
import { workspaceCompileContext } from '../compiler/compile-context';
import { coerceCurrency, ConversionFailure, convertValue, isCurrencyCode } from '../graph/field-types';
import { valueMapTable, type Graph } from '../graph/schema';
import { lookupUses, valueMapCoverage, valueMapSampleProblems } from '../sample-checks';
import { createTransform } from './index';
import { mappingCsv } from './map-export';

const graphWith = (fields: unknown[]): Graph => {
  const g = structuredClone(fixture) as Graph;
  g.nodes.find((n) => n.id === 'map')!.config = { fields };
  return g;
};
const mapProblems = (fields: unknown[], objects: Parameters<typeof workspaceCompileContext>[0] = []) =>
  compile(graphWith(fields), workspaceCompileContext(objects))
    .diagnostics.filter((d) => d.nodeId === 'map')
    .map((d) => [d.severity, d.path, d.message]);
const email = { source: 'Email', target: 'email', type: 'text', key: true };
const at = '2026-01-01T00:00:00.000Z';

describe('currency amounts with an ISO 4217 code', () => {
  it('keeps amounts exact past 2^53 and with many decimals, and checks a code the text carries', () => {
    expect(coerceCurrency('9007199254740993.000000000000000001', 'EUR')).toBe('9007199254740993.000000000000000001');
    expect(coerceCurrency('EUR 1,234.50', 'EUR')).toBe(1234.5);
    expect(coerceCurrency('-0.10 eur', 'EUR')).toBe(-0.1);
    expect(coerceCurrency('12 USD', 'EUR')).toEqual(new ConversionFailure('"12 USD" is in USD, but the field holds EUR amounts'));
    expect(coerceCurrency('ABC 12', 'EUR')).toBeInstanceOf(ConversionFailure);
    expect(coerceCurrency('12\u000034', 'EUR')).toBeInstanceOf(ConversionFailure);
    expect(coerceCurrency(12.5, 'JPY')).toBe(12.5);
    expect(convertValue('99999999999999999999999999.99', 'currency')).toEqual({ ok: true, value: '99999999999999999999999999.99' });
    expect(['EUR', 'USD', 'JPY', 'CHF'].every(isCurrencyCode)).toBe(true);
    expect(['eur', 'XYZ', '', 'EURO', '__proto__', 'constructor', 'E\u0000R'].some(isCurrencyCode)).toBe(false);
  });

  it('the compiler refuses a code that is not ISO 4217 and a reference without its object', () => {
    expect(
      mapProblems([
        email,
        { source: 'MRR', target: 'mrr', type: 'currency', currency: 'XYZ' },
        { source: 'MRR', target: 'mrr2', type: 'currency', currency: 'eur' },
        { source: 'Plan', target: 'plan', type: 'reference' },
        { source: 'Plan', target: 'plan2', type: 'reference', ref: '__Proto__' },
        { source: 'Plan', target: 'plan3', type: 'reference', ref: 'plans' },
        { source: 'Active', target: 'active', type: 'reference', ref: 'plans' },
      ]),
    ).toEqual([
      ['error', 'fields.1.currency', '"XYZ" is not an ISO 4217 currency code (e.g. EUR, USD, JPY)'],
      ['error', 'fields.2.currency', '"eur" is not an ISO 4217 currency code (e.g. EUR, USD, JPY)'],
      ['error', 'fields.3.ref', 'Choose the workspace object "plan" references'],
      ['error', 'fields.4.ref', '"__Proto__" is not a workspace object name (lower-case letters, digits and _)'],
      ['warning', 'fields.5.ref', 'The workspace has no object "plans" yet: every record\'s plan3 is rejected until it has one'],
      ['warning', 'fields.6.ref', 'The workspace has no object "plans" yet: every record\'s active is rejected until it has one'],
      ['error', 'fields.6.type', '"Active" is boolean and cannot become reference'],
    ]);
    const plans = { name: 'plans', label: 'Plans', key: ['id'], attributes: [{ name: 'id', type: 'text' as const }], recordCount: 0, createdAt: at, updatedAt: at };
    expect(mapProblems([email, { source: 'Plan', target: 'plan', type: 'reference', ref: 'plans' }, { source: 'MRR', target: 'mrr', type: 'currency', currency: 'EUR', note: 'Monthly, net of tax' }], [plans])).toEqual([]);
    const { schemas } = compile(graphWith([email, { source: 'Plan', target: 'plan', type: 'reference', ref: 'plans' }, { source: 'MRR', target: 'mrr', type: 'currency', currency: 'EUR' }]));
    expect(schemas.map?.fields).toEqual([
      { name: 'email', type: 'text' },
      { name: 'plan', type: 'reference', ref: 'plans' },
      { name: 'mrr', type: 'currency', currency: 'EUR' },
    ]);
  });

  it('a workspace target reports a currency or an object other than the existing attribute\'s', () => {
    const customers = {
      name: 'customers',
      label: 'Customers',
      key: ['email'],
      attributes: [
        { name: 'email', type: 'text' as const },
        { name: 'mrr', type: 'currency' as const, currency: 'USD' },
      ],
      recordCount: 1,
      createdAt: at,
      updatedAt: at,
    };
    const d = compile(graphWith([email, { source: 'MRR', target: 'mrr', type: 'currency', currency: 'EUR' }, { source: 'Active', target: 'active', type: 'boolean' }]), workspaceCompileContext([customers])).diagnostics;
    expect(d.filter((x) => x.nodeId === 'target').map((x) => x.message)).toEqual(['"mrr" holds EUR amounts but customers.mrr holds USD']);
  });

  it('the Map turns a number into a reference key as exact text and rejects what is no key', () => {
    const map = createTransform(
      { nodeId: 'm', kind: 'map', label: 'Map', input: { fields: [{ name: 'id', type: 'number' }, { name: 'b', type: 'boolean' }], key: [] }, config: { fields: [{ source: 'id', target: 'ref', type: 'reference', ref: 'x' }] } },
      {},
    );
    const out = map.apply([1, '9007199254740993', 0.1].map((id, i) => ({ rowNumber: i + 1, values: { id }, source: { id } })));
    expect(out.rows.map((r) => r.values.ref)).toEqual(['1', '9007199254740993', '0.1']);
    expect(convertValue(true, 'reference')).toEqual({ ok: false, reason: 'true is not a record key' });
  });
});

describe('the mapping as CSV', () => {
  it('one line per field with its note; formulas shown as text, NUL shown, hostile names kept', () => {
    const text = mappingCsv('Map =cmd', [
      { source: 'Email', target: 'email', type: 'text', key: true, note: 'Matched on email, lower-cased at the source' },
      { from: 'formula', source: '', formula: '=LOOKUP([Plan], "plans")', target: '__proto__', type: 'text', key: false, note: 'line 1\nline 2' },
      { from: 'constant', source: '', value: '-5', target: 'constructor', type: 'currency', currency: 'EUR', key: false },
      { source: 'a\u0000b', target: 'company', type: 'reference', ref: 'companies', key: false },
    ]);
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parse(text) as string[][];
    expect(rows).toEqual([
      ['Step', 'Target field', 'Type', 'Currency', 'References', 'Key', 'From', 'Source field, formula or constant', 'Note'],
      ['Map =cmd', 'email', 'Text', '', '', 'yes', 'field', 'Email', 'Matched on email, lower-cased at the source'],
      ['Map =cmd', '__proto__', 'Text', '', '', '', 'formula', "'=LOOKUP([Plan], \"plans\")", 'line 1\nline 2'],
      ['Map =cmd', 'constructor', 'Currency', 'EUR', '', '', 'constant', "'-5", ''],
      ['Map =cmd', 'company', 'Reference', '', 'companies', '', 'field', 'a␀b', ''],
    ]);
  });
});

describe('value maps over the sample rows', () => {
  // Built as the designer builds them (valueMapTable): a `__proto__` entry is an own key.
  const maps = valueMapTable([{ name: 'statuses', entries: [{ from: 'active', to: 'Active' }, { from: 'churned', to: 'Churned' }, { from: '__proto__', to: 'P' }] }]);
  it('finds the LOOKUPs of a field in a formula', () => {
    expect(lookupUses('IF([x] > 1, LOOKUP([Status], "statuses", "?"), lookup([Plan], "plans"))')).toEqual([
      { field: 'Status', map: 'statuses' },
      { field: 'Plan', map: 'plans' },
    ]);
    expect(lookupUses('LOOKUP(LOWER([Status]), "statuses")')).toEqual([]);
    expect(lookupUses('LOOKUP([Status]')).toEqual([]);
  });

  it('says which values differ from a mapped one only by case, and which no rule covers', () => {
    const values = ['Active', 'active', 'ACTIVE', 'Trial', 'Trial', null, '', '__proto__', 'constructor', 'a\u0000b', 7];
    expect(valueMapCoverage(values, maps.statuses!)).toEqual({
      caseOnly: [
        { value: 'Active', mapped: 'active', rows: 1 },
        { value: 'ACTIVE', mapped: 'active', rows: 1 },
      ],
      uncovered: [
        { value: 'Trial', rows: 2 },
        { value: 'constructor', rows: 1 },
        { value: 'a\u0000b', rows: 1 },
        { value: '7', rows: 1 },
      ],
    });
    const rows = ['Active', 'active', 'Trial'].map((Status, i) => ({ rowNumber: i + 1, values: { Status }, source: {} }));
    const problems = valueMapSampleProblems('map', { fields: [{ from: 'field', source: 'Status' }, { from: 'formula', formula: 'LOOKUP([Status], "statuses", "Other")' }] }, maps, rows);
    expect(problems.map((p) => [p.path, p.code, p.message])).toEqual([
      ['fields.1', 'value-map-case', `LOOKUP of Status in "statuses": 'Active' is not mapped; 'active' is — value maps are case-sensitive (1 row of the sample)`],
      ['fields.1', 'value-map-uncovered', `LOOKUP of Status in "statuses": 1 sample value no rule covers: 'Trial' (1 row) — LOOKUP gives them its default, or blank`],
    ]);
    expect(valueMapSampleProblems('map', { fields: [{ from: 'formula', formula: 'LOOKUP([Status], "nope")' }] }, maps, rows)).toEqual([]);
  });
});
