// What a target executor does for syncs (issue 14), shared by the database and workspace targets: rows deleted at the
// source (its soft-delete field set) are held out of the write and kept as delete candidates; on a full read the keys
// of the rows that reached the target are kept for the full-sync comparison; "Allow new records" off writes in update
// mode with missing keys skipped.
import type { DeleteMode } from '../../shared/sync/target';
import { isSoftDeleted } from '../../shared/sync/target';
import type { RunKey } from '../store/types';
import { recordKey } from '../store/workspace-write';
import type { FlowRow, PipelineSync, TargetOutcome } from './types';

export interface TargetSyncSettings {
  allowNew: boolean;
  deletes: DeleteMode;
}

export interface TargetSync {
  /** The rows to write, and the batch's keys for the delete phase (absent when the target ignores deletes). */
  split(rows: readonly FlowRow[]): { write: FlowRow[]; keys?: NonNullable<TargetOutcome['keys']> };
  /** Update mode with missing keys skipped ("Allow new records" off); undefined: the target's own mode. */
  updateOnly: boolean;
  /** "Sync and refresh": every matched record is rewritten (and counted updated), equal values or not. */
  rewrite: boolean;
}

/** The record-key text and key values of a row, or null when a key field is empty (such a row matches nothing). */
export function runKeyOf(values: Record<string, unknown>, key: readonly string[]): RunKey | null {
  const k = recordKey(values, key);
  if (!k.ok) return null;
  const keyValues = Object.create(null) as Record<string, unknown>;
  for (const f of key) keyValues[f] = values[f];
  return { key: k.key, values: keyValues };
}

export function targetSync(nodeId: string, settings: TargetSyncSettings, key: readonly string[], sync: PipelineSync | undefined): TargetSync {
  const updateOnly = !settings.allowNew;
  const deletesOn = settings.deletes !== 'ignore' && key.length > 0 && sync !== undefined;
  const softField = deletesOn ? sync.sourceSoftDeleteField : '';
  const compare = deletesOn && sync.compareKeys;
  return {
    updateOnly,
    rewrite: sync?.refresh === true,
    split(rows) {
      if (!deletesOn) return { write: [...rows] };
      const write: FlowRow[] = [];
      const seen: string[] = [];
      const deleted: RunKey[] = [];
      for (const row of rows) {
        if (softField && isSoftDeleted(row.source[softField])) {
          const k = runKeyOf(row.values, key);
          if (k) deleted.push(k);
          continue;
        }
        write.push(row);
        if (compare) {
          const k = runKeyOf(row.values, key);
          if (k) seen.push(k.key);
        }
      }
      return { write, keys: { nodeId, seen, deleted } };
    },
  };
}
