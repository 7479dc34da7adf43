// Where the secret key comes from: WEFT_SECRET_KEY (base64 or hex), else <dataDir>/secret.key, made once, owner-only.
import { randomBytes } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KEY_BYTES } from './cipher';

/** Reads a 32-byte key written as 64 hex digits or as base64 (44 characters with padding). */
export function parseKey(text: string, source: string): Buffer {
  const t = text.trim();
  let key: Buffer | null = null;
  if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) key = Buffer.from(t, /[-_]/.test(t) ? 'base64url' : 'base64');
  if (!key || key.length !== KEY_BYTES) {
    throw new Error(
      `${source} is not a valid secret key: give ${KEY_BYTES} random bytes as 64 hex digits or as base64 (e.g. \`openssl rand -base64 32\`)`,
    );
  }
  return key;
}

export interface LoadKeyOptions {
  /** WEFT_SECRET_KEY, when set. */
  envKey?: string;
  dataDir: string;
  warn?: (message: string) => void;
}

/** The key and where it came from; creates `<dataDir>/secret.key` (mode 0600) on first start. */
export async function loadSecretKey({ envKey, dataDir, warn = console.warn }: LoadKeyOptions): Promise<{ key: Buffer; source: 'env' | 'file' | 'created' }> {
  if (envKey) return { key: parseKey(envKey, 'WEFT_SECRET_KEY'), source: 'env' };
  const file = join(dataDir, 'secret.key');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const key = randomBytes(KEY_BYTES);
    // 'wx' fails if another process created it meanwhile; then that process's key wins.
    try {
      await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      return { key, source: 'created' };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      text = await readFile(file, 'utf8');
    }
  }
  const mode = (await stat(file)).mode & 0o777;
  if (mode & 0o077) {
    warn(`${file} was readable by others (mode ${mode.toString(8)}); narrowed it to 600 (owner only).`);
    await chmod(file, 0o600);
  }
  return { key: parseKey(text, file), source: 'file' };
}
