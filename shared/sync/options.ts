// A run's sync options and what a run says about its sync (issue 14): the options a person or the API gives when
// starting a run, and the summary the run page and history show ("Incremental since …, 214 changed" / "Full sync").
import { z } from 'zod';
import { CursorKind, CursorValue } from './cursor';

export const RunSyncOptions = z
  .object({
    /** Read everything once, whatever the kept cursors ("Run full sync"); the cursors move as after any committed run. */
    fullSync: z.boolean().optional(),
    /** Apply deletes even above a target's threshold (the "Confirm deletes" re-run of a run that held them back). */
    confirmDeletes: z.boolean().optional(),
    /**
     * "Sync and refresh": re-read every source record (a full read) and rewrite every mapped field of the matched target
     * records with the current mapping, equal values or not, so a changed formula reaches old records; the cursors then
     * move as after a full sync.
     */
    refresh: z.boolean().optional(),
  })
  .strict();
export type RunSyncOptions = z.infer<typeof RunSyncOptions>;

/** One source step of a run: how it read. */
export const RunSourceSync = z.object({
  nodeId: z.string(),
  label: z.string(),
  /** The cursor field; null when the source has none (every run reads everything). */
  field: z.string().nullable(),
  kind: CursorKind.nullable(),
  /** Read everything (full sync asked for, first run, the cursor field changed, or no cursor field). */
  full: z.boolean(),
  /** Why a read was full, in words ("Full sync asked for", "First run: no cursor kept yet"); null when incremental. */
  fullReason: z.string().nullable(),
  /** The mark an incremental read started from. */
  since: CursorValue.nullable(),
  /** Records read (the source step's count). */
  changed: z.number().int().nonnegative(),
});
export type RunSourceSync = z.infer<typeof RunSourceSync>;

/** One target's delete phase: applied, held back above its threshold, or still applying (a run in progress). */
export const RunDeleteSync = z.object({
  /** The target step's node id; a two-way step's for each of its directions (del13: never `<node>#a`). */
  nodeId: z.string(),
  /** A two-way step's direction: the side deleted on. Absent for a target step. */
  side: z.enum(['a', 'b']).optional(),
  label: z.string(),
  /** `stopped`: still applying when the run failed or was cancelled (its retries spent, or Cancel). */
  state: z.enum(['held', 'applying', 'applied', 'stopped']),
  candidates: z.number().int().nonnegative(),
  targetRecords: z.number().int().nonnegative(),
  allowed: z.number().int().nonnegative(),
  applied: z.number().int().nonnegative(),
  /** `stopped`: the records a delete call in flight may have deleted too (its answer never came), beyond `applied`. */
  inFlight: z.number().int().nonnegative().nullish(),
});
export type RunDeleteSync = z.infer<typeof RunDeleteSync>;

export const RunSync = z.object({
  options: RunSyncOptions,
  sources: z.array(RunSourceSync),
  deletes: z.array(RunDeleteSync),
  /** "Sync and refresh" runs: the target records rewritten with the current mapping (the targets' updated counts). */
  remapped: z.number().int().nonnegative().optional(),
});
export type RunSync = z.infer<typeof RunSync>;

/** "2026-12-01 06:00:03" for a time mark (UTC), the number itself for an id. */
export function describeMark(kind: CursorKind | null, value: CursorValue): string {
  if (kind !== 'time' || typeof value !== 'string') return String(value);
  const t = Date.parse(value);
  if (Number.isNaN(t)) return value;
  const iso = new Date(t).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${iso.slice(19, 23) === '.000' ? '' : iso.slice(19, 23)} UTC`;
}

/** The run page's line for one source: "Incremental since 2026-12-01 06:00:03 UTC, 214 changed" or "Full sync". */
export function describeSourceSync(s: Pick<RunSourceSync, 'full' | 'since' | 'kind' | 'changed' | 'field' | 'fullReason'>): string {
  if (s.full || s.since === null) return s.fullReason && s.field ? `Full sync (${s.fullReason}), ${s.changed.toLocaleString('en-US')} read` : `Full sync, ${s.changed.toLocaleString('en-US')} read`;
  return `Incremental since ${describeMark(s.kind, s.since)}, ${s.changed.toLocaleString('en-US')} changed`;
}

/** The run page's line for a "Sync and refresh" run: "Sync and refresh: 1,200 records re-mapped". */
export function describeRefresh(remapped: number): string {
  return `Sync and refresh: ${remapped.toLocaleString('en-US')} ${remapped === 1 ? 'record' : 'records'} re-mapped`;
}

/** "Held back: 40 deletes in customers (threshold 20: 10% of 200 records). Nothing was deleted." */
export function describeDeleteSync(d: RunDeleteSync): string {
  if (d.state === 'held') {
    return `Deletes held back: ${d.candidates.toLocaleString('en-US')} records of ${d.label} would be deleted, more than its threshold of ${d.allowed.toLocaleString('en-US')} (of ${d.targetRecords.toLocaleString('en-US')} records). ${d.applied > 0 ? `${d.applied.toLocaleString('en-US')} of them were deleted before the rest was found; nothing more was deleted` : 'Nothing was deleted'}; run again with "Confirm deletes" to delete them.`;
  }
  if (d.state === 'stopped') {
    const upTo = d.applied + (d.inFlight ?? 0);
    const done = upTo > d.applied ? `${d.applied.toLocaleString('en-US')}–${upTo.toLocaleString('en-US')}` : d.applied.toLocaleString('en-US');
    return `Deletes to ${d.label} stopped with the run: ${done} of ${d.candidates.toLocaleString('en-US')} deleted`;
  }
  if (d.state === 'applying') return `Applying deletes to ${d.label}: ${d.applied.toLocaleString('en-US')} of ${d.candidates.toLocaleString('en-US')} deleted so far`;
  return `${d.applied.toLocaleString('en-US')} ${d.applied === 1 ? 'record' : 'records'} of ${d.label} deleted`;
}
