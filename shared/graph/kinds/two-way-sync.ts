// Two-way sync: one node that keeps an object of side A and an object of side B in step, both ways. Each side is a
// Postgres or MySQL table (a saved connection) or a workspace object (no connection); a field mapping pairs their
// fields, a match key pairs their records, and directions and conflict rules say what flows (shared/sync/two-way.ts).
// A source and a target in one: it has no ports, and it is a pipeline of its own.
import { z } from 'zod';
import { Field } from '../field-types';
import { ConflictRule, FieldConflictRule, FieldDirection, SyncDirection } from '../../sync/two-way';
import { defineKind } from './types';

/** The workspace's own change time, a cursor every workspace object has (runtime/connectors/workspace). */
export const WORKSPACE_UPDATED_AT = '_updated_at';

export const TwoWaySide = z.object({
  /** A saved Postgres/MySQL connection; empty: Weft's workspace. */
  connectionId: z.string().default(''),
  /** The table (schema-qualified where the system has schemas) or the workspace object. */
  object: z.string().default(''),
  /** The field that says when a record last changed: the cursor of "read changed since", and "most recent wins". */
  updatedAt: z.string().default(''),
  /** The side's columns and primary key when it was picked (the record id Weft remembers pairs by). */
  columns: z.array(Field).default([]),
  key: z.array(z.string()).default([]),
});
export type TwoWaySide = z.infer<typeof TwoWaySide>;

export const TwoWayField = z.object({
  a: z.string(),
  b: z.string(),
  direction: FieldDirection.default('inherit'),
  rule: FieldConflictRule.default('inherit'),
});
export type TwoWayField = z.infer<typeof TwoWayField>;

export const TwoWaySyncConfig = z.object({
  a: TwoWaySide.default({ connectionId: '', object: '', updatedAt: '', columns: [], key: [] }).meta({ title: 'Sync pair', widget: 'two-way' }),
  b: TwoWaySide.default({ connectionId: '', object: '', updatedAt: '', columns: [], key: [] }).meta({ title: 'Side B', widget: 'hidden' }),
  /** The fields whose equal values make two records one pair, the first time they meet (later: the key map). */
  match: z.object({ a: z.string(), b: z.string() }).default({ a: '', b: '' }).meta({ widget: 'hidden' }),
  direction: SyncDirection.default('both').meta({ widget: 'hidden' }),
  rule: ConflictRule.default('latest').meta({ widget: 'hidden' }),
  fields: z.array(TwoWayField).max(500).default([]).meta({ widget: 'hidden' }),
  /** A record with no pair is created on the other side (when its fields flow that way); off: counted "skipped: no match". */
  createMissing: z.boolean().default(true).meta({ widget: 'hidden' }),
});
export type TwoWaySyncConfig = z.infer<typeof TwoWaySyncConfig>;

export const twoWaySync = defineKind({
  kind: 'two-way-sync',
  label: 'Two-way sync',
  description: 'Keeps a table or workspace object on side A and one on side B in step both ways: changes since the last run go across, conflicts are settled by a rule.',
  category: 'target',
  inputs: 0,
  outputs: 0,
  config: TwoWaySyncConfig,
  defaults: (): TwoWaySyncConfig => ({
    a: { connectionId: '', object: '', updatedAt: '', columns: [], key: [] },
    b: { connectionId: '', object: '', updatedAt: '', columns: [], key: [] },
    match: { a: '', b: '' },
    direction: 'both',
    rule: 'latest',
    fields: [],
    createMissing: true,
  }),
});
