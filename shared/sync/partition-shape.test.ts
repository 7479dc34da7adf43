// Which pipelines may be read in parts (issue 16): only shapes where a part's result cannot depend on another part's rows.
import { describe, expect, it } from 'vitest';
import type { PlanStep } from '../compiler/plan';
import { FileSourceConfig } from '../graph/kinds/file-source';
import { SHAPE_DEFAULTS, unsplittable } from './partition-shape';
import { TARGET_SYNC_DEFAULTS } from './target';

const step = (nodeId: string, kind: string, config: Record<string, unknown> = {}): PlanStep => ({ nodeId, kind, label: nodeId, config, input: null, output: null });
const table = (config: Record<string, unknown> = {}) => step('src', 'sql-source', { connectionId: 'c', object: 'public.t', columns: [], key: ['id'], ...config });
const csv = (config: Record<string, unknown> = {}) => step('src', 'csv-source', { fileId: 'f', columns: [{ name: 'a', type: 'text' }], ...config });
const map = step('map', 'map', { fields: [] });
const workspace = (config: Record<string, unknown> = {}) => step('dst', 'workspace-target', { object: 'o', mode: 'upsert', ...config });
const sqlTarget = (config: Record<string, unknown> = {}) => step('dst', 'sql-target', { connectionId: 'c', object: 'public.d', mode: 'upsert', columns: [], key: ['id'], ...config });

describe('unsplittable', () => {
  it('allows a table or a plain CSV/NDJSON file through row-by-row steps into a table or workspace object without deletes', () => {
    expect(unsplittable([table(), map, sqlTarget()], false)).toBeNull();
    expect(unsplittable([csv(), map, step('f', 'filter'), step('c', 'calculated-field'), workspace()], false)).toBeNull();
    expect(unsplittable([csv({ format: 'ndjson' }), workspace()], false)).toBeNull();
  });

  it('says why everything else reads whole', () => {
    expect(unsplittable([table(), map, sqlTarget()], true)).toMatch(/resubmit/);
    expect(unsplittable([step('sync', 'two-way-sync')], false)).toMatch(/two-way/);
    expect(unsplittable([table({ cursorField: 'updated_at' }), map, sqlTarget()], false)).toMatch(/incremental/);
    expect(unsplittable([csv({ compression: 'gzip' }), map, workspace()], false)).toMatch(/compressed/);
    expect(unsplittable([csv({ format: 'json' }), map, workspace()], false)).toMatch(/JSON file/);
    expect(unsplittable([csv({ format: 'excel' }), map, workspace()], false)).toMatch(/EXCEL file/);
    expect(unsplittable([step('src', 'webhook-source'), map, workspace()], false)).toMatch(/webhook-source/);
    expect(unsplittable([step('src', 'workspace-source'), map, workspace()], false)).toMatch(/workspace-source/);
    expect(unsplittable([table(), step('x', 'dedupe'), sqlTarget()], false)).toMatch(/not a row-by-row step/);
    expect(unsplittable([table(), map, sqlTarget({ deletes: 'delete' })], false)).toMatch(/deletes/);
    expect(unsplittable([csv(), map, workspace({ deletes: 'soft', softDeleteField: 'gone' })], false)).toMatch(/deletes/);
  });

  it('reads a missing field as its schema’s default (it repeats them to stay free of zod)', () => {
    const { format, compression } = FileSourceConfig.shape;
    expect(SHAPE_DEFAULTS).toEqual({ format: format.parse(undefined), compression: compression.parse(undefined), deletes: TARGET_SYNC_DEFAULTS.deletes });
  });
});
