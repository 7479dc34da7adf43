// An unknown email must cost what a wrong password costs, or the time of the answer tells which emails have accounts
// (probe19). Measured as the process's CPU time (scrypt runs on libuv's threads, which it counts), not wall time,
// which a loaded machine makes meaningless; the real cost (N = 2^14, r = 8, p = 5) makes each attempt ~0.1-0.2 s of CPU.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiApp, type ApiApp } from '../../test/support/api-app';
import { hashPassword } from '../auth/passwords';

let rig: ApiApp;
beforeAll(async () => {
  rig = await openApiApp({ name: 'sign-in-timing', maxUploadBytes: 4096 });
  await rig.store.auth.createOwner({ email: 'owner@example.com', name: 'Owner', passwordHash: await hashPassword('correct horse battery') });
  // An invited person who has not chosen a password yet: no hash to check against.
  await rig.store.auth.createUser({ email: 'invited@example.com', name: 'Invited', role: 'viewer', passwordHash: null, inviteHash: 'x'.repeat(64), inviteExpiresAt: new Date(Date.now() + 60_000) });
});
afterAll(async () => {
  await rig?.close();
});

async function cpuOf(email: string): Promise<number> {
  const before = process.cpuUsage();
  const res = await rig.anonymous.request('/api/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'not the password' }) });
  const used = process.cpuUsage(before);
  expect(res.status).toBe(401);
  expect(await res.json()).toMatchObject({ error: { code: 'wrong_credentials', message: 'Wrong email or password' } });
  return used.user + used.system;
}

describe('sign-in timing (probe19)', () => {
  it('spends the same CPU on an unknown email, an invited person and a wrong password', async () => {
    await cpuOf('warm-up@example.com');
    const unknown: number[] = [];
    const wrong: number[] = [];
    const invited: number[] = [];
    for (let i = 0; i < 4; i++) {
      unknown.push(await cpuOf(`nobody-${i}@example.com`));
      wrong.push(await cpuOf('owner@example.com'));
      invited.push(await cpuOf('invited@example.com'));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const [u, w, v] = [median(unknown), median(wrong), median(invited)];
    // Each path hashes once at the same parameters: the medians agree within a third, where skipping the hash for an
    // unknown email would make it a small fraction of a wrong password's.
    expect(u / w).toBeGreaterThan(0.67);
    expect(u / w).toBeLessThan(1.5);
    expect(v / w).toBeGreaterThan(0.67);
    expect(v / w).toBeLessThan(1.5);
  });
});
