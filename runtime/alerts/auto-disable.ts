// The one place an integration is deactivated because it kept failing. The schedule's pause hooks in here: a
// deactivated integration must not be started by its schedule either (the schedules' branch passes `pauseSchedule`).
import type { Store } from '../store/types';

export interface AutoDisableHooks {
  /** Pauses the integration's Temporal Schedule, when it has one (wired by the schedules feature). */
  pauseSchedule?: (integrationId: string, reason: string) => Promise<void>;
}

/**
 * Deactivates the integration, then asks its schedule to pause. A pause that fails (Temporal unreachable) is answered,
 * not thrown: the integration is deactivated all the same (and a schedule's firing does not run a deactivated
 * integration, see createScheduledRun), and the alerts of this run must still go out.
 */
export async function onAutoDisable(store: Store, integrationId: string, reason: string, hooks: AutoDisableHooks = {}): Promise<{ pauseError: unknown } | null> {
  await store.ops.setActive(integrationId, false, reason);
  await store.auth.addAudit({ actor: 'system', action: 'integration.auto_disabled', targetType: 'integration', targetId: integrationId, detail: { reason } });
  try {
    await hooks.pauseSchedule?.(integrationId, reason);
    return null;
  } catch (pauseError) {
    return { pauseError };
  }
}
