// What a source executor does for incremental syncs (issue 14), shared by the database and workspace sources: the
// read condition from the run's source read (`field >= since`), and the high-water mark of what it read so far,
// carried in its checkpoint and committed with each batch (capped at the read's start for time cursors).
import type { Field } from '../../shared/graph/field-types';
import { capCursor, cursorKindOf, CursorValue, highOfRows, INCLUSIVE_READ, type CursorKind } from '../../shared/sync/cursor';
import type { IncrementalRead, Row } from '../connections/sessions';
import { PlanError, type PipelineSync } from './types';

export interface SourceSync {
  /** The connector's read condition; absent on a full read. */
  incremental?: IncrementalRead;
  /** The mark after `rows`, given the mark before (null: none yet); also what the batch commits (capped). */
  next(before: CursorValue | null, rows: readonly Row[]): { high: CursorValue | null; commit: CursorValue | undefined };
}

/** No cursor field, or no sync state: nothing to condition, nothing to track. */
const NONE: SourceSync = { next: () => ({ high: null, commit: undefined }) };

/**
 * The source's sync for this run. `fields` are the source's columns (their Weft types say how marks compare); a
 * cursor field that is not among them, or whose type cannot order (text, boolean), is a plan error.
 */
export function sourceSync(label: string, cursorField: string, fields: readonly Field[], sync: PipelineSync | undefined, fieldName: (f: string) => string = (f) => f): SourceSync {
  if (!cursorField || !sync) return NONE;
  const kind = cursorKindFor(label, cursorField, fields);
  const read = sync.read;
  const startedAt = read ? Date.parse(read.startedAt) : Date.now();
  const incremental = read && !read.full && read.since !== null && read.field === cursorField ? { field: fieldName(cursorField), after: read.since, inclusive: INCLUSIVE_READ } : undefined;
  return {
    ...(incremental && { incremental }),
    next(before, rows) {
      const high = highOfRows(kind, cursorField, rows, before);
      const capped = capCursor(kind, high, startedAt);
      return { high, commit: capped ?? undefined };
    },
  };
}

/** The kind of marks a source's cursor field keeps. */
export function cursorKindFor(label: string, cursorField: string, fields: readonly Field[]): CursorKind {
  const field = fields.find((f) => f.name === cursorField);
  if (!field) throw new PlanError(`${label} reads incrementally by "${cursorField}", which it does not have. Choose another cursor field and publish again.`);
  const kind = cursorKindOf(field.type);
  if (!kind) throw new PlanError(`${label} reads incrementally by "${cursorField}", a ${field.type} field; a cursor field must be a date-time, a date or a number.`);
  return kind;
}

export { CursorValue };
