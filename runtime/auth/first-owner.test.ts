// WEFT_OWNER_EMAIL / WEFT_OWNER_PASSWORD on a real (in-memory PGlite) store: once, only while no account exists.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { ensureFirstOwner, hashOwnerPasswordAhead } from './first-owner';
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

it('takes the password hashed ahead on a first start (wiring.ts), and hashes ahead only valid settings', async () => {
  expect(await hashOwnerPasswordAhead(undefined, 'a long enough password')).toBeUndefined();
  expect(await hashOwnerPasswordAhead('ops@example.com', undefined)).toBeUndefined();
  expect(await hashOwnerPasswordAhead('ops@example.com', 'short')).toBeUndefined();
  expect(await hashOwnerPasswordAhead('ops@example.com', 'nul\u0000inside password')).toBeUndefined();
  expect(await hashOwnerPasswordAhead('__proto__', 'a long enough password')).toBeUndefined();
  const fresh = await openStore({ memory: true });
  try {
    const hashed = await hashOwnerPasswordAhead('Ahead@Example.com', 'hashed before the store opened');
    expect(hashed).toMatch(/^scrypt\$14\$8\$5\$/);
    expect(await ensureFirstOwner(fresh, 'Ahead@Example.com', 'hashed before the store opened', hashed)).toEqual({ created: true, email: 'ahead@example.com' });
    const owner = await fresh.auth.getUserByEmail('ahead@example.com');
    expect(owner!.passwordHash).toBe(hashed);
    expect(await verifyPassword('hashed before the store opened', owner!.passwordHash!)).toBe(true);
  } finally {
    await fresh.close();
  }
});
