// Secrets at rest: AES-256-GCM with a versioned text format, so a key can be rotated later without guessing.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Encrypts and decrypts short strings (a connection's secrets as JSON). */
export interface SecretCipher {
  encrypt(plaintext: string): string;
  /** Throws SecretDecryptError when the text was tampered with or sealed with another key. */
  decrypt(sealed: string): string;
}

export class SecretDecryptError extends Error {
  override readonly name = 'SecretDecryptError';
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

const B64 = '[A-Za-z0-9+/]*={0,2}';
const SEALED = new RegExp(`^${VERSION}:${B64}:${B64}:${B64}$`);

/** Whether a stored text is in the sealed format (not whether it opens): what a migration sealing clear values skips. */
export const looksSealed = (text: string): boolean => SEALED.test(text);

/** `v1:<iv>:<tag>:<data>`, each part base64. */
export function createCipher(key: Buffer): SecretCipher {
  if (key.length !== KEY_BYTES) throw new Error(`The secret key must be ${KEY_BYTES} bytes, got ${key.length}`);
  return {
    encrypt(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
    },
    decrypt(sealed) {
      const parts = sealed.split(':');
      if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretDecryptError('Unknown secret format (expected v1:<iv>:<tag>:<data>)');
      const [, iv, tag, data] = parts.map((p) => Buffer.from(p, 'base64')) as [Buffer, Buffer, Buffer, Buffer];
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretDecryptError('Malformed secret');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
      } catch (err) {
        throw new SecretDecryptError('The secret could not be decrypted: it was altered, or sealed with another key', { cause: err });
      }
    },
  };
}
