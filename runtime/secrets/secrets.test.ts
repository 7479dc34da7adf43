// The cipher round-trips and refuses tampering and other keys; the key loader reads env, creates and guards the file.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createCipher, loadSecretKey, maskablePassword, MIN_SECRET_LENGTH, parseKey, redact, SecretDecryptError } from './index';

const dirs: string[] = [];
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'weft-secrets-'));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('cipher', () => {
  const cipher = createCipher(randomBytes(32));

  it('round-trips text, with a fresh IV each time', () => {
    const plain = JSON.stringify({ password: 'hunter2 ünïcode ☃' });
    const a = cipher.encrypt(plain);
    const b = cipher.encrypt(plain);
    expect(a).toMatch(/^v1:[^:]+:[^:]+:[^:]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('hunter2');
    expect(cipher.decrypt(a)).toBe(plain);
    expect(cipher.decrypt(cipher.encrypt(''))).toBe('');
  });

  it('detects tampering with the data, the tag or the IV', () => {
    const sealed = cipher.encrypt('secret value');
    const [v, iv, tag, data] = sealed.split(':') as [string, string, string, string];
    const flip = (b64: string) => {
      const buf = Buffer.from(b64, 'base64');
      buf[0] = buf[0]! ^ 1;
      return buf.toString('base64');
    };
    for (const bad of [[v, iv, tag, flip(data)], [v, iv, flip(tag), data], [v, flip(iv), tag, data]]) {
      expect(() => cipher.decrypt(bad.join(':'))).toThrow(SecretDecryptError);
    }
    expect(() => cipher.decrypt(`v2:${iv}:${tag}:${data}`)).toThrow(/Unknown secret format/);
    expect(() => cipher.decrypt('not a secret')).toThrow(SecretDecryptError);
  });

  it('refuses text sealed with another key', () => {
    const other = createCipher(randomBytes(32));
    expect(() => other.decrypt(cipher.encrypt('x'))).toThrow(/another key/);
  });

  it('refuses a key of the wrong size', () => {
    expect(() => createCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe('secret key', () => {
  it('reads WEFT_SECRET_KEY as hex or base64', async () => {
    const raw = randomBytes(32);
    const dataDir = await tempDir();
    expect((await loadSecretKey({ envKey: raw.toString('hex'), dataDir })).key.equals(raw)).toBe(true);
    const fromB64 = await loadSecretKey({ envKey: raw.toString('base64'), dataDir });
    expect(fromB64).toMatchObject({ source: 'env' });
    expect(fromB64.key.equals(raw)).toBe(true);
    expect(parseKey(raw.toString('base64url'), 'k').equals(raw)).toBe(true);
  });

  it('explains a malformed WEFT_SECRET_KEY', async () => {
    const dataDir = await tempDir();
    await expect(loadSecretKey({ envKey: 'too-short', dataDir })).rejects.toThrow(/WEFT_SECRET_KEY is not a valid secret key: give 32 random bytes/);
    await expect(loadSecretKey({ envKey: randomBytes(16).toString('hex'), dataDir })).rejects.toThrow(/WEFT_SECRET_KEY/);
    await expect(loadSecretKey({ envKey: 'zz'.repeat(32), dataDir })).rejects.toThrow(/WEFT_SECRET_KEY/);
  });

  it('creates <dataDir>/secret.key once, owner-only, and reads the same key back', async () => {
    const dataDir = await tempDir();
    const first = await loadSecretKey({ dataDir });
    expect(first.source).toBe('created');
    const file = join(dataDir, 'secret.key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const second = await loadSecretKey({ dataDir });
    expect(second.source).toBe('file');
    expect(second.key.equals(first.key)).toBe(true);
    expect(parseKey(await readFile(file, 'utf8'), file).equals(first.key)).toBe(true);
  });

  it('narrows a key file readable by others to 0600, with a warning', async () => {
    const dataDir = await tempDir();
    const file = join(dataDir, 'secret.key');
    await writeFile(file, randomBytes(32).toString('base64'));
    await chmod(file, 0o644);
    const warn = vi.fn();
    await loadSecretKey({ dataDir, warn });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/readable by others \(mode 644\)/));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses a damaged key file, naming it', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, 'secret.key'), 'garbage!', { mode: 0o600 });
    await expect(loadSecretKey({ dataDir })).rejects.toThrow(/secret\.key is not a valid secret key/);
  });
});

describe('redact', () => {
  it('masks every secret value, also URL-encoded, and nothing else', () => {
    const secrets = { password: 'p@ss word', token: 'abc123', empty: '' };
    expect(redact('password authentication failed for "p@ss word" (abc123) p%40ss%20word', secrets)).toBe(
      'password authentication failed for "••••" (••••) ••••',
    );
    expect(redact('no secrets here', secrets)).toBe('no secrets here');
  });

  it('masks whole tokens only: a secret that is part of a word is left, so the masking never spells it out', () => {
    const message = 'password authentication failed for user "nobody": nobody may login; bodyguards there said so';
    for (const secret of ['o', 'b', 'bod', 'nob', 'ody', 'in', 'the', 'word', 'pass', 'body']) {
      expect([secret, redact(message, { password: secret })]).toEqual([secret, message]);
    }
    // Where the secret does stand alone, it is masked, and nothing around it is touched.
    expect(redact('password "ody" rejected; nobody knows ody', { password: 'ody' })).toBe('password "••••" rejected; nobody knows ••••');
    expect(redact('user=nobody password=nobody host=db', { password: 'nobody' })).toBe('user=•••• password=•••• host=db');
    expect(redact('postgres://weft:s3cr%40t@db/x and s3cr@t.', { password: 's3cr@t' })).toBe('postgres://weft:••••@db/x and ••••.');
    expect(redact('token ünïcödé-kéy, not xünïcödé-kéy', { token: 'ünïcödé-kéy' })).toBe('token ••••, not xünïcödé-kéy');
    expect(redact('at start secret1 and secret1', { password: 'secret1' })).toBe('at start •••• and ••••');
  });

  it('masks a secret however a URL or JSON encodes it: userinfo, form encoding, lower-case hex, escaped quotes', () => {
    const url = new URL('postgres://weft@db/x');
    url.password = 'a$b:c&d+e,f';
    expect(url.toString()).toBe('postgres://weft:a$b%3Ac&d+e,f@db/x');
    expect(redact(`could not connect to ${url.toString()}`, { password: 'a$b:c&d+e,f' })).toBe('could not connect to postgres://weft:••••@db/x');
    const secrets = { password: 'p@ss w0rd!/x' };
    expect(redact('form password=p%40ss+w0rd%21%2Fx&user=weft', secrets)).toBe('form password=••••&user=weft');
    expect(redact('lower-case hex postgres://weft:p%40ss%20w0rd!%2fx@db', secrets)).toBe('lower-case hex postgres://weft:••••@db');
    expect(redact('json {"password":"pa\\"ss\\\\word1"}', { password: 'pa"ss\\word1' })).toBe('json {"password":"••••"}');
  });

  it('refuses database passwords too short to mask safely, and allows an empty one', () => {
    const schema = maskablePassword();
    expect(schema.safeParse('').success).toBe(true);
    expect(schema.safeParse(undefined).success).toBe(true);
    expect(schema.safeParse('x'.repeat(MIN_SECRET_LENGTH)).success).toBe(true);
    const short = schema.safeParse('abc');
    expect(short.success).toBe(false);
    expect(short.error?.issues[0]?.message).toMatch(/at least 8 characters/);
  });
});
