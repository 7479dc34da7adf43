// Database table target: writes rows into an existing PostgreSQL or MySQL table through a saved connection.
// The table's columns and primary key are taken when the table is picked, so the compiler can check the fit.
import { z } from 'zod';
import { suggest } from '../../util/suggest';
import { Field, type FieldType } from '../field-types';
import { defineKind } from './types';

export const SqlTargetConfig = z.object({
  connectionId: z.string().default('').meta({ title: 'Connection', widget: 'connection', capability: 'write' }),
  object: z.string().default('').meta({ title: 'Table', widget: 'db-object' }),
  mode: z.enum(['upsert', 'insert', 'update']).default('upsert').meta({ title: 'Write mode' }),
  columns: z.array(Field).default([]).meta({ title: 'Columns', widget: 'hidden' }),
  key: z.array(z.string()).default([]).meta({ title: 'Primary key', widget: 'hidden' }),
});
export type SqlTargetConfig = z.infer<typeof SqlTargetConfig>;

/** Whether a value of type `from` can be stored in a column of type `to` without a per-row conversion that may fail. */
export function fitsColumn(from: FieldType, to: FieldType): boolean {
  if (from === to || to === 'text') return true;
  const compatible = [['number', 'currency'], ['date', 'datetime']];
  return compatible.some((group) => group.includes(from) && group.includes(to));
}

/**
 * The key a write matches records on. Update and upsert: the incoming key (marked in a Map) when there is one,
 * else the table's primary key. Insert: the table's primary key, so a retried batch can recognise its own rows.
 */
export function targetKey(config: Pick<SqlTargetConfig, 'mode' | 'key'>, input: { key: string[] } | null): { key: string[]; from: 'input' | 'table' | 'none' } {
  if (config.mode !== 'insert' && input && input.key.length > 0) return { key: input.key, from: 'input' };
  if (config.key.length > 0) return { key: config.key, from: 'table' };
  return { key: [], from: 'none' };
}

export const sqlTarget = defineKind<SqlTargetConfig>({
  kind: 'sql-target',
  label: 'Database table',
  description: 'Writes rows into a PostgreSQL or MySQL table through a saved connection: upsert, insert or update.',
  category: 'target',
  inputs: 1,
  outputs: 0,
  config: SqlTargetConfig,
  defaults: () => ({ connectionId: '', object: '', mode: 'upsert', columns: [], key: [] }),
  infer(config, input, report) {
    if (!config.connectionId) report({ code: 'no-connection', message: 'Choose a connection', path: 'connectionId' });
    if (!config.object) report({ code: 'no-table', message: 'Choose a table', path: 'object' });
    if (!input || !config.connectionId || !config.object) return input;
    if (config.columns.length === 0) {
      report({ code: 'no-columns', message: 'The table has no known columns: pick the table again', path: 'object' });
      return input;
    }
    const names = config.columns.map((c) => c.name);
    for (const f of input.fields) {
      const column = config.columns.find((c) => c.name === f.name);
      if (!column) {
        const near = suggest(f.name, names);
        report({
          code: 'unknown-column',
          message: `${config.object} has no column "${f.name}"${near ? ` (did you mean "${near}"?)` : ''}. Rename the field in a Map before this target.`,
          path: 'object',
        });
      } else if (!fitsColumn(f.type, column.type)) {
        report({ code: 'mistyped-field', message: `"${f.name}" is ${f.type} and cannot go into ${config.object}.${f.name}, which is ${column.type}`, path: 'object' });
      }
    }
    if (config.mode !== 'insert') {
      const { key, from } = targetKey(config, input);
      if (from === 'none') {
        report({ code: 'no-primary-key', message: `${config.mode === 'update' ? 'Update' : 'Upsert'} needs a key: mark a key field in the Map before this target (${config.object} has no primary key)`, path: 'mode' });
      } else {
        const missing = key.filter((k) => !input.fields.some((f) => f.name === k));
        if (missing.length > 0) {
          report({
            code: 'key-not-written',
            message: `Records are matched on ${from === 'input' ? 'the incoming key' : `${config.object}'s primary key`} (${key.join(', ')}), but ${missing.map((m) => `"${m}"`).join(', ')} is not among the incoming fields: map it, or mark another key in the Map`,
            path: 'mode',
          });
        } else if (config.mode === 'upsert' && from === 'input' && config.key.length > 0 && [...key].sort().join(',') !== [...config.key].sort().join(',')) {
          report({
            code: 'key-not-primary',
            severity: 'warning',
            message: `Upsert matches on the incoming key (${key.join(', ')}), not ${config.object}'s primary key (${config.key.join(', ')}): the table needs a unique constraint on ${key.join(', ')}`,
            path: 'mode',
          });
        }
      }
    }
    return input;
  },
});
