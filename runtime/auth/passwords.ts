// Password hashing with Node's built-in scrypt: no native add-on, no install script, and the parameters are stored
// with each hash so they can be raised later without breaking old ones.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * log2 N of new hashes: N = 2^14, r = 8, p = 5, one of OWASP's equivalent scrypt settings (the same work as its N = 2^17,
 * r = 8, p = 1, ~0.2 s on one core), but 16 MiB per hash instead of 128 (issue 16: memory bounded on every path). Node
 * runs scrypt on libuv's threads (4 by default), so sign-ins at once hold at most ~64 MiB, where 2^17 could take 512.
 * The parallelism is computed one lane after another on one thread, so p multiplies time, not memory. Hashes made
 * with other settings (2^17 before the seventh session) keep verifying: each hash carries its own.
 */
export const DEFAULT_COST = 14;
/** OWASP's p for N = 2^14, r = 8. */
export const DEFAULT_PARALLELISM = 5;
/** The most a stored hash may ask for (N = 2^20 at r = 8: 1 GiB): a hash past it is refused, never computed. */
const MAX_MEMORY = 2 ** 30;

const run = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scrypt(password.normalize('NFKC'), salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));

const options = (log2n: number, r: number, p: number): ScryptOptions => ({ N: 2 ** log2n, r, p, maxmem: 2 ** log2n * r * 128 * 2 });

/** `scrypt$<log2 N>$<r>$<p>$<salt b64url>$<key b64url>`. `cost` (log2 N) is lowered only by tests. */
export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await run(password, salt, 32, options(cost, 8, DEFAULT_PARALLELISM));
  return ['scrypt', cost, 8, DEFAULT_PARALLELISM, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** A stored parameter: a plain whole number from 1 to `max`, else null. */
const param = (text: string, max: number): number | null => (/^[1-9][0-9]{0,9}$/.test(text) && Number(text) <= max ? Number(text) : null);

/** No password may hold one (shared/api/auth.ts' Password); see verifyPassword for why it matters. */
const CONTROL = /[\u0000-\u001f\u007f]/;

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  // scrypt starts with PBKDF2-HMAC, whose key is zero-padded: "secret" and "secret\0" hash alike. No password can
  // hold a control character, so one sent at sign-in is wrong whatever follows.
  if (CONTROL.test(password)) return false;
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const log2n = param(n, 20);
  const blocks = param(r, 64);
  const lanes = param(p, 64);
  if (log2n === null || blocks === null || lanes === null || 2 ** log2n * blocks * 128 > MAX_MEMORY) return false;
  const expected = Buffer.from(key, 'base64url');
  if (expected.length < 16 || expected.length > 64) return false;
  const actual = await run(password, Buffer.from(salt, 'base64url'), expected.length, options(log2n, blocks, lanes));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

let dummy: Promise<string> | null = null;
/** Spends the time of one verification for an unknown email, so timing does not tell which emails have accounts. */
export async function verifyNothing(password: string, cost = DEFAULT_COST): Promise<false> {
  dummy ??= hashPassword('not a password of anyone', cost);
  await verifyPassword(password, await dummy);
  return false;
}
