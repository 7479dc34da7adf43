// Database table target: writes rows into an existing PostgreSQL or MySQL table through a saved connection.
// The table's columns and primary key are taken when the table is picked, so the compiler can check the fit.
import { z } from 'zod';
import { Field, type FieldType } from '../field-types';
import { defineKind } from './types';
import { TARGET_SYNC_DEFAULTS, TARGET_SYNC_FIELDS } from '../../sync/target';

export const SqlTargetConfig = z.object({
  connectionId: z.string().default('').meta({ title: 'Connection', widget: 'connection', capability: 'write' }),
  /** The chosen connection's connector, kept by the connection picker: the node's wording follows it (connector-wording.ts). */
  connector: z.string().max(60).default('').meta({ title: 'System', widget: 'hidden' }),
  object: z.string().default('').meta({ title: 'Table', widget: 'db-object' }),
  mode: z.enum(['upsert', 'insert', 'update']).default('upsert').meta({ title: 'Write mode' }),
  columns: z.array(Field).default([]).meta({ title: 'Columns', widget: 'hidden' }),
  key: z.array(z.string()).default([]).meta({ title: 'Primary key', widget: 'hidden' }),
  // Issue 14: "Allow new records" (off: update existing matches only) and how deletes found at the source apply here.
  ...TARGET_SYNC_FIELDS,
});
export type SqlTargetConfig = z.infer<typeof SqlTargetConfig>;

/** Whether a value of type `from` can be stored in a column of type `to` without a per-row conversion that may fail. */
export function fitsColumn(from: FieldType, to: FieldType): boolean {
  if (from === to || to === 'text') return true;
  const compatible = [['number', 'currency'], ['date', 'datetime'], ['number', 'reference']];
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

export const sqlTarget = defineKind({
  kind: 'sql-target',
  label: 'Write database or app',
  description: 'Writes rows through a saved connection: into a PostgreSQL or MySQL table, a HubSpot or Salesforce object, or a REST API endpoint (upsert, insert or update).',
  category: 'target',
  inputs: 1,
  outputs: 0,
  config: SqlTargetConfig,
  defaults: (): SqlTargetConfig => ({ connectionId: '', connector: '', object: '', mode: 'upsert', columns: [], key: [], ...TARGET_SYNC_DEFAULTS }),
  connectionRefs: (c: { connectionId: string }) => (c.connectionId ? [{ path: 'connectionId', id: c.connectionId }] : []),
});
