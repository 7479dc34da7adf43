// WEFT_OWNER_EMAIL and WEFT_OWNER_PASSWORD: the owner made on a first start without a browser (for automation).
import { SetupInput } from '../../shared';
import type { Store } from '../store/types';
import { hashPassword } from './passwords';

export type FirstOwner = { created: true; email: string } | { created: false; reason: 'exists' | 'unset' };

/**
 * The owner's password hashed ahead, when both settings are set and valid (else undefined: ensureFirstOwner says
 * what is wrong). Hashing takes 16 MiB (128 before the seventh session) for ~0.2 s (passwords.ts): a first start does it before the Temporal dev
 * server and the store process run, not at its busiest moment (wiring.ts).
 */
export async function hashOwnerPasswordAhead(email: string | undefined, password: string | undefined): Promise<string | undefined> {
  if (!email || !password) return undefined;
  const parsed = SetupInput.safeParse({ email, name: email.split('@')[0], password });
  return parsed.success ? hashPassword(parsed.data.password) : undefined;
}

export async function ensureFirstOwner(store: Store, email: string | undefined, password: string | undefined, hashedAhead?: string): Promise<FirstOwner> {
  if (!email && !password) return { created: false, reason: 'unset' };
  if (!email || !password) throw new Error('Set both WEFT_OWNER_EMAIL and WEFT_OWNER_PASSWORD, or neither');
  const parsed = SetupInput.safeParse({ email, name: email.split('@')[0], password });
  if (!parsed.success) {
    throw new Error(`WEFT_OWNER_EMAIL / WEFT_OWNER_PASSWORD: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  if ((await store.auth.countUsers()) > 0) return { created: false, reason: 'exists' };
  const owner = await store.auth.createOwner({ ...parsed.data, passwordHash: hashedAhead ?? (await hashPassword(parsed.data.password)) });
  if (!owner) return { created: false, reason: 'exists' };
  await store.auth.addAudit({ actor: 'system', action: 'auth.setup', targetType: 'user', targetId: owner.id, targetName: owner.email, detail: { from: 'WEFT_OWNER_EMAIL' } });
  return { created: true, email: owner.email };
}
