// Two-way sync: one node that keeps an object of side A and an object of side B in step, both ways. Each side is a
// Postgres or MySQL table (a saved connection) or a workspace object (no connection); a field mapping pairs their
// fields, a match key pairs their records, and directions and conflict rules say what flows (shared/sync/two-way.ts).
// A source and a target in one: it has no ports, and it is a pipeline of its own.
import { z } from 'zod';
import { Field } from '../field-types';
import { ConflictRule, FieldConflictRule, FieldDirection, SyncDirection } from '../../sync/two-way';
import { DEFAULT_DELETE_THRESHOLD_PERCENT, DeleteMode } from '../../sync/target';
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
  /**
   * The side's soft-delete field: set (TRUE, a time) means the record is deleted on this side, and a soft delete
   * coming from the other side sets it. Empty: the side has none (deletes are seen only by a full read's keys).
   */
  deletedField: z.string().max(200).default(''),
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
  a: TwoWaySide.default({ connectionId: '', object: '', updatedAt: '', columns: [], key: [], deletedField: '' }).meta({ title: 'Sync pair', widget: 'two-way' }),
  b: TwoWaySide.default({ connectionId: '', object: '', updatedAt: '', columns: [], key: [], deletedField: '' }).meta({ title: 'Side B', widget: 'hidden' }),
  /** The fields whose equal values make two records one pair, the first time they meet (later: the key map). */
  match: z.object({ a: z.string(), b: z.string() }).default({ a: '', b: '' }).meta({ widget: 'hidden' }),
  direction: SyncDirection.default('both').meta({ widget: 'hidden' }),
  rule: ConflictRule.default('latest').meta({ widget: 'hidden' }),
  fields: z.array(TwoWayField).max(500).default([]).meta({ widget: 'hidden' }),
  /** A record with no pair is created on the other side (when its fields flow that way); off: counted "skipped: no match". */
  createMissing: z.boolean().default(true).meta({ widget: 'hidden' }),
  /** How a record deleted on A is applied to B (when the object flows A → B): ignored (default), deleted, soft-deleted. */
  deletesToB: DeleteMode.default('ignore').meta({ widget: 'hidden' }),
  /** How a record deleted on B is applied to A (when the object flows B → A). */
  deletesToA: DeleteMode.default('ignore').meta({ widget: 'hidden' }),
  /** A run applies at most this share of the matched records as deletes, per direction, unless "Confirm deletes". */
  deleteThresholdPercent: z.number().min(0).max(100).default(DEFAULT_DELETE_THRESHOLD_PERCENT).meta({ widget: 'hidden' }),
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
    a: { connectionId: '', object: '', updatedAt: '', columns: [], key: [], deletedField: '' },
    b: { connectionId: '', object: '', updatedAt: '', columns: [], key: [], deletedField: '' },
    match: { a: '', b: '' },
    direction: 'both',
    rule: 'latest',
    fields: [],
    createMissing: true,
    deletesToB: 'ignore',
    deletesToA: 'ignore',
    deleteThresholdPercent: DEFAULT_DELETE_THRESHOLD_PERCENT,
  }),
  // A side without a connection is the workspace.
  connectionRefs: (c: TwoWaySyncConfig) => (['a', 'b'] as const).flatMap((side) => (c[side].connectionId ? [{ path: `${side}.connectionId`, id: c[side].connectionId }] : [])),
});
