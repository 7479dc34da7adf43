import { describe, expect, it } from 'vitest';
import { addAllFields, fromOf, showsDetails, suggestionRow, withFrom, withSource, type MappingRow } from './mapping-widget';

const upstream = [
  { name: 'email', type: 'text' as const },
  { name: 'mrr', type: 'currency' as const },
  { name: 'signed_up', type: 'date' as const },
];

describe('mapping helpers', () => {
  it("proposes the source table's primary key as the Map's key when no field is a key yet", () => {
    const rows = addAllFields([], [{ name: 'id', type: 'number' }, ...upstream], ['id']);
    expect(rows.filter((r) => r.key).map((r) => r.target)).toEqual(['id']);
    // A key the person already chose stays the only key.
    const chosen: MappingRow[] = [{ from: 'field', source: 'email', target: 'email', type: 'text', key: true }];
    expect(addAllFields(chosen, [{ name: 'id', type: 'number' }, ...upstream], ['id']).filter((r) => r.key).map((r) => r.target)).toEqual(['email']);
    // No key upstream, no key proposed.
    expect(addAllFields([], upstream).some((r) => r.key)).toBe(false);
  });

  it('adds every unmapped upstream field with the same name and type', () => {
    const existing: MappingRow[] = [{ from: 'field', source: 'email', target: 'email', type: 'text', key: true }];
    expect(addAllFields(existing, upstream)).toEqual([
      { from: 'field', source: 'email', target: 'email', type: 'text', key: true },
      { from: 'field', source: 'mrr', target: 'mrr', type: 'currency', key: false },
      { from: 'field', source: 'signed_up', target: 'signed_up', type: 'date', key: false },
    ]);
    expect(addAllFields(addAllFields([], upstream), upstream)).toHaveLength(3);
  });

  it('does not add a field whose name a formula or constant row already fills', () => {
    const existing: MappingRow[] = [{ from: 'formula', source: 'mrr', formula: '[mrr] * 12', target: 'mrr', type: 'currency', key: false }];
    expect(addAllFields(existing, upstream).map((r) => r.target)).toEqual(['mrr', 'email', 'signed_up']);
  });

  it('fills the target and type when a source is chosen, unless renamed', () => {
    const blank: MappingRow = { source: '', target: '', type: 'text', key: false };
    expect(withSource(blank, 'mrr', upstream)).toEqual({ source: 'mrr', target: 'mrr', type: 'currency', key: false });
    const renamed: MappingRow = { source: 'mrr', target: 'revenue', type: 'currency', key: false };
    expect(withSource(renamed, 'signed_up', upstream)).toMatchObject({ target: 'revenue', type: 'date' });
  });

  it('switches where a value comes from, starting a formula from the row field', () => {
    const row: MappingRow = { source: 'mrr', target: 'mrr', type: 'currency', key: false };
    expect(fromOf(row)).toBe('field');
    expect(withFrom(row, 'formula')).toMatchObject({ from: 'formula', formula: '[mrr]', source: 'mrr' });
    expect(withFrom({ ...row, formula: '[mrr] * 12' }, 'formula').formula).toBe('[mrr] * 12');
    expect(withFrom({ ...row, source: 'a]b' }, 'formula').formula).toBe('[a]]b]');
    expect(withFrom(row, 'constant')).toMatchObject({ from: 'constant', source: 'mrr' });
  });
});

describe('auto-map rows, details and currency codes', () => {
  it('an accepted suggestion becomes a field row with the target type, its code or object, and the proposed key', () => {
    expect(suggestionRow({ source: 'E-mail', target: 'email', type: 'text', key: true, reason: 'normalized', why: '' })).toEqual({ from: 'field', source: 'E-mail', target: 'email', type: 'text', key: true, note: '' });
    expect(suggestionRow({ source: 'MRR', target: 'mrr', type: 'currency', currency: 'EUR', key: false, reason: 'normalized', why: '' })).toMatchObject({ type: 'currency', currency: 'EUR' });
    expect(suggestionRow({ source: 'Org', target: 'company', type: 'reference', ref: 'companies', key: false, reason: 'synonym', why: '' })).toMatchObject({ type: 'reference', ref: 'companies' });
  });

  it('carries a field\'s currency code and referenced object into the rows that map it', () => {
    const typed = [{ name: 'mrr', type: 'currency' as const, currency: 'EUR' }, { name: 'owner', type: 'reference' as const, ref: 'people' }];
    expect(addAllFields([], typed).map((r) => [r.currency, r.ref])).toEqual([
      ['EUR', undefined],
      [undefined, 'people'],
    ]);
    expect(withSource({ from: 'field', source: '', target: '', type: 'text', key: false }, 'owner', typed)).toMatchObject({ type: 'reference', ref: 'people', target: 'owner' });
  });

  it('shows a row\'s details for a currency, a reference, a note, or when opened', () => {
    const row: MappingRow = { from: 'field', source: 'a', target: 'a', type: 'text', key: false };
    expect(showsDetails(row, false)).toBe(false);
    expect(showsDetails(row, true)).toBe(true);
    expect(showsDetails({ ...row, note: '  ' }, false)).toBe(false);
    expect(showsDetails({ ...row, note: 'why' }, false)).toBe(true);
    expect(showsDetails({ ...row, type: 'currency' }, false)).toBe(true);
    expect(showsDetails({ ...row, type: 'reference' }, false)).toBe(true);
  });
});
