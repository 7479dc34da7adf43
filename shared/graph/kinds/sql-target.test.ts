import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../compiler/diagnostics';
import type { RowSchema } from '../field-types';
import { inferSqlTarget } from '../../compiler/infer/sql-target';
import { fitsColumn, SqlTargetConfig, targetKey } from './sql-target';

const columns = [
  { name: 'id', type: 'number' as const },
  { name: 'customer', type: 'text' as const },
  { name: 'amount', type: 'currency' as const },
  { name: 'placed_at', type: 'datetime' as const },
];
const table = { connectionId: 'con_1', object: 'public.orders', columns, key: ['id'] };

function infer(config: Partial<SqlTargetConfig>, input: RowSchema | null) {
  const found: Parameters<Parameters<typeof inferSqlTarget>[2]>[0][] = [];
  const schema = inferSqlTarget(SqlTargetConfig.parse(config), input, (d) => found.push(d), {});
  return { schema, codes: found.map((d) => d.code), messages: found.map((d) => d.message), severities: found.map((d): Diagnostic['severity'] => d.severity ?? 'error') };
}

const incoming = (fields: RowSchema['fields'], key: string[] = []): RowSchema => ({ fields, key });

describe('sql-target kind', () => {
  it('asks for a connection and a table first', () => {
    expect(infer({}, incoming([{ name: 'id', type: 'number' }])).codes).toEqual(['no-connection', 'no-table']);
  });

  it('accepts fields that are columns of the table, with compatible types, and passes its input on', () => {
    const input = incoming([{ name: 'id', type: 'number' }, { name: 'customer', type: 'text' }, { name: 'amount', type: 'number' }, { name: 'placed_at', type: 'date' }]);
    const r = infer(table, input);
    expect(r.codes).toEqual([]);
    expect(r.schema).toBe(input);
  });

  it('names an unknown column and suggests the nearest one', () => {
    const r = infer(table, incoming([{ name: 'id', type: 'number' }, { name: 'custmer', type: 'text' }, { name: 'colour', type: 'text' }]));
    expect(r.codes).toEqual(['unknown-column', 'unknown-column']);
    expect(r.messages[0]).toBe('public.orders has no column "custmer" (did you mean "customer"?). Rename the field in a Map before this target.');
    expect(r.messages[1]).toBe('public.orders has no column "colour". Rename the field in a Map before this target.');
  });

  it('refuses a type that cannot go into the column', () => {
    const r = infer(table, incoming([{ name: 'id', type: 'text' }, { name: 'customer', type: 'number' }]));
    expect(r.codes).toEqual(['mistyped-field']);
    expect(r.messages).toEqual(['"id" is text and cannot go into public.orders.id, which is number']);
  });

  it('matches update and upsert on the incoming key, else on the table primary key', () => {
    const fields = [{ name: 'id', type: 'number' as const }, { name: 'customer', type: 'text' as const }];
    expect(targetKey({ mode: 'upsert', key: ['id'] }, incoming(fields, ['customer']))).toEqual({ key: ['customer'], from: 'input' });
    expect(targetKey({ mode: 'update', key: ['id'] }, incoming(fields))).toEqual({ key: ['id'], from: 'table' });
    expect(targetKey({ mode: 'insert', key: ['id'] }, incoming(fields, ['customer']))).toEqual({ key: ['id'], from: 'table' });
    expect(infer({ ...table, mode: 'update' }, incoming(fields)).codes).toEqual([]);
    // Upsert on another key works only where the table has a unique constraint on it: a warning says so.
    const other = infer({ ...table, mode: 'upsert' }, incoming(fields, ['customer']));
    expect(other.codes).toEqual(['key-not-primary']);
    expect(other.severities).toEqual(['warning']);
  });

  it('needs a key for update and upsert, and says which key is missing from the fields', () => {
    const noId = incoming([{ name: 'customer', type: 'text' }]);
    expect(infer({ ...table, mode: 'upsert' }, noId).messages).toEqual([
      `Records are matched on public.orders's primary key (id), but "id" is not among the incoming fields: map it, or mark another key in the Map`,
    ]);
    expect(infer({ ...table, key: [], mode: 'update' }, noId).codes).toEqual(['no-primary-key']);
    expect(infer({ ...table, key: [], mode: 'insert' }, noId).codes).toEqual([]);
  });

  it('stores compatible types only', () => {
    expect(fitsColumn('number', 'currency')).toBe(true);
    expect(fitsColumn('date', 'datetime')).toBe(true);
    expect(fitsColumn('boolean', 'text')).toBe(true);
    expect(fitsColumn('text', 'number')).toBe(false);
    expect(fitsColumn('datetime', 'boolean')).toBe(false);
  });
});
