// WEFT_OWNER_EMAIL and WEFT_OWNER_PASSWORD: the owner made on a first start without a browser (for automation).
import { SetupInput } from '../../shared';
import type { Store } from '../store/types';
import { hashPassword } from './passwords';

export type FirstOwner = { created: true; email: string } | { created: false; reason: 'exists' | 'unset' };

export async function ensureFirstOwner(store: Store, email: string | undefined, password: string | undefined): Promise<FirstOwner> {
  if (!email && !password) return { created: false, reason: 'unset' };
  if (!email || !password) throw new Error('Set both WEFT_OWNER_EMAIL and WEFT_OWNER_PASSWORD, or neither');
  const parsed = SetupInput.safeParse({ email, name: email.split('@')[0], password });
  if (!parsed.success) {
    throw new Error(`WEFT_OWNER_EMAIL / WEFT_OWNER_PASSWORD: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  if ((await store.auth.countUsers()) > 0) return { created: false, reason: 'exists' };
  const owner = await store.auth.createOwner({ ...parsed.data, passwordHash: await hashPassword(parsed.data.password) });
  if (!owner) return { created: false, reason: 'exists' };
  await store.auth.addAudit({ actor: 'system', action: 'auth.setup', targetType: 'user', targetId: owner.id, targetName: owner.email, detail: { from: 'WEFT_OWNER_EMAIL' } });
  return { created: true, email: owner.email };
}
