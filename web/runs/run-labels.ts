// How a run is named in the web app: who or what started it. Statuses have one label map, RUN_STATUS_LABELS in
// shared/api/runs.ts (the API's messages use the same words); every page reads these, none keeps its own.
import type { Run, RunTrigger } from '../../shared';

export const TRIGGER_LABELS: Record<RunTrigger, string> = { manual: 'Manual', api: 'API', schedule: 'Scheduled', rerun: 'Run again', resubmit: 'Resubmit', set: 'Set' };

/** "Manual · Ada Lovelace", "API · token ci", "API · trigger token nightly", "Scheduled", "Run again · Ada Lovelace", "Set: Nightly chain". */
export function startedByLabel(run: Pick<Run, 'trigger' | 'startedBy'>): string {
  // A set's member run: "Set: Nightly chain" (startedBy is the set's name when the run started).
  if (run.trigger === 'set') return `Set: ${run.startedBy ?? ''}`;
  const who = run.startedBy?.startsWith('token:')
    ? `token ${run.startedBy.slice('token:'.length)}`
    : run.startedBy?.startsWith('trigger:')
      ? `trigger token ${run.startedBy.slice('trigger:'.length)}`
      : run.startedBy;
  return who ? `${TRIGGER_LABELS[run.trigger]} · ${who}` : TRIGGER_LABELS[run.trigger];
}

/** The name shown for a run: its own, else "Run of <date>" for runs recorded before names existed. */
export const runName = (run: Pick<Run, 'name'>, fallback: string): string => run.name || fallback;
