import { describe, expect, it } from 'vitest';
import { addAllFields, withSource, type MappingRow } from './mapping-widget';

const upstream = [
  { name: 'email', type: 'text' as const },
  { name: 'mrr', type: 'currency' as const },
  { name: 'signed_up', type: 'date' as const },
];

describe('mapping helpers', () => {
  it('adds every unmapped upstream field with the same name and type', () => {
    const existing: MappingRow[] = [{ source: 'email', target: 'email', type: 'text', key: true }];
    expect(addAllFields(existing, upstream)).toEqual([
      { source: 'email', target: 'email', type: 'text', key: true },
      { source: 'mrr', target: 'mrr', type: 'currency', key: false },
      { source: 'signed_up', target: 'signed_up', type: 'date', key: false },
    ]);
    expect(addAllFields(addAllFields([], upstream), upstream)).toHaveLength(3);
  });

  it('fills the target and type when a source is chosen, unless renamed', () => {
    const blank: MappingRow = { source: '', target: '', type: 'text', key: false };
    expect(withSource(blank, 'mrr', upstream)).toEqual({ source: 'mrr', target: 'mrr', type: 'currency', key: false });
    const renamed: MappingRow = { source: 'mrr', target: 'revenue', type: 'currency', key: false };
    expect(withSource(renamed, 'signed_up', upstream)).toMatchObject({ target: 'revenue', type: 'date' });
  });
});
