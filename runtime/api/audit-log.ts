// Writes one audit entry for the request's principal: who, what, on which thing, from where. Never secret values.
import type { Context } from 'hono';
import type { AuditAction } from '../../shared';
import type { Store } from '../store/types';
import { clientIp, type AuthEnv } from './guard';

export interface AuditTarget {
  type: string;
  id?: string | null;
  name?: string | null;
}

export async function audit(c: Context<AuthEnv>, store: Store, action: AuditAction, target?: AuditTarget, detail: Record<string, unknown> = {}, who?: { actor: string; actorId: string | null }) {
  const p = who ?? c.get('principal');
  await store.auth.addAudit({
    actor: p?.actor ?? 'anonymous',
    actorId: p?.actorId ?? null,
    action,
    targetType: target?.type ?? null,
    targetId: target?.id ?? null,
    targetName: target?.name ?? null,
    detail,
    ip: clientIp(c),
  });
}
