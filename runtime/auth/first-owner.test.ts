// WEFT_OWNER_EMAIL / WEFT_OWNER_PASSWORD on a real (in-memory PGlite) store: once, only while no account exists.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { ensureFirstOwner } from './first-owner';
import { verifyPassword } from './passwords';

let store: Store;
beforeAll(async () => {
  store = await openStore({ memory: true });
});
afterAll(async () => {
  await store.close();
});

it('refuses half a setting or a weak password, naming the variable', async () => {
  await expect(ensureFirstOwner(store, 'ops@example.com', undefined)).rejects.toThrow(/both WEFT_OWNER_EMAIL and WEFT_OWNER_PASSWORD/);
  await expect(ensureFirstOwner(store, 'ops@example.com', 'short')).rejects.toThrow(/WEFT_OWNER_PASSWORD.*password: Use at least 8 characters/);
  await expect(ensureFirstOwner(store, 'ops@example.com', 'nul\u0000inside password')).rejects.toThrow(/control characters/);
  await expect(ensureFirstOwner(store, 'not-an-email', 'long enough password')).rejects.toThrow(/email/);
  expect(await ensureFirstOwner(store, undefined, undefined)).toEqual({ created: false, reason: 'unset' });
  expect(await store.auth.countUsers()).toBe(0);
});

it('creates the owner on a first start and never again', async () => {
  expect(await ensureFirstOwner(store, 'Ops@Example.com', 'a long enough password')).toEqual({ created: true, email: 'ops@example.com' });
  const owner = await store.auth.getUserByEmail('ops@example.com');
  expect(owner).toMatchObject({ role: 'owner', name: 'Ops', active: true });
  expect(await verifyPassword('a long enough password', owner!.passwordHash!)).toBe(true);
  expect(await ensureFirstOwner(store, 'other@example.com', 'another long password')).toEqual({ created: false, reason: 'exists' });
  expect(await store.auth.countUsers()).toBe(1);
  const audit = await store.auth.listAudit({ action: 'auth.setup', limit: 5, offset: 0 });
  expect(audit.items[0]).toMatchObject({ actor: 'system', targetName: 'ops@example.com' });
});
