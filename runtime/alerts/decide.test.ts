// The alert state machine: once per change of state, a reset on recovery, auto-disable at the Nth failure.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from '../../shared/api/operations';
import type { AlertMemory } from '../store/operations';
import { decideAlerts, type RunOutcome } from './decide';

const failed: RunOutcome = { kind: 'failed', error: 'Host unreachable' };
const clean: RunOutcome = { kind: 'completed', rejectedPercent: 0 };

/** Feeds outcomes through the machine as the store would keep its memory; returns the events of each run. */
function replay(outcomes: RunOutcome[], settings: Partial<AlertSettings> = {}) {
  let memory: AlertMemory = { name: 'Orders', active: true, settings: { ...DEFAULT_ALERT_SETTINGS, ...settings }, webhookSecret: 's', state: 'ok', consecutiveFailures: 0 };
  return outcomes.map((o) => {
    const d = decideAlerts(memory, o);
    if (d.update) memory = { ...memory, state: d.update.state, consecutiveFailures: d.update.consecutiveFailures, active: d.autoDisable ? false : memory.active };
    return { events: d.events, state: memory.state, failures: memory.consecutiveFailures, autoDisable: d.autoDisable };
  });
}

describe('decideAlerts', () => {
  it('alerts on the first failure only, and again after a recovery', () => {
    const steps = replay([failed, failed, clean, failed], { autoDisableAfter: 0 });
    expect(steps.map((s) => s.events)).toEqual([['run.failed'], [], [], ['run.failed']]);
    expect(steps.map((s) => s.failures)).toEqual([1, 2, 0, 1]);
  });

  it('deactivates at the Nth failure in a row (default 5), with the reason, and alerts once for it', () => {
    const steps = replay([failed, failed, failed, failed, failed]);
    expect(steps.map((s) => s.autoDisable !== null)).toEqual([false, false, false, false, true]);
    expect(steps[4]).toMatchObject({ events: ['integration.auto_disabled'], state: 'disabled', failures: 5 });
    expect(steps[4]!.autoDisable).toBe('Deactivated after 5 failed runs in a row (last: Host unreachable)');
  });

  it('a success in between starts the count again', () => {
    const steps = replay([failed, failed, clean, failed, failed], { autoDisableAfter: 3 });
    expect(steps.every((s) => s.autoDisable === null)).toBe(true);
  });

  it('alerts when the rejected share crosses the threshold, once while it stays above', () => {
    const above: RunOutcome = { kind: 'completed', rejectedPercent: 12.5 };
    const below: RunOutcome = { kind: 'completed', rejectedPercent: 4 };
    const steps = replay([below, above, above, below, above], { rejectedAbovePercent: 10 });
    expect(steps.map((s) => s.events)).toEqual([[], ['run.rejected_above_threshold'], [], [], ['run.rejected_above_threshold']]);
  });

  it('sends nothing for events that are switched off, yet still counts and disables', () => {
    const steps = replay([failed, failed], { onFailure: false, onAutoDisable: false, autoDisableAfter: 2 });
    expect(steps.map((s) => s.events)).toEqual([[], []]);
    expect(steps[1]!.autoDisable).not.toBeNull();
  });
});
