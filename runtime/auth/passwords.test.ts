// Password hashes: scrypt with its parameters stored, constant-time checks, and no equivalent spellings.
import { expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './passwords';

it('verifies the password it hashed and nothing else, with a fresh salt each time', async () => {
  const a = await hashPassword('correct horse battery', 10);
  const b = await hashPassword('correct horse battery', 10);
  expect(a).toMatch(/^scrypt\$10\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
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
