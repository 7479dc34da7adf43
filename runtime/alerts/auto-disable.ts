// The one place an integration is deactivated because it kept failing. The schedule's pause hooks in here: a
// deactivated integration must not be started by its schedule either (the schedules' branch passes `pauseSchedule`).
import type { Store } from '../store/types';

export interface AutoDisableHooks {
  /** Pauses the integration's Temporal Schedule, when it has one (wired by the schedules feature). */
  pauseSchedule?: (integrationId: string, reason: string) => Promise<void>;
}

export async function onAutoDisable(store: Store, integrationId: string, reason: string, hooks: AutoDisableHooks = {}): Promise<void> {
  await store.ops.setActive(integrationId, false, reason);
  await store.auth.addAudit({ actor: 'system', action: 'integration.auto_disabled', targetType: 'integration', targetId: integrationId, detail: { reason } });
  await hooks.pauseSchedule?.(integrationId, reason);
}
