// How a run is named in the web app: who or what started it. Statuses have one label map, RUN_STATUS_LABELS in
// shared/api/runs.ts (the API's messages use the same words); every page reads these, none keeps its own.
import type { Run, RunTrigger } from '../../shared';

/**
 * Every way a run starts, in the history's words: a person (Manual, Run again), a schedule, the trigger API or an API
 * token, a set (its member runs), a resubmit of fixed records from the inbox. A trigger this map does not know is shown as it is stored, so a new one never breaks a page.
 */
export const TRIGGER_LABELS: Record<RunTrigger, string> = {
  manual: 'Manual',
  api: 'API',
  schedule: 'Scheduled',
  rerun: 'Run again',
  set: 'Set',
  resubmit: 'Resubmit',
  webhook: 'Webhook',
};

const triggerLabel = (trigger: string): string => (Object.hasOwn(TRIGGER_LABELS, trigger) ? TRIGGER_LABELS[trigger as keyof typeof TRIGGER_LABELS] : trigger);

/** What the history knows of a run's start; `setName` when the run is a set's member and the set's name came with it. */
export type RunStart = Pick<Run, 'startedBy' | 'webhookRequests'> & { trigger: RunTrigger | (string & {}); setName?: string | null };

/**
 * "Manual · Ada Lovelace", "API · token ci", "API · trigger token nightly", "Scheduled", "Run again · Ada Lovelace",
 * "Set: Nightly ERP" (a member of a set, by the set's name when known, else "Set"), "Resubmit · Ada Lovelace".
 */
export function startedByLabel(run: RunStart): string {
  const by = run.startedBy ?? '';
  if (run.trigger === 'set' || by.startsWith('set:')) {
    // The set's name: sent along, or in startedBy ("set:<name>", or the bare name a set's member run records).
    const name = run.setName || (by.startsWith('set:') ? by.slice('set:'.length) : run.trigger === 'set' ? by : '');
    return name ? `Set: ${name}` : TRIGGER_LABELS.set;
  }
  // A webhook run says how many requests it drained: "Webhook · 1,250 requests".
  if (run.trigger === 'webhook' && run.webhookRequests !== undefined) {
    return `${TRIGGER_LABELS.webhook} · ${run.webhookRequests.toLocaleString('en-US')} request${run.webhookRequests === 1 ? '' : 's'}`;
  }
  const who = by.startsWith('token:')
    ? `token ${by.slice('token:'.length)}`
    : by.startsWith('trigger:')
      ? `trigger token ${by.slice('trigger:'.length)}`
      : by;
  return who ? `${triggerLabel(run.trigger)} · ${who}` : triggerLabel(run.trigger);
}

/** The name shown for a run: its own, else "Run of <date>" for runs recorded before names existed. */
export const runName = (run: Pick<Run, 'name'>, fallback: string): string => run.name || fallback;
