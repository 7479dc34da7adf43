// PGP/GPG-encrypted files: told apart by their first bytes, decrypted as a stream with a private key held
// as a secret, and checked for tampering before a single row is believed.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type * as openpgp from 'openpgp';
import { FileLimitError, fileLimits, formatLimit } from './limits';
import { isS3Location, openRange, readBytes, sizeOf } from './storage';

/** openpgp (~10 MB in memory) is loaded when a key or an encrypted file is first met, not when Weft starts. */
const openpgpModule = () => import('openpgp');

/** The key that opens an encrypted file: an armored private key and, if it is protected, its passphrase. */
export interface PgpDecrypt {
  privateKey: string;
  passphrase?: string;
}

/** The file is encrypted and no key was given: the caller should offer a connection that holds one. */
export class FileNeedsKeyError extends Error {
  constructor() {
    super('This file is PGP-encrypted; choose a Files connection that holds its private key');
    this.name = 'FileNeedsKeyError';
  }
}

export type PgpProblem = 'not_a_key' | 'not_private' | 'needs_passphrase' | 'wrong_passphrase' | 'wrong_key' | 'damaged';

/** A key or message problem, with a `code` for callers and a message for the person who chose the key. */
export class PgpError extends Error {
  constructor(
    readonly code: PgpProblem,
    message: string,
  ) {
    super(message);
    this.name = 'PgpError';
  }
}

const ARMOR_START = '-----BEGIN PGP MESSAGE-----';
/** Packet tags that start an encrypted message: a public-key (1) or passphrase (3) encrypted session key. */
const SESSION_KEY_TAGS = new Set([1, 3]);

/**
 * 'armored' for `-----BEGIN PGP MESSAGE-----` text, 'binary' for an OpenPGP packet stream that starts with an
 * encrypted session key, else null. Text files never start with a byte >= 0x80 that is such a packet header.
 */
export function detectPgp(head: Buffer): 'armored' | 'binary' | null {
  const text = head.subarray(0, 256).toString('latin1').replace(/^\ufeff|^\xef\xbb\xbf/, '').trimStart();
  if (text.startsWith(ARMOR_START)) return 'armored';
  const first = head[0];
  if (first === undefined || (first & 0x80) === 0) return null;
  const tag = first & 0x40 ? first & 0x3f : (first >> 2) & 0x0f;
  if (!SESSION_KEY_TAGS.has(tag)) return null;
  // The packet's version byte follows its length: v3/v6 for public-key, v4/v5/v6 for passphrase sessions.
  const lengthBytes = first & 0x40 ? ((head[1] ?? 0) < 192 ? 1 : (head[1] ?? 0) < 224 ? 2 : 5) : [1, 2, 4, 0][first & 0x03] ?? 0;
  const version = head[1 + lengthBytes];
  return version !== undefined && (tag === 1 ? [3, 6] : [4, 5, 6]).includes(version) ? 'binary' : null;
}

/** Whether the file at `path` is a PGP message (armored or binary). */
export async function isPgpFile(path: string): Promise<boolean> {
  return detectPgp(await readBytes(path, 0, 256)) !== null;
}

/**
 * Unlocked keys for a few minutes: one sniff or read opens the file several times, and unlocking a gpg key
 * (its passphrase hashed tens of millions of times) takes ~0.2 s each time. Keyed by a hash, never the key.
 */
const unlocked = new Map<string, { key: Promise<openpgp.PrivateKey>; until: number }>();
const UNLOCKED_FOR_MS = 5 * 60_000;
const MAX_UNLOCKED = 16;

/** Parses the key and unlocks it: it must be a private key, and the passphrase must open it. */
export function unlockKey(decrypt: PgpDecrypt): Promise<openpgp.PrivateKey> {
  const id = createHash('sha256').update(decrypt.privateKey).update('\0').update(decrypt.passphrase ?? '').digest('hex');
  const now = Date.now();
  const hit = unlocked.get(id);
  if (hit && hit.until > now) return hit.key;
  for (const [k, v] of unlocked) if (v.until <= now || unlocked.size >= MAX_UNLOCKED) unlocked.delete(k);
  const key = parseAndUnlock(decrypt);
  unlocked.set(id, { key, until: now + UNLOCKED_FOR_MS });
  // A failure is not remembered: the next try (a corrected passphrase is another id anyway) starts afresh.
  key.catch(() => unlocked.delete(id));
  return key;
}

async function parseAndUnlock({ privateKey, passphrase }: PgpDecrypt): Promise<openpgp.PrivateKey> {
  const armored = privateKey.trim();
  if (armored === '') throw new PgpError('not_a_key', 'No private key was given. Paste the armored private key (it starts with -----BEGIN PGP PRIVATE KEY BLOCK-----).');
  if (armored.startsWith('-----BEGIN PGP PUBLIC KEY BLOCK-----')) {
    throw new PgpError('not_private', 'This is a public key. Decrypting needs the private key: export it with "gpg --armor --export-secret-keys <email>" and paste that.');
  }
  let key: openpgp.Key;
  try {
    key = await (await openpgpModule()).readKey({ armoredKey: armored });
  } catch (err) {
    throw new PgpError('not_a_key', `This is not a PGP private key (${(err as Error).message}). Paste the whole armored block, from -----BEGIN PGP PRIVATE KEY BLOCK----- to -----END PGP PRIVATE KEY BLOCK-----.`);
  }
  if (!key.isPrivate()) {
    throw new PgpError('not_private', 'This is a public key. Decrypting needs the private key: export it with "gpg --armor --export-secret-keys <email>" and paste that.');
  }
  if (key.isDecrypted()) return key;
  if (!passphrase) throw new PgpError('needs_passphrase', 'This private key is protected by a passphrase. Enter the passphrase too.');
  try {
    return await (await openpgpModule()).decryptKey({ privateKey: key, passphrase });
  } catch (err) {
    if (/incorrect key passphrase|passphrase/i.test((err as Error).message)) {
      throw new PgpError('wrong_passphrase', 'The passphrase does not unlock this private key. Check the passphrase.');
    }
    throw new PgpError('not_a_key', `This private key cannot be unlocked (${(err as Error).message}).`);
  }
}

/** For a connection's Test button: parses the key, checks that it is private and that the passphrase unlocks it. */
export async function checkPgpKey(decrypt: PgpDecrypt): Promise<{ fingerprint: string; userIds: string[] }> {
  const key = await unlockKey(decrypt);
  return { fingerprint: key.getFingerprint().toUpperCase(), userIds: key.getUserIDs() };
}

/**
 * The plaintext of an encrypted file as a Node stream. It is released as it is decrypted, before the message's
 * integrity check at its end: callers must have verified the file first (`verifyPgpFile`), so what they read
 * is what was encrypted. A failure mid-way (the file changed since) still errors the stream.
 */
export async function openDecrypted(path: string, decrypt: PgpDecrypt): Promise<Readable> {
  const key = await unlockKey(decrypt);
  return decryptStream(path, key);
}

async function decryptStream(path: string, key: openpgp.PrivateKey): Promise<Readable> {
  const kind = await kindOf(path);
  const raw = Readable.toWeb(await openRange(path)) as unknown as WebReadableStream<Uint8Array>;
  let message: openpgp.Message<openpgp.WebStream<Uint8Array>>;
  try {
    message =
      kind === 'armored'
        ? await (await openpgpModule()).readMessage({ armoredMessage: textStream(raw) as unknown as openpgp.WebStream<string> })
        : await (await openpgpModule()).readMessage({ binaryMessage: raw as unknown as openpgp.WebStream<Uint8Array> });
  } catch (err) {
    throw damaged(err);
  }
  let data: openpgp.WebStream<Uint8Array>;
  try {
    ({ data } = await (await openpgpModule()).decrypt({ message, decryptionKeys: key, format: 'binary', config: { allowUnauthenticatedStream: true } }));
  } catch (err) {
    throw decryptError(err);
  }
  const out = Readable.fromWeb(data as unknown as WebReadableStream<Uint8Array>);
  // Errors surface while reading (a tampered end): give them the same plain wording.
  async function* plaintext(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of out as AsyncIterable<Uint8Array>) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    } catch (err) {
      throw decryptError(err);
    } finally {
      out.destroy();
    }
  }
  return Readable.from(plaintext(), { objectMode: false });
}

async function kindOf(path: string): Promise<'armored' | 'binary'> {
  const kind = detectPgp(await readBytes(path, 0, 256));
  if (!kind) throw new PgpError('damaged', 'This file is not a PGP-encrypted message.');
  return kind;
}

function textStream(bytes: WebReadableStream<Uint8Array>): WebReadableStream<string> {
  return bytes.pipeThrough(new TextDecoderStream() as never) as WebReadableStream<string>;
}

function damaged(err: unknown): PgpError {
  if (err instanceof PgpError) return err;
  return new PgpError('damaged', `This encrypted file is damaged or was changed after it was encrypted (${messageOf(err)}). Ask the sender for a fresh copy.`);
}

function decryptError(err: unknown): PgpError {
  if (err instanceof PgpError) return err;
  const msg = messageOf(err);
  if (/session key decryption failed|no (decryption )?key packets? found|decryption key|key id/i.test(msg)) {
    return new PgpError('wrong_key', 'This file was not encrypted for the private key of the chosen connection. Choose the connection whose key the sender encrypted to, or ask them to encrypt it for your public key.');
  }
  return damaged(err);
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).replace(/^Error decrypting message: /, '');

/** Files already read to the end without a problem, by path, size, modification time and key. */
const verified = new Set<string>();
const MAX_REMEMBERED = 1000;

/**
 * Decrypts the whole file and throws the plaintext away, so the integrity check at its end (MDC or AEAD tag)
 * has run before anything is read for real. Memory stays flat; the cost is one extra decryption, skipped when
 * this process has already verified the same file (same size and modification time) with the same key.
 */
export async function verifyPgpFile(path: string, decrypt: PgpDecrypt): Promise<void> {
  const key = await unlockKey(decrypt);
  // A stored object is never changed in place (each upload has its own key): its size tells versions apart.
  const info = isS3Location(path) ? { size: await sizeOf(path), mtimeMs: 0 } : await stat(path);
  const id = `${path}\0${info.size}\0${info.mtimeMs}\0${key.getFingerprint()}`;
  if (verified.has(id)) return;
  const stream = await decryptStream(path, key);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) void chunk;
  } finally {
    stream.destroy();
  }
  if (verified.size >= MAX_REMEMBERED) verified.clear();
  verified.add(id);
}

/**
 * Decrypts the whole file to a private temporary copy (a 0700 folder, a 0600 file) for formats that must seek,
 * a zip or an Excel workbook. The integrity check at the message's end runs before the copy is handed out;
 * `remove` deletes it, and a failed decryption leaves nothing behind.
 */
export async function decryptToTempFile(path: string, decrypt: PgpDecrypt): Promise<{ path: string; remove: () => Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), 'weft-decrypted-'));
  const remove = () => rm(folder, { recursive: true, force: true });
  const copy = join(folder, 'plain');
  // A message's compressed packet may inflate without end, a bomb aimed at the disk (probe16b): the copy stops at an
  // absolute size. Not a ratio to the message: a stored zip of a sparse export is legitimately 40 times its
  // zlib-compressed message (probe16c).
  const { maxDecryptedBytes } = fileLimits();
  let written = 0;
  const bounded = new Transform({
    transform(chunk: Buffer, _enc, done) {
      written += chunk.length;
      if (written > maxDecryptedBytes) {
        return done(new FileLimitError(`This encrypted file decrypts to more than ${formatLimit(maxDecryptedBytes)}, the most a decrypted zip or Excel workbook may take on disk (WEFT_FILES_MAX_DECRYPTED_MB). Ask the sender for a smaller file, or raise the setting.`));
      }
      done(null, chunk);
    },
  });
  try {
    await pipeline(await openDecrypted(path, decrypt), bounded, createWriteStream(copy, { mode: 0o600, flags: 'wx' }));
  } catch (err) {
    await remove();
    throw err;
  }
  return { path: copy, remove };
}
