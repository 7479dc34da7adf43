// A session on the workspace: discovery, keyset reads with a formula filter, and writes through the very function
// the batch commit uses (runtime/store/workspace-write.ts), so a connector write and a target write cannot differ.
import { z } from 'zod';
import { compileFormula, type CompiledFormula } from '../../../shared/formula';
import type { Field } from '../../../shared/graph/field-types';
import { conditionTest } from '../../../shared/transforms/filter';
import type { Store, WorkspacePageRecord } from '../../store/types';
import { recordKey } from '../../store/workspace-write';
import { unstorableTextReason } from '../../../shared/util/nul';
import { ConnectorError, type ConnectorSession, type DiscoveredObject, type ReadBatch, type ReadOptions, type RecordResult, type Row, type WriteMode, type WriteOptions, type DeleteOptions, type DeleteResult } from '../types';

/** What the workspace connector needs of the store. */
export type WorkspaceStore = Pick<Store, 'listWorkspaceObjects' | 'getWorkspaceObject' | 'readWorkspacePage' | 'writeWorkspace' | 'deleteWorkspaceRecords' | 'previewWorkspaceWrite'>;

/**
 * The cursor field for "records written since": the record's last write time. It is not a field of the rows;
 * read with `incremental: { field: '_updated_at', after: <ISO time the previous read started> }`.
 */
export const UPDATED_AT = '_updated_at';

/** Resumes after the record whose key (as stored, text) is `after`. */
export const WorkspaceCursor = z.object({ after: z.string() }).strict();
export type WorkspaceCursor = z.infer<typeof WorkspaceCursor>;

const MODES: readonly WriteMode[] = ['insert', 'update', 'upsert'];

type WorkspaceObjectInfo = NonNullable<Awaited<ReturnType<WorkspaceStore['getWorkspaceObject']>>>;

const missing = (object: string) =>
  new ConnectorError('not_found', `The workspace has no object "${object}". Run an integration that writes it first, or pick one of the objects listed in the workspace.`);

/** The record's values as a row with every attribute (null where this record has none), in attribute order. */
const toRow = (attributes: readonly Field[], values: Record<string, unknown>): Row => Object.fromEntries(attributes.map((a) => [a.name, Object.hasOwn(values, a.name) ? (values[a.name] ?? null) : null]));

export function describeObject(o: WorkspaceObjectInfo): DiscoveredObject {
  const byName = new Map(o.attributes.map((a) => [a.name, a]));
  const single = o.key.length === 1 ? byName.get(o.key[0]!) : undefined;
  return {
    name: o.name,
    label: o.label,
    fields: o.attributes.map((a) => ({ name: a.name, type: a.type, nativeType: a.type, nullable: !o.key.includes(a.name) })),
    primaryKey: [...o.key],
    // As for databases: a single number key and the date-times only grow by habit; _updated_at by construction.
    cursorFields: [...(single && (single.type === 'number' || single.type === 'currency') ? [single.name] : []), ...o.attributes.filter((a) => a.type === 'datetime').map((a) => a.name), UPDATED_AT],
  };
}

const fieldsOf = (object: WorkspaceObjectInfo): Field[] => object.attributes.map((a) => ({ name: a.name, type: a.type }));

function compileFilter(object: WorkspaceObjectInfo, query: string): CompiledFormula {
  const compiled = compileFormula(query, { fields: fieldsOf(object), expected: 'boolean' });
  if (!compiled.ok) {
    const errors = compiled.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
    throw new ConnectorError('invalid_query', `The filter on ${object.name} is not a TRUE/FALSE formula over its fields: ${errors.join('; ') || 'it cannot be read'}.`);
  }
  return compiled;
}

function parseCursor(object: string, cursor: unknown): string | null {
  if (cursor === null || cursor === undefined) return null;
  const parsed = WorkspaceCursor.safeParse(cursor);
  if (!parsed.success) throw new ConnectorError('invalid_config', `The read cursor for ${object} was not made by the workspace connector; start the read from the beginning.`);
  return parsed.data.after;
}

/** `incremental` as a page option (_updated_at) or a row test (an attribute compared as its type). */
function incrementalOf(object: WorkspaceObjectInfo, incremental: ReadOptions['incremental']): { updatedAfter?: string; updatedFrom?: string; test?: (row: Row) => boolean } {
  if (!incremental || incremental.after === null || incremental.after === undefined) return {};
  const { field, after } = incremental;
  if (field === UPDATED_AT) {
    const time = typeof after === 'string' || after instanceof Date ? new Date(after) : null;
    if (!time || Number.isNaN(time.getTime())) throw new ConnectorError('invalid_config', `${UPDATED_AT} needs a date-time to read after (e.g. 2026-01-31T12:00:00Z), not ${JSON.stringify(after)}.`);
    return incremental.inclusive ? { updatedFrom: time.toISOString() } : { updatedAfter: time.toISOString() };
  }
  if (!object.attributes.some((a) => a.name === field)) throw new ConnectorError('not_found', `${object.name} has no field "${field}" to read incrementally by.`);
  // The Filter node's comparison, so "greater than" means the same thing in a source and in a Filter.
  const test = conditionTest({ field, op: incremental.inclusive ? 'gte' : 'gt', value: typeof after === 'string' ? after : JSON.stringify(after) }, { fields: fieldsOf(object), key: object.key });
  return { test };
}

export function openWorkspaceSession(store: WorkspaceStore, now: () => number = Date.now): ConnectorSession {
  const getObject = async (name: string): Promise<WorkspaceObjectInfo> => {
    const object = await store.getWorkspaceObject(name);
    if (!object) throw missing(name);
    return object;
  };

  return {
    async test() {
      await store.listWorkspaceObjects();
    },

    async discover() {
      return (await store.listWorkspaceObjects()).map(describeObject);
    },

    async estimateRows(name: string) {
      return (await store.getWorkspaceObject(name))?.recordCount ?? null;
    },

    async *read(name: string, options: ReadOptions): AsyncGenerator<ReadBatch> {
      const { batchSize, signal } = options;
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConnectorError('invalid_config', `The batch size must be a whole number of at least 1, not ${batchSize}.`);
      signal?.throwIfAborted();
      const object = await getObject(name);
      const query = options.query?.trim();
      const filter = query ? compileFilter(object, query) : null;
      const { updatedAfter, updatedFrom, test } = incrementalOf(object, options.incremental);
      // Two-way sync reads each record's change time with it (`settings.withUpdatedAt`), as the field `_updated_at`.
      const withUpdatedAt = options.settings?.withUpdatedAt === true;
      const keep = (row: Row, record: WorkspacePageRecord): boolean => {
        if (test && !test(row)) return false;
        if (!filter) return true;
        const r = filter.evaluate(row, { now });
        if (!r.ok) throw new ConnectorError('invalid_query', `The filter on ${name} could not be worked out for the record with key "${record.key}": ${r.error}`);
        return r.value === true;
      };

      // Pages are scanned in key order; a batch ends at its last row, whose key is the cursor. Rows the filter
      // drops after it are scanned again on resume, never rows before it: nothing is lost or read twice.
      let scanned = parseCursor(name, options.cursor);
      let rows: Row[] = [];
      let times: string[] = [];
      for (;;) {
        signal?.throwIfAborted();
        const page = await store.readWorkspacePage(name, { after: scanned, limit: batchSize, ...(updatedAfter ? { updatedAfter } : {}), ...(updatedFrom ? { updatedFrom } : {}) });
        for (const record of page) {
          scanned = record.key;
          const row = toRow(object.attributes, record.values);
          if (withUpdatedAt) row[UPDATED_AT] = record.updatedAt;
          if (!keep(row, record)) continue;
          rows.push(row);
          times.push(record.updatedAt);
          if (rows.length === batchSize) {
            yield { rows, cursor: { after: record.key } satisfies WorkspaceCursor, updatedAt: times };
            rows = [];
            times = [];
            signal?.throwIfAborted();
          }
        }
        if (page.length < batchSize) break;
      }
      if (rows.length > 0) yield { rows, cursor: { after: scanned! } satisfies WorkspaceCursor, updatedAt: times };
    },

    async write(name: string, rows: Row[], options: WriteOptions): Promise<RecordResult[]> {
      if (!MODES.includes(options.mode)) throw new ConnectorError('invalid_config', `Write mode must be insert, update or upsert, not "${String(options.mode)}".`);
      if (rows.length === 0) return [];
      const existing = await store.getWorkspaceObject(name);
      if (!existing && options.mode === 'update') throw missing(name);
      // No key given: the object's own (for insert, a plain insert into a keyed object still cannot duplicate a key).
      const key = options.key.length > 0 ? options.key : (existing?.key ?? []);
      if (key.length === 0 && options.mode !== 'insert') throw new ConnectorError('invalid_config', `${options.mode} needs key fields to match records of ${name} by.`);
      return store.writeWorkspace({ object: name, key: [...key], fields: options.fields, mode: options.mode, rows, attributes: 'fit', ...(options.missing && { missing: options.missing }) });
    },

    async deleteRecords(name: string, rows: Row[], options: DeleteOptions): Promise<DeleteResult[]> {
      if (rows.length === 0) return [];
      const object = await getObject(name);
      if (options.key.length === 0 || options.key.join('\0') !== object.key.join('\0')) {
        throw new ConnectorError('invalid_config', `${name} is keyed by ${object.key.join(', ') || 'nothing'}; records are deleted by that key, not by ${options.key.join(', ') || 'nothing'}.`);
      }
      // A key that cannot be a record key (empty; U+0000 or half a character, which no record's key holds: the
      // workspace write refuses them, and the store's text would throw or hold U+FFFD for them) matches no record:
      // missing, like a key that is not there, never sent.
      const keys = rows.map((row) => (unstorableTextReason(row, options.key, 'the workspace') === null ? recordKey(row, options.key) : { ok: false as const }));
      const usable = keys.flatMap((k) => (k.ok ? [k.key] : []));
      const results = await store.deleteWorkspaceRecords(name, usable);
      let next = 0;
      return keys.map((k) => (k.ok ? results[next++]! : 'missing'));
    },

    async countRecords(name: string, rows: Row[], options: DeleteOptions): Promise<number> {
      // A key no record's key can hold (U+0000, half a character) finds none, never sent (as deleteRecords).
      rows = rows.filter((row) => unstorableTextReason(row, options.key, 'the workspace') === null);
      if (rows.length === 0) return 0;
      // The records the write would find (read only, nothing locked); a key of another shape finds none. No fields: only
      // the key is looked up, so no field's type is compared with the object's attributes.
      const { before } = await store.previewWorkspaceWrite({ object: name, key: options.key, fields: [], mode: 'update', missing: 'skip', rows });
      return new Set(rows.flatMap((row, i) => (before[i] ? [JSON.stringify(options.key.map((k) => row[k]))] : []))).size;
    },

    async close() {},
  };
}
