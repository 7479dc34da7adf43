// A target's sync settings (issue 14): allow new records, how deletes apply, the threshold; and the pure rules the
// worker and the two-way engine share: which source value means "deleted", and the value a soft delete writes.
import { z } from 'zod';
import type { FieldType } from '../graph/field-types';

/** How a delete found at the source applies to the target: ignored (default), deleted, or soft-deleted (a field set). */
export const DeleteMode = z.enum(['ignore', 'delete', 'soft']);
export type DeleteMode = z.infer<typeof DeleteMode>;

export const DEFAULT_DELETE_THRESHOLD_PERCENT = 10;

/** The settings every target kind that can sync has, as config fields (spread into the kind's z.object, in this order). */
export const TARGET_SYNC_FIELDS = {
  allowNew: z.boolean().default(true).meta({ title: 'Allow new records' }),
  deletes: DeleteMode.default('ignore').meta({ title: 'Deletes at the source' }),
  softDeleteField: z.string().max(200).default('').meta({ title: 'Soft-delete field on the target (set when deleted)', visibleWhen: { deletes: 'soft' } }),
  deleteThresholdPercent: z
    .number()
    .min(0)
    .max(100)
    .default(DEFAULT_DELETE_THRESHOLD_PERCENT)
    .meta({ title: 'Delete at most this % of records without confirming', visibleWhen: { deletes: ['delete', 'soft'] } }),
};

export const TARGET_SYNC_DEFAULTS = { allowNew: true, deletes: 'ignore', softDeleteField: '', deleteThresholdPercent: DEFAULT_DELETE_THRESHOLD_PERCENT } as const satisfies {
  allowNew: boolean;
  deletes: DeleteMode;
  softDeleteField: string;
  deleteThresholdPercent: number;
};

/**
 * Whether a source's soft-delete field says the record is deleted: TRUE (or 1, "true", "t", "yes") for a flag, any
 * value for a date or date-time (`deleted_at` set). FALSE, 0, null and empty text are not deletes.
 */
export function isSoftDeleted(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0 && Number.isFinite(value);
  if (value instanceof Date) return !Number.isNaN(value.getTime());
  if (typeof value === 'string') {
    const t = value.trim().toLowerCase();
    if (t === '' || t === 'false' || t === 'f' || t === 'no' || t === '0') return false;
    return true;
  }
  return false;
}

/** The most deletes a run may apply without a person confirming: the threshold's share of the target's records, rounded down. */
export const allowedDeletes = (targetRecords: number, percent: number): number => Math.floor((Math.max(0, targetRecords) * Math.min(100, Math.max(0, percent))) / 100);

/**
 * What a soft delete writes into the target's field: TRUE for a boolean field (and a field the target does not
 * have yet: the workspace creates it as Boolean), the run's time for a date-time, its date for a date, "deleted" for text.
 */
export function softDeleteValue(type: FieldType | null, runClock: number): { type: FieldType; value: unknown } {
  const iso = new Date(runClock).toISOString();
  switch (type) {
    case 'datetime':
      return { type, value: iso };
    case 'date':
      return { type, value: iso.slice(0, 10) };
    case 'text':
      return { type, value: 'deleted' };
    case 'number':
    case 'currency':
      return { type, value: 1 };
    default:
      return { type: 'boolean', value: true };
  }
}
