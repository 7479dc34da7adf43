// How a finished run is judged from its counts: a run that rejected every record it read is Failed, not
// "Completed with errors", and so is one that rejected more than the integration (or the run) allows.
// Decided here, in the finishRun activity, so the workflow code (and the replay of old histories) is unchanged.
import type { RunStatus } from '../../shared/api/runs';
import type { Store } from '../store/types';

const n = (x: number) => x.toLocaleString('en-US');

/** The percentage a run's params set (`maxRejectedPercent`), else the integration's graph setting; null: no limit. */
export function rejectLimit(params: Record<string, unknown> | undefined, graphSettings: { maxRejectedPercent?: number | null } | undefined): number | null {
  const fromRun = params?.maxRejectedPercent;
  if (typeof fromRun === 'number' && Number.isFinite(fromRun) && fromRun >= 0 && fromRun <= 100) return fromRun;
  if (typeof fromRun === 'string' && /^\d+(\.\d+)?$/.test(fromRun) && Number(fromRun) <= 100) return Number(fromRun);
  return graphSettings?.maxRejectedPercent ?? null;
}

/** The verdict on counts: unchanged unless every record was rejected or more than `limit` percent were. */
export function judgeRun(
  status: RunStatus,
  error: string | null,
  counts: { read: number; written: number; rejected: number },
  firstReason: string | null,
  limit: number | null,
): { status: RunStatus; error: string | null } {
  if (status !== 'completed_with_errors' || counts.rejected === 0) return { status, error };
  const why = firstReason ? `: ${firstReason}` : '';
  const read = Math.max(counts.read, counts.rejected);
  if (counts.written === 0 && counts.rejected >= read) {
    return { status: 'failed', error: `All ${n(read)} ${read === 1 ? 'record was' : 'records were'} rejected${why}` };
  }
  if (limit !== null && read > 0) {
    const percent = (counts.rejected / read) * 100;
    if (percent > limit) {
      return { status: 'failed', error: `${n(counts.rejected)} of ${n(read)} records (${percent.toFixed(1)}%) were rejected, more than the ${n(limit)}% allowed${why}` };
    }
  }
  return { status, error };
}

/** Reads what the verdict needs from the store: the run's counts and params, its version's settings, the first rejection. */
export async function runVerdict(store: Store, runId: string, status: RunStatus, error: string | null): Promise<{ status: RunStatus; error: string | null }> {
  if (status !== 'completed_with_errors') return { status, error };
  const run = await store.getRun(runId);
  if (!run) return { status, error };
  const version = await store.getVersion(run.versionId);
  const graph = version?.graph as { settings?: { maxRejectedPercent?: number | null } } | undefined;
  const [first] = (await store.listRejected(runId, { limit: 1 })).items;
  return judgeRun(status, error, run.counts, first?.reason ?? null, rejectLimit(run.params, graph?.settings));
}
