// Password hashing with Node's built-in scrypt: no native add-on, no install script, and the parameters are stored
// with each hash so they can be raised later without breaking old ones.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** OWASP's scrypt floor: N = 2^17, r = 8, p = 1 (128 MiB, about 0.2 s on one core). */
export const DEFAULT_COST = 17;

const run = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scrypt(password.normalize('NFKC'), salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));

const options = (log2n: number, r: number, p: number): ScryptOptions => ({ N: 2 ** log2n, r, p, maxmem: 2 ** log2n * r * 128 * 2 });

/** `scrypt$<log2 N>$<r>$<p>$<salt b64url>$<key b64url>`. `cost` (log2 N) is lowered only by tests. */
export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await run(password, salt, 32, options(cost, 8, 1));
  return ['scrypt', cost, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** No password may hold one (shared/api/auth.ts' Password); see verifyPassword for why it matters. */
const CONTROL = /[\u0000-\u001f\u007f]/;

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  // scrypt starts with PBKDF2-HMAC, whose key is zero-padded: "secret" and "secret\0" hash alike. No password can
  // hold a control character, so one sent at sign-in is wrong whatever follows.
  if (CONTROL.test(password)) return false;
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await run(password, Buffer.from(salt, 'base64url'), expected.length, options(Number(n), Number(r), Number(p)));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

let dummy: Promise<string> | null = null;
/** Spends the time of one verification for an unknown email, so timing does not tell which emails have accounts. */
export async function verifyNothing(password: string, cost = DEFAULT_COST): Promise<false> {
  dummy ??= hashPassword('not a password of anyone', cost);
  await verifyPassword(password, await dummy);
  return false;
}
