// Password hashes: scrypt with its parameters stored, constant-time checks, and no equivalent spellings.
import { randomBytes, scryptSync } from 'node:crypto';
import { expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './passwords';

it('verifies the password it hashed and nothing else, with a fresh salt each time', async () => {
  const a = await hashPassword('correct horse battery', 10);
  const b = await hashPassword('correct horse battery', 10);
  expect(a).toMatch(/^scrypt\$10\$8\$5\$[\w-]{22}\$[\w-]{43}$/);
  expect(a).not.toBe(b);
  expect(await verifyPassword('correct horse battery', a)).toBe(true);
  expect(await verifyPassword('correct horse batter', a)).toBe(false);
  expect(await verifyPassword('Correct horse battery', a)).toBe(false);
  expect(await verifyPassword('correct horse battery', 'not a hash')).toBe(false);
});

it('does not take the password with a NUL byte appended (scrypt’s HMAC pads keys with zeros)', async () => {
  const hash = await hashPassword('correct horse battery', 10);
  expect(await verifyPassword('correct horse battery\u0000', hash)).toBe(false);
  expect(await verifyPassword('correct horse battery\u0000\u0000', hash)).toBe(false);
  expect(await verifyPassword('correct horse battery\n', hash)).toBe(false);
});

it('treats composed and decomposed accents as one password (NFKC)', async () => {
  const hash = await hashPassword('caf\u00e9 au lait!', 10);
  expect(await verifyPassword('cafe\u0301 au lait!', hash)).toBe(true);
});

it('hashes with 16 MiB (N = 2^14, r = 8, p = 5) and still verifies hashes made with the old 128 MiB setting', async () => {
  const hash = await hashPassword('correct horse battery');
  const [, n, r, p] = hash.split('$');
  expect([n, r, p]).toEqual(['14', '8', '5']);
  // Memory per hash: 128 * r * N bytes.
  expect(128 * Number(r) * 2 ** Number(n)).toBe(16 * 1024 * 1024);
  // A hash made before (N = 2^17, r = 8, p = 1), computed here with the same salt: it verifies.
  const salt = randomBytes(16);
  const key = scryptSync('correct horse battery', salt, 32, { N: 2 ** 17, r: 8, p: 1, maxmem: 2 ** 28 });
  const old = ['scrypt', 17, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
  expect(await verifyPassword('correct horse battery', old)).toBe(true);
  expect(await verifyPassword('correct horse batter', old)).toBe(false);
});

it('refuses a stored hash whose parameters are not plain, bounded numbers, without computing it', async () => {
  const good = await hashPassword('correct horse battery', 10);
  const [, , , , salt, key] = good.split('$');
  const withParams = (n: string, r: string, p: string, k = key!) => ['scrypt', n, r, p, salt, k].join('$');
  expect(await verifyPassword('correct horse battery', withParams('10', '8', '5'))).toBe(true);
  for (const [n, r, p] of [['30', '8', '1'], ['21', '8', '1'], ['20', '64', '1'], ['010', '8', '5'], ['1e1', '8', '5'], ['10', '-8', '5'], ['10', '8', '0'], ['10', '8', '65'], ['__proto__', '8', '5'], ['10', '8', '5\u0000'], ['9007199254740993', '8', '5']]) {
    const started = Date.now();
    expect(await verifyPassword('correct horse battery', withParams(n!, r!, p!)), `${n} ${r} ${p}`).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
  }
  // A key of another length than a hash makes.
  expect(await verifyPassword('correct horse battery', withParams('10', '8', '5', Buffer.alloc(2_000).toString('base64url')))).toBe(false);
});
