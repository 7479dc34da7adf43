// One workspace batch: decide each row's outcome (pure), then apply it with multi-row statements. The batch
// commit (workspace target) and the workspace connector's write both run exactly this code.
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { attributeMismatch, decimalText, fitsColumn, type Field } from '../../shared';
import { isWholeText, unstorableTextReason } from '../../shared/util/nul';
import { ownValue } from '../../shared/util/records';
import { canonicalJson } from '../../shared/util/canonical-json';
import type { Db } from './db';
import { newId } from './ids';
import { workspaceObjects, workspaceRecords } from './schema';
import type { PreparedUpsert, WorkspaceBatch, WriteOutcome } from './types';

type Values = Record<string, unknown>;

/** Rows per statement: well under Postgres' 65,535 bind parameters for every statement below. */
const CHUNK = 1000;

export const chunks = <T>(items: readonly T[], size = CHUNK): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

const isEmptyKeyValue = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
const keyPart = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * The record key: the key value itself for a one-field key (so "ada@example.com" reads as itself),
 * and the JSON array of the values for a composite key, which no separator inside a value can fake.
 * An object's key fields never change, so the two forms never meet in one object.
 */
export function recordKey(row: Values, key: readonly string[]): { ok: true; key: string } | { ok: false; reason: string } {
  const empty = key.find((k) => isEmptyKeyValue(ownValue(row, k)));
  if (empty !== undefined) return { ok: false, reason: `Key field "${empty}" is empty` };
  const parts = key.map((k) => ownValue(row, k));
  return { ok: true, key: parts.length === 1 ? keyPart(parts[0]) : JSON.stringify(parts.map(keyPart)) };
}

const describeKey = (row: Values, key: readonly string[]): string =>
  key.length === 1 ? `"${keyPart(row[key[0] ?? ''])}"` : key.map((k) => `${k}="${keyPart(row[k])}"`).join(', ');

/** A value as jsonb will store it and give it back: what `JSON.parse(JSON.stringify(v))` gives, cheaply for scalars. */
function jsonValue(v: unknown): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : null;
    default: {
      if (v === null) return null;
      const text = JSON.stringify(v) as string | undefined;
      return text === undefined ? undefined : (JSON.parse(text) as unknown);
    }
  }
}

/** Whether `row` holds exactly `names` (some may be missing), each a string, boolean, finite number or null. */
function storesAsIs(row: Values, names: readonly string[]): boolean {
  let present = 0;
  for (const name of names) {
    if (name === '__proto__') return false;
    const v = row[name];
    if (v === undefined) continue;
    if (v !== null && typeof v !== 'string' && typeof v !== 'boolean' && !(typeof v === 'number' && Number.isFinite(v))) return false;
    present += 1;
  }
  return present === Object.keys(row).length;
}

/** The values a row writes: its declared fields and key fields that it carries, as JSON would store them. */
function rowValues(row: Values, names: readonly string[]): Values {
  // The common case (a Map's output): nothing to drop or convert, so no copy (one object less per row to collect).
  if (storesAsIs(row, names)) return row;
  // Null prototype: a field may be called "__proto__" (names people choose are data).
  const out = Object.create(null) as Values;
  for (const name of names) {
    const v = Object.hasOwn(row, name) ? row[name] : undefined;
    if (v === undefined) continue;
    const stored = jsonValue(v);
    if (stored !== undefined) out[name] = stored;
  }
  return out;
}

/** Whether merging `values` over `current` changes it (as comparing both as canonical JSON would say). */
function changes(current: Values, values: Values): boolean {
  for (const name of Object.keys(values)) {
    if (!Object.hasOwn(current, name)) return true;
    const a = values[name];
    const b = current[name];
    if (a === b) continue;
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && canonicalJson(a) === canonicalJson(b)) continue;
    return true;
  }
  return false;
}

export interface PlannedRecord {
  values: Values;
  /** Rows of this batch that created or changed it (added to write_count). */
  writes: number;
  /** Index of the row whose outcome was 'created'; null if the key was stored before this batch. */
  createdBy: number | null;
}

export interface WritePlan {
  outcomes: WriteOutcome[];
  /** Only the records to store (created or changed), by key. */
  records: Map<string, PlannedRecord>;
}

const fieldNames = (write: WorkspaceBatch): string[] => [...new Set([...write.key, ...write.fields.map((f) => f.name)])];

/**
 * What a row writes before any stored record is looked at: rejected (the whole batch, a U+0000, a Reference to a
 * missing record, no key or an empty key value), or its record key and the values it stores.
 */
function prepareRow(
  write: WorkspaceBatch,
  names: readonly string[],
  row: Values,
  rejectAll: string | null,
  refuse: (row: Values) => string | null,
): WriteOutcome | { key: string; values: Values } {
  if (rejectAll !== null) return { outcome: 'rejected', reason: rejectAll };
  // jsonb cannot hold U+0000 or half a character: this record is rejected, the rest of the batch is written.
  const unstorable = unstorableTextReason(row, names, 'the workspace');
  if (unstorable !== null) return { outcome: 'rejected', reason: unstorable };
  const refused = refuse(row);
  if (refused !== null) return { outcome: 'rejected', reason: refused };
  if (write.key.length === 0) {
    if (write.mode !== 'insert') return { outcome: 'rejected', reason: `${write.object} has no key field to ${write.mode} by; mark a key field in the Map` };
    return { key: newId('rec'), values: rowValues(row, names) };
  }
  const k = recordKey(row, write.key);
  if (!k.ok) return { outcome: 'rejected', reason: k.reason };
  return { key: k.key, values: rowValues(row, names) };
}

/**
 * Outcomes, row by row and in order, so duplicates inside one batch behave as if written one at a
 * time: upsert merges the row's values over the stored ones ('created', 'updated', or 'unchanged'
 * when nothing differs); insert never changes a record: a key that exists already (or earlier in the
 * batch) is 'unchanged' when the row's values are the stored ones and rejected otherwise, so a batch
 * written again is safe; update changes records like upsert and rejects a key that does not exist.
 * Values not in the row are kept, so two integrations can each fill their own fields of one object.
 */
export function planWorkspaceWrite(
  write: WorkspaceBatch,
  stored: ReadonlyMap<string, Values>,
  rejectAll: string | null,
  /** Why a row cannot be written although its own values are fine (a Reference to a missing record), or null. */
  refuse: (row: Values) => string | null = () => null,
): WritePlan {
  const names = fieldNames(write);
  const state = new Map<string, PlannedRecord & { dirty: boolean }>();
  const outcomes: WriteOutcome[] = write.rows.map((row, i) => {
    const prepared = prepareRow(write, names, row, rejectAll, refuse);
    if ('outcome' in prepared) return prepared;
    const { key, values } = prepared;
    let current = state.get(key);
    if (!current) {
      const before = stored.get(key);
      if (before) {
        current = { values: before, writes: 0, createdBy: null, dirty: false };
        state.set(key, current);
      }
    }
    if (!current) {
      if (write.mode === 'update') {
        if (write.missing === 'skip') return { outcome: 'skipped', reason: SKIPPED_NO_MATCH };
        return { outcome: 'rejected', reason: `No record with key ${describeKey(row, write.key)} in ${write.object}; update mode does not create records` };
      }
      state.set(key, { values, writes: 1, createdBy: i, dirty: true });
      return { outcome: 'created' };
    }
    if (!changes(current.values, values) && (write.mode === 'insert' || !write.rewrite)) return { outcome: 'unchanged' };
    if (write.mode === 'insert') {
      return { outcome: 'rejected', reason: `A record with key ${describeKey(row, write.key)} already exists in ${write.object} with other values; insert mode does not change records` };
    }
    current.values = { ...current.values, ...values };
    current.writes += 1;
    current.dirty = true;
    return { outcome: 'updated' };
  });
  const records = new Map<string, PlannedRecord>();
  for (const [key, { dirty, ...record }] of state) if (dirty) records.set(key, record);
  return { outcomes, records };
}

const labelOf = (name: string): string => {
  const words = name.replace(/_+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const sameKey = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((k, i) => k === b[i]);

/**
 * Why no row of this write may go into the object as stored, or null: another key, or a field whose type, currency
 * code or referenced object differs from the object's attribute. The compiler refuses both at publish, but only
 * against the object as it was then: an integration published before another one made the object wrote USD amounts
 * into an EUR attribute, and text into a Currency or Date one, without a word (probe18).
 */
function objectMismatch(object: { key: readonly string[]; attributes: readonly Field[] }, write: WorkspaceBatch, fields: readonly Field[]): string | null {
  if (!sameKey(object.key, write.key)) {
    return object.key.length === 0 ? `${write.object} has no key, so it cannot be matched by ${write.key.join(', ')}` : `${write.object} is keyed by ${object.key.join(', ')}, not ${write.key.join(', ') || 'nothing'}`;
  }
  for (const f of fields) {
    const attr = object.attributes.find((a) => a.name === f.name);
    // Written like a table (the workspace connector): a field fits the attribute as it would fit a column of its type.
    const why = attr ? attributeMismatch(write.object, attr, write.attributes === 'fit' && fitsColumn(f.type, attr.type) ? { ...f, type: attr.type } : f) : null;
    if (why) return `${why}; publish the integration again to see what to change`;
  }
  return null;
}

function uniqueFields(fields: readonly Field[]): Field[] {
  const seen = new Set<string>();
  return fields.filter((f) => !seen.has(f.name) && seen.add(f.name));
}

/** A Reference value as the record key it names: text as it is, an exact number as its decimal text. */
const referenceKey = (v: unknown): string | null => {
  if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? decimalText(v) : String(v);
  return JSON.stringify(v);
};

/**
 * The check of every Reference field at write: one lookup per referenced object for the batch's distinct values
 * (not a foreign key: a record's values are jsonb, and migration 0014 dropped even the records' FK to their object
 * for its per-row cost). A reference to the object being written may also name a record this batch creates.
 * Null when the batch has no Reference field.
 */
async function missingReferences(
  tx: Db,
  write: WorkspaceBatch,
  fields: readonly Field[],
  attributes: readonly Field[],
  batchKeys: () => ReadonlySet<string>,
): Promise<((row: Values) => string | null) | undefined> {
  const refs: { name: string; object: string; missing: Set<string> }[] = [];
  for (const f of fields) {
    const stored = attributes.find((a) => a.name === f.name);
    // An existing attribute keeps its type, and so what it references.
    const type = stored?.type ?? f.type;
    const object = (stored?.type === 'reference' ? stored.ref : undefined) ?? f.ref;
    if (type !== 'reference') continue;
    if (!object) {
      refs.push({ name: f.name, object: '', missing: new Set() });
      continue;
    }
    const wanted = new Set<string>();
    for (const row of write.rows) {
      const k = referenceKey(ownValue(row, f.name));
      // A value with U+0000 or half a character is no stored key (jsonb cannot hold one): its row is rejected for it
      // before this check, and it must not reach the lookup (jsonb would refuse the whole batch's list).
      if (k !== null && !k.includes('\u0000') && isWholeText(k) && !(object === write.object && batchKeys().has(k))) wanted.add(k);
    }
    const found = new Set<string>();
    if (wanted.size > 0) {
      const rows = await tx
        .select({ key: workspaceRecords.key })
        .from(workspaceRecords)
        .where(and(eq(workspaceRecords.objectName, object), sql`${workspaceRecords.key} = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify([...wanted])}::jsonb)))`));
      for (const r of rows) found.add(r.key);
    }
    refs.push({ name: f.name, object, missing: new Set([...wanted].filter((k) => !found.has(k))) });
  }
  if (refs.length === 0) return undefined;
  return (row) => {
    for (const r of refs) {
      const k = referenceKey(ownValue(row, r.name));
      if (k === null) continue;
      if (r.object === '') return `${r.name} is a Reference that names no workspace object; choose the object it references in the Map`;
      if (r.missing.has(k)) return `${r.name}: no ${r.object} record has the key ${JSON.stringify(k)} (a Reference must name an existing record)`;
    }
    return null;
  };
}

/**
 * Applies a workspace batch inside the caller's transaction and returns one outcome per row.
 * Creates the object on first write (not in update mode, which creates nothing); adds attributes for
 * fields it has not seen (an existing attribute keeps its type: the compiler reports the mismatch
 * before publish).
 *
 * The object's row is locked first, so writers to one object take turns: what this batch reads
 * of the stored records is still true when it writes, and the outcomes are exact.
 */
/** The object's row as the lock reads it (its key and attributes as JSON text), or none. */
export type LockedObjectRow = { key: string; attributes: string } | undefined;

/** The statement part that locks a workspace object's row and reads it (`lockedObject` parses its answer). */
export const lockObjectSql = (object: string) => sql`SELECT key::text AS key, attributes::text AS attributes FROM ${workspaceObjects} WHERE name = ${object} FOR UPDATE`;

const lockedObject = (row: LockedObjectRow) => row && { key: JSON.parse(row.key) as string[], attributes: JSON.parse(row.attributes) as Field[] };

/**
 * `locked`: the object's row as the caller's statement already locked and read it in this transaction (ws16b: the
 * batch commit locks it in the statement that claims the checkpoint, a round trip less per commit); undefined (or not
 * given) when nothing locked it yet.
 */
/**
 * The batch commit's step counts, added by the in-store upsert's own statement when it runs (ws16b: a round trip less
 * per commit): `ctes(extra)` gives the CTEs that add the commit's counts and `extra`'s rows (the workspace step's
 * counts, a SELECT of node_id, read, written, created, updated, unchanged, rejected, skipped, deleted, progress) to the
 * run's steps, their update named `counted_steps`; `done` is set to the node ids it updated once it ran (null: the
 * counts are still the caller's to add).
 */
export interface StepCountsFold {
  nodeId: string;
  ctes(extra: SQL): SQL;
  done: string[] | null;
}

export async function applyWorkspaceWrite(tx: Db, write: WorkspaceBatch, locked?: { row: LockedObjectRow }, fold?: StepCountsFold): Promise<WriteOutcome[]> {
  const fields = uniqueFields(write.fields);
  // Issue 16: both as plain SQL (every batch of a run makes them; Drizzle's builder cost more to build them than PGlite to run them).
  // The object's row locked, and only when there is none, created and then locked: a round trip less for every batch
  // after the first (ws16: a commit's round trips each wait for the worker's event loop, busy with the next batches).
  // The second lock reads a new snapshot, so it sees an object another writer created meanwhile.
  const lock = async () => {
    const answer: unknown = await tx.execute(lockObjectSql(write.object));
    return lockedObject((answer as { rows: LockedObjectRow[] }).rows[0]);
  };
  let object = locked ? lockedObject(locked.row) : await lock();
  if (!object && write.mode !== 'update') {
    await tx.execute(sql`
      INSERT INTO ${workspaceObjects} (name, label, key, attributes)
      VALUES (${write.object}, ${labelOf(write.object)}, ${JSON.stringify(write.key)}::jsonb, ${JSON.stringify(fields)}::jsonb)
      ON CONFLICT DO NOTHING`);
    object = await lock();
  }
  if (!object) {
    if (write.mode === 'update' && write.missing === 'skip') return write.rows.map(() => ({ outcome: 'skipped', reason: SKIPPED_NO_MATCH }));
    if (write.mode === 'update') return write.rows.map(() => ({ outcome: 'rejected', reason: `The workspace has no object ${write.object}; update mode does not create records` }));
    throw new Error(`workspace object ${write.object} vanished while writing to it`);
  }

  const rejectAll = objectMismatch(object, write, fields);
  const added = rejectAll === null ? fields.filter((f) => !object.attributes.some((a) => a.name === f.name)) : [];

  // The batch's record keys, made when something asks (a Reference to this object, or the planned path's lookup):
  // the in-store upsert of a batch without References never needs them as a set.
  let keysOfBatch: Set<string> | null = null;
  const candidateKeys = (): ReadonlySet<string> => {
    if (keysOfBatch) return keysOfBatch;
    keysOfBatch = new Set<string>();
    if (rejectAll === null && write.key.length > 0) {
      for (const row of write.rows) {
        const k = recordKey(row, write.key);
        if (k.ok) keysOfBatch.add(k.key);
      }
    }
    return keysOfBatch;
  };
  const refuse = rejectAll === null ? await missingReferences(tx, write, fields, object.attributes, candidateKeys) : undefined;
  if (rejectAll === null && upsertsInStore(write)) {
    const outcomes = await upsertInStore(tx, write, refuse, added, object.attributes, fold);
    if (outcomes) return outcomes;
  }
  // The keys go as one JSON parameter, not one bind parameter each: one statement per batch, on both engines.
  const stored = new Map<string, Values>();
  if (candidateKeys().size > 0) {
    const rows = await tx
      .select({ key: workspaceRecords.key, values: workspaceRecords.values })
      .from(workspaceRecords)
      .where(
        and(
          eq(workspaceRecords.objectName, write.object),
          sql`${workspaceRecords.key} = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify([...candidateKeys()])}::jsonb)))`,
        ),
      );
    for (const r of rows) stored.set(r.key, r.values);
  }

  const plan = planWorkspaceWrite(write, stored, rejectAll, refuse);
  // The records split by what the lookup said: new keys go in with a plain INSERT and stored ones change with an
  // UPDATE, rather than one INSERT … ON CONFLICT DO UPDATE for both. The split is exact because every writer locks
  // the object's row first (above) and looks up after the lock; a plain insert skips the speculative insertion
  // and conflict check of ON CONFLICT (about 25% of the statement's time on PGlite, 10–20% on Postgres).
  // Each statement takes the batch as one JSON parameter, serialized once here, and Postgres splits it
  // (jsonb_to_recordset), instead of thousands of bind parameters built per value.
  const created: { k: string; v: Values; w: number }[] = [];
  const changed: { k: string; v: Values; w: number }[] = [];
  for (const [key, r] of plan.records) (r.createdBy !== null ? created : changed).push({ k: key, v: r.values, w: r.writes });
  if (created.length > 0) {
    await tx.execute(sql`
      INSERT INTO ${workspaceRecords} (object_name, key, "values", write_count)
      SELECT ${write.object}, r.k, r.v, r.w FROM jsonb_to_recordset(${JSON.stringify(created)}::jsonb) AS r(k text, v jsonb, w integer)`);
  }
  if (changed.length > 0) {
    await tx.execute(sql`
      UPDATE ${workspaceRecords} AS stored SET "values" = r.v, write_count = stored.write_count + r.w, updated_at = now()
      FROM jsonb_to_recordset(${JSON.stringify(changed)}::jsonb) AS r(k text, v jsonb, w integer)
      WHERE stored.object_name = ${write.object} AND stored.key = r.k`);
  }
  const inserted = created.length;

  if (added.length > 0 || plan.records.size > 0) {
    await tx
      .update(workspaceObjects)
      .set({
        ...(added.length > 0 && { attributes: [...object.attributes, ...added] }),
        recordCount: sql`${workspaceObjects.recordCount} + ${inserted}`,
        updatedAt: sql`now()`,
      })
      .where(eq(workspaceObjects.name, write.object));
  }
  return plan.outcomes;
}

/** Whether a batch (its object keyed as the batch says) is an upsert the store decides in one statement (`upsertInStore`). */
export const upsertsInStore = (write: WorkspaceBatch): boolean => write.mode === 'upsert' && !write.rewrite && write.key.length > 0;

/**
 * A batch's upsert as the store statement takes it, made before the commit when it can be (issue 16: the workspace
 * target makes it in the pipeline's write stage, so the commit, which batches take one at a time, no longer spends the
 * worker's time checking and serializing its rows): each row's rejection (null: accepted, in batch order) and the
 * accepted rows' values as one JSON text. Made for `rows` (the same array) with no Reference check: a batch whose
 * object has a Reference field is prepared again at commit with the check. Null when two rows name one record.
 */
export function prepareUpsert(write: WorkspaceBatch, refuse: (row: Values) => string | null = () => null): PreparedUpsert | null {
  const names = fieldNames(write);
  const outcomes: (WriteOutcome | null)[] = [];
  const keys: string[] = [];
  const values: Values[] = [];
  const seen = new Set<string>();
  // A one-field key whose every value is text, or a safe integer (its JSON text is its decimal digits, as jsonb prints
  // it back), is the record key itself (recordKey): the store reads it from the values (`->>`), so the batch goes as
  // the rows' values alone, not each row wrapped with its key repeated.
  const single = write.key.length === 1 ? write.key[0]! : null;
  let keyInValues = single !== null;
  for (const row of write.rows) {
    const prepared = prepareRow(write, names, row, null, refuse);
    if ('outcome' in prepared) {
      outcomes.push(prepared);
      continue;
    }
    if (seen.has(prepared.key)) return null;
    seen.add(prepared.key);
    outcomes.push(null);
    keys.push(prepared.key);
    values.push(prepared.values);
    if (keyInValues) {
      const k = ownValue(prepared.values, single!);
      if (typeof k !== 'string' && !Number.isSafeInteger(k)) keyInValues = false;
    }
  }
  const json = keyInValues ? JSON.stringify(values) : JSON.stringify(values.map((v, i) => ({ k: keys[i], v })));
  return { rows: write.rows, outcomes, count: values.length, keyInValues, json };
}

/**
 * An upsert whose rows name distinct records, decided by the store in one statement: each record is created, or
 * merged (`||`, the row's values over the stored ones) and changed only when the merge differs from what is stored
 * (jsonb equality: what comparing the two as canonical JSON says, as planWorkspaceWrite does), or left as it is;
 * the statement answers the keys it created and the keys it changed, and every other accepted row is unchanged. The
 * stored values never travel to the worker (a 10,000-row batch shipped them all, to be parsed and compared there).
 * The outcomes are exact for the same reason as the planned path's: the object's row is locked first. Null (nothing
 * written) when two rows of the batch name one record: their outcomes depend on each other, so the planned path
 * decides them row by row.
 */
async function upsertInStore(
  tx: Db,
  write: WorkspaceBatch,
  refuse: ((row: Values) => string | null) | undefined,
  added: readonly Field[],
  attributes: readonly Field[],
  fold?: StepCountsFold,
): Promise<WriteOutcome[] | null> {
  // Prepared before the commit (and still for these rows) unless a Reference must be checked now.
  const prepared = !refuse && write.prepared && write.prepared.rows === write.rows ? write.prepared : prepareUpsert(write, refuse);
  if (!prepared) return null;
  const { outcomes } = prepared;
  const single = write.key[0]!;
  // One letter per accepted row, in batch order: c (created), u (updated: merging changed it), n (unchanged).
  let decided = '';
  if (prepared.count > 0) {
    // The batch's size is written into the statement (generate_series(1, n), zipped with the rows by ROWS FROM), so
    // the planner knows how many rows come; its numbers order the answer.
    const n = sql.raw(String(prepared.count));
    const rows = prepared.keyInValues
      ? sql`SELECT r.v ->> ${single}::text AS k, r.v, r.i FROM ROWS FROM (jsonb_array_elements(${prepared.json}::jsonb), generate_series(1, ${n})) AS r(v, i)`
      : sql`SELECT * FROM ROWS FROM (jsonb_to_recordset(${prepared.json}::jsonb) AS (k text, v jsonb), generate_series(1, ${n})) AS r(k, v, i)`;
    // Each row goes in with INSERT … ON CONFLICT: a key already stored is merged (`||`, the row's values over the
    // stored ones) only when the merge changes it (`@>` first: a stored record that does not contain the row's values is
    // changed without building the merge; one that does is compared whole, since containment is looser than equality
    // for nested arrays and objects). ws16b: every row finds its record through the key's unique index, whatever the
    // planner's figures say; the join this replaced (the batch LEFT JOIN the stored records) was hashed over every
    // record of the object whenever its figures lagged (a new object, before an analyze: 85 ms a batch at 100,000
    // records, growing with the object). The statement answers the keys it created (a new row version with no xmax)
    // and changed; every other accepted row is unchanged (its WHERE said no change, so it is not returned).
    const result: unknown = await tx.execute(sql`
      WITH r AS MATERIALIZED (${rows}), up AS (
        INSERT INTO ${workspaceRecords} AS s (object_name, key, "values", write_count)
        SELECT ${write.object}, r.k, r.v, 1 FROM r
        ON CONFLICT (object_name, key) DO UPDATE SET "values" = s."values" || excluded."values", write_count = s.write_count + 1, updated_at = now()
          WHERE NOT (s."values" @> excluded."values") OR (s."values" || excluded."values") IS DISTINCT FROM s."values"
        RETURNING s.key, s.xmax = 0 AS created
      ), counted AS (
        -- The object's record count and new attributes, when the batch added a field or wrote a record (issue 16: in
        -- this statement, not one of its own after it; the object's row is already ours).
        UPDATE ${workspaceObjects} SET ${added.length > 0 ? sql`attributes = ${JSON.stringify([...attributes, ...added])}::jsonb, ` : sql``}
          record_count = record_count + (SELECT count(*) FROM up WHERE up.created)::integer, updated_at = now()
        WHERE name = ${write.object} AND (${sql.raw(added.length > 0 ? 'true' : 'false')} OR EXISTS (SELECT 1 FROM up))
      )${fold ? sql`, ${fold.ctes(sql`
        SELECT ${fold.nodeId}::text, 0, t.n::integer, t.c::integer, t.u::integer, (t.n - t.c - t.u)::integer, ${outcomes.filter((o) => o !== null).length}::integer, 0, 0, NULL::jsonb
          FROM (SELECT (SELECT count(*) FROM r) AS n, (SELECT count(*) FROM up WHERE up.created) AS c, (SELECT count(*) FROM up WHERE NOT up.created) AS u) AS t`)}` : sql``}
      SELECT string_agg(CASE WHEN up.key IS NULL THEN 'n' WHEN up.created THEN 'c' ELSE 'u' END, '' ORDER BY r.i) AS outcomes${
        fold ? sql`, (SELECT coalesce(json_agg(node_id), '[]'::json)::text FROM counted_steps) AS steps` : sql``}
        FROM r LEFT JOIN up ON up.key = r.k`);
    const answer = (result as { rows: { outcomes: string | null; steps?: string }[] }).rows[0];
    decided = answer?.outcomes ?? '';
    if (fold) fold.done = JSON.parse(answer?.steps ?? '[]') as string[];
    if (decided.length !== prepared.count) throw new Error(`workspace upsert into ${write.object}: the store answered ${decided.length} outcomes for ${prepared.count} rows`);
  } else if (added.length > 0) {
    // Every row rejected, but the batch names a field the object lacks: added as the statement above adds it.
    await tx.execute(sql`UPDATE ${workspaceObjects} SET attributes = ${JSON.stringify([...attributes, ...added])}::jsonb, updated_at = now() WHERE name = ${write.object}`);
  }
  let next = 0;
  return outcomes.map((o) => {
    if (o) return o;
    const c = decided.charCodeAt(next++);
    return { outcome: c === 99 ? 'created' : c === 117 ? 'updated' : 'unchanged' };
  });
}

/** One workspace batch in its own transaction: the workspace connector's write (the batch commit runs applyWorkspaceWrite inside its own). */
export function writeWorkspace(db: Db, write: WorkspaceBatch): Promise<WriteOutcome[]> {
  return db.transaction((tx) => applyWorkspaceWrite(tx, write));
}

/**
 * Whether a stored key can hold the text: no record's key holds U+0000 or half a character (the write refuses them), and
 * jsonb would refuse the one and the driver send U+FFFD (another key) for the other, so a lookup or delete never sends it.
 */
const storableKey = (key: string): boolean => !key.includes('\u0000') && isWholeText(key);

/** The reason of a `skipped` outcome (the connectors' SKIPPED_NO_MATCH, repeated: the store imports no connector code). */
const SKIPPED_NO_MATCH = 'skipped: no match';

/**
 * Deletes records of `object` by stored key in the caller's transaction, the object's row locked first like a write,
 * and its record count kept. One result per key: `missing` when there was no such record (already gone).
 */
export async function applyWorkspaceDelete(tx: Db, object: string, keys: readonly string[]): Promise<('deleted' | 'missing')[]> {
  if (keys.length === 0) return [];
  const sent = [...new Set(keys)].filter(storableKey);
  if (sent.length === 0) return keys.map(() => 'missing');
  const [found] = await tx.select({ name: workspaceObjects.name }).from(workspaceObjects).where(eq(workspaceObjects.name, object)).for('update');
  if (!found) return keys.map(() => 'missing');
  const result: unknown = await tx.execute(sql`
    DELETE FROM ${workspaceRecords} WHERE object_name = ${object}
      AND key = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(sent)}::jsonb)))
    RETURNING key`);
  const gone = new Set((result as { rows: { key: string }[] }).rows.map((r) => r.key));
  if (gone.size > 0) {
    await tx
      .update(workspaceObjects)
      .set({ recordCount: sql`greatest(${workspaceObjects.recordCount} - ${gone.size}, 0)`, updatedAt: sql`now()` })
      .where(eq(workspaceObjects.name, object));
  }
  const seen = new Set<string>();
  return keys.map((k) => (gone.has(k) && !seen.has(k) && seen.add(k) ? 'deleted' : 'missing'));
}

export function deleteWorkspaceRecords(db: Db, object: string, keys: readonly string[]): Promise<('deleted' | 'missing')[]> {
  return db.transaction((tx) => applyWorkspaceDelete(tx, object, keys));
}

/** What a workspace batch would do, without writing (test a record): each row's outcome, and its record before and after. */
export interface WorkspaceWritePreview {
  outcomes: WriteOutcome[];
  /** The stored values of each row's record (null: none stored), and what the write would leave there (null: rejected). */
  before: (Values | null)[];
  after: (Values | null)[];
}

/** The same decisions as applyWorkspaceWrite (planWorkspaceWrite over the same lookup), read only: nothing is written or locked. */
export async function previewWorkspaceWrite(db: Db, write: WorkspaceBatch): Promise<WorkspaceWritePreview> {
  const [object] = await db.select().from(workspaceObjects).where(eq(workspaceObjects.name, write.object));
  if (!object && write.mode === 'update') {
    const reason = `The workspace has no object ${write.object}; update mode does not create records`;
    return { outcomes: write.rows.map(() => ({ outcome: 'rejected', reason })), before: write.rows.map(() => null), after: write.rows.map(() => null) };
  }
  const rejectAll = object ? objectMismatch(object, write, uniqueFields(write.fields)) : null;
  const keys = write.rows.map((row) => (write.key.length > 0 ? recordKey(row, write.key) : null));
  const wanted = [...new Set(keys.flatMap((k) => (k?.ok && storableKey(k.key) ? [k.key] : [])))];
  const stored = new Map<string, Values>();
  if (object && rejectAll === null && wanted.length > 0) {
    const rows = await db
      .select({ key: workspaceRecords.key, values: workspaceRecords.values })
      .from(workspaceRecords)
      .where(and(eq(workspaceRecords.objectName, write.object), sql`${workspaceRecords.key} = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(wanted)}::jsonb)))`));
    for (const r of rows) stored.set(r.key, r.values);
  }
  const plan = planWorkspaceWrite(write, stored, rejectAll);
  const before = keys.map((k) => (k?.ok ? (stored.get(k.key) ?? null) : null));
  const after = plan.outcomes.map((o, i) => {
    if (o.outcome === 'rejected') return null;
    const k = keys[i];
    const planned = k?.ok ? plan.records.get(k.key)?.values : undefined;
    return planned ?? before[i] ?? null;
  });
  return { outcomes: plan.outcomes, before, after };
}
