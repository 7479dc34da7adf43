// The alert state machine, pure: from what was last alerted and how a run ended, the next state and what to send.
// An alert fires when the state changes (ok -> failing, failing -> disabled, ok -> errors…), never twice for one state.
import type { AlertEvent } from '../../shared/api/operations';
import type { AlertMemory, AlertMemoryUpdate } from '../store/operations';

/** How a run ended, as alerts see it: failed, completed with this share of records rejected, or ignored (cancelled…). */
export type RunOutcome = { kind: 'failed'; error: string | null } | { kind: 'completed'; rejectedPercent: number };

export interface AlertDecision {
  update: AlertMemoryUpdate | null;
  /** What to send (each only when its setting is on), in order. */
  events: AlertEvent[];
  /** Set when this run makes the integration inactive: the reason the card shows. */
  autoDisable: string | null;
}

export function decideAlerts(memory: AlertMemory, outcome: RunOutcome): AlertDecision {
  const { settings } = memory;
  const events: AlertEvent[] = [];
  if (outcome.kind === 'failed') {
    const failures = memory.consecutiveFailures + 1;
    const limit = settings.autoDisableAfter;
    if (memory.state !== 'failing' && memory.state !== 'disabled' && settings.onFailure) events.push('run.failed');
    if (limit > 0 && failures >= limit && memory.active) {
      const reason = `Deactivated after ${failures} failed runs in a row${outcome.error ? ` (last: ${outcome.error.slice(0, 200)})` : ''}`;
      if (settings.onAutoDisable) events.push('integration.auto_disabled');
      return { update: { state: 'disabled', consecutiveFailures: failures }, events, autoDisable: reason };
    }
    return { update: { state: memory.state === 'disabled' ? 'disabled' : 'failing', consecutiveFailures: failures }, events, autoDisable: null };
  }
  const threshold = settings.rejectedAbovePercent;
  if (threshold !== null && outcome.rejectedPercent > threshold) {
    if (memory.state !== 'errors') events.push('run.rejected_above_threshold');
    return { update: { state: 'errors', consecutiveFailures: 0 }, events, autoDisable: null };
  }
  // Recovered: the next failure alerts again.
  return { update: { state: 'ok', consecutiveFailures: 0 }, events, autoDisable: null };
}
