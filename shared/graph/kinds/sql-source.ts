// Database table source: one table (optionally filtered by a SELECT) read through a saved connection.
// Its columns come from discovery or the preview, and a preview stamp proves the user saw what it reads.
import { z } from 'zod';
import { Field } from '../field-types';
import { defineKind } from './types';

/** Proof that a preview was loaded for exactly this connection, table and query. */
export const SqlPreviewStamp = z.object({ loadedAt: z.string(), hash: z.string() });
export type SqlPreviewStamp = z.infer<typeof SqlPreviewStamp>;

export const SqlSourceConfig = z.object({
  connectionId: z.string().default('').meta({ title: 'Connection', widget: 'connection' }),
  /** The chosen connection's connector (postgres, hubspot, rest…), kept by the connection picker: the node's wording follows it (connector-wording.ts). */
  connector: z.string().max(60).default('').meta({ title: 'System', widget: 'hidden' }),
  object: z.string().default('').meta({ title: 'Table', widget: 'db-object' }),
  query: z.string().default('').meta({ title: 'Query filter (optional)', widget: 'sql' }),
  columns: z.array(Field).default([]).meta({ title: 'Columns', widget: 'columns' }),
  key: z.array(z.string()).default([]).meta({ title: 'Primary key', widget: 'hidden' }),
  preview: SqlPreviewStamp.nullable().default(null).meta({ title: 'Preview', widget: 'hidden' }),
  // Issue 14: incremental reads and deletes (docs/runs.md, "Incremental and full syncs"); '' = none.
  cursorField: z.string().max(200).default('').meta({ title: 'Cursor field (read only what changed)', widget: 'cursor-field' }),
  softDeleteField: z.string().max(200).default('').meta({ title: 'Soft-delete field', widget: 'soft-delete-field' }),
});
export type SqlSourceConfig = z.infer<typeof SqlSourceConfig>;

/** FNV-1a (32-bit) as 8 hex digits: small, pure and the same in the browser and on the server. */
export function stringHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** What a preview stamp must match: the connection, the table and the query (whitespace at the ends ignored). */
export const sqlPreviewHash = (c: { connectionId: string; object: string; query?: string }): string =>
  stringHash(JSON.stringify([c.connectionId, c.object, (c.query ?? '').trim()]));

export const isPreviewCurrent = (c: Pick<SqlSourceConfig, 'connectionId' | 'object' | 'query' | 'preview'>): boolean =>
  c.preview !== null && c.preview.hash === sqlPreviewHash(c);

export const sqlSource = defineKind({
  kind: 'sql-source',
  label: 'Read database or app',
  description: 'Reads rows through a saved connection: a PostgreSQL or MySQL table, a HubSpot or Salesforce object, or a REST API endpoint.',
  category: 'source',
  inputs: 0,
  outputs: 1,
  config: SqlSourceConfig,
  defaults: (): SqlSourceConfig => ({ connectionId: '', connector: '', object: '', query: '', columns: [], key: [], preview: null, cursorField: '', softDeleteField: '' }),
  connectionRefs: (c: { connectionId: string }) => (c.connectionId ? [{ path: 'connectionId', id: c.connectionId }] : []),
});
