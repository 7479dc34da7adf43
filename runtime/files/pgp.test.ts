import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { zipBuffer } from '../../test/support/zip';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPgpKey, FileNeedsKeyError, PgpError, readFileBatches, sniffFile, type FileBatch, type PgpDecrypt, type ReadFileOptions } from './formats';
import { detectPgp } from './pgp';

const run = promisify(execFile);
const PASSPHRASE = 'correct horse battery staple';
const CSV = 'id,name,joined\n1,Ada,2024-01-15\n2,"Bob, Jr.",2024-02-01\n3,Cy,2024-03-09\n';

let dir: string;
let gnupgHome: string;
/** The real gpg's key: armored secret key (passphrase-protected) and its fingerprint. */
let gpgKey: { privateKey: string; publicKey: string; fingerprint: string };
let n = 0;

const gpg = (...args: string[]) => run('gpg', ['--batch', '--yes', '--quiet', '--trust-model', 'always', ...args], { env: { ...process.env, GNUPGHOME: gnupgHome }, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });

async function file(content: string | Buffer, name: string): Promise<string> {
  const path = join(dir, `${++n}-${name}`);
  await writeFile(path, content);
  return path;
}

/** Encrypts a file for the gpg key with the real gpg CLI. */
async function gpgEncrypt(content: string | Buffer, name: string, ...opts: string[]): Promise<string> {
  const plain = await file(content, `plain-${name}`);
  const out = join(dir, `${++n}-${name}`);
  await gpg('--recipient', 'weft-test@example.com', ...opts, '--output', out, '--encrypt', plain);
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-pgp-'));
  gnupgHome = await mkdtemp(join(tmpdir(), 'weft-gnupg-'));
  await gpg('--passphrase', PASSPHRASE, '--quick-gen-key', 'Weft Test <weft-test@example.com>', 'future-default', 'default', 'never');
  const secret = await gpg('--pinentry-mode', 'loopback', '--passphrase', PASSPHRASE, '--armor', '--export-secret-keys', 'weft-test@example.com');
  const pub = await gpg('--armor', '--export', 'weft-test@example.com');
  const listing = (await gpg('--with-colons', '--list-keys', 'weft-test@example.com')).stdout.toString();
  const fingerprint = /^fpr:+([0-9A-F]+):/m.exec(listing)?.[1] ?? '';
  gpgKey = { privateKey: secret.stdout.toString(), publicKey: pub.stdout.toString(), fingerprint };
}, 60_000);

afterAll(async () => {
  await run('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: gnupgHome } }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  await rm(gnupgHome, { recursive: true, force: true });
});

const key = (): PgpDecrypt => ({ privateKey: gpgKey.privateKey, passphrase: PASSPHRASE });
const cols = (...names: string[]) => names.map((name) => ({ name }));

async function readAll(path: string, opts: Partial<ReadFileOptions> & Pick<ReadFileOptions, 'columns'>): Promise<FileBatch[]> {
  const batches: FileBatch[] = [];
  for await (const b of readFileBatches(path, { format: 'csv', compression: 'none', delimiter: ',', hasHeader: true, batchSize: 100, ...opts })) batches.push(b);
  return batches;
}


async function problem(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof PgpError)) throw new Error(`expected a PgpError, got ${String(err)}`);
  return { code: err.code, message: err.message };
}

describe('detectPgp', () => {
  it('tells armored and binary messages from text, gzip and zip', () => {
    expect(detectPgp(Buffer.from('\ufeff\n-----BEGIN PGP MESSAGE-----\n\nhQEMA'))).toBe('armored');
    // Old-format public-key session key packet (gpg), new-format (openpgp.js), passphrase session key.
    expect(detectPgp(Buffer.from([0x85, 0x01, 0x8c, 0x03, 0x4e]))).toBe('binary');
    expect(detectPgp(Buffer.from([0xc1, 0x5e, 0x03, 0x4e]))).toBe('binary');
    expect(detectPgp(Buffer.from([0x8c, 0x0d, 0x04, 0x09]))).toBe('binary');
    expect(detectPgp(Buffer.from('id,name\n'))).toBeNull();
    expect(detectPgp(Buffer.from([0x1f, 0x8b, 0x08, 0x00]))).toBeNull();
    expect(detectPgp(Buffer.from('PK\x03\x04'))).toBeNull();
    expect(detectPgp(Buffer.from('\xef\xbb\xbfname\n', 'latin1'))).toBeNull();
    // A literal-data packet (signed or plain OpenPGP, not encrypted) is not taken for an encrypted file.
    expect(detectPgp(Buffer.from([0xcb, 0x0c, 0x62]))).toBeNull();
  });
});

describe('files encrypted by the gpg CLI', () => {
  it('sniffs and reads binary, armored and gpg-compressed messages', async () => {
    const variants = [
      await gpgEncrypt(CSV, 'people.csv.gpg', '--compress-algo', 'none'),
      await gpgEncrypt(CSV, 'people.csv.asc', '--armor'),
      await gpgEncrypt(CSV, 'people.csv.gpg', '--compress-algo', 'zlib', '-z', '9'),
    ];
    for (const path of variants) {
      const s = await sniffFile(path, path.replace(/^.*\d-/, ''), { decrypt: key() });
      expect(s).toMatchObject({ format: 'csv', compression: 'none', encrypted: true, delimiter: ',', hasHeader: true });
      expect(s.columns).toEqual([
        { name: 'id', type: 'number' },
        { name: 'name', type: 'text' },
        { name: 'joined', type: 'date' },
      ]);
      const [b] = await readAll(path, { columns: s.columns, decrypt: key() });
      expect(b?.rows).toEqual([
        { id: '1', name: 'Ada', joined: '2024-01-15' },
        { id: '2', name: 'Bob, Jr.', joined: '2024-02-01' },
        { id: '3', name: 'Cy', joined: '2024-03-09' },
      ]);
    }
  });

  it('decrypts, then gunzips, then tells the format: a .csv.gz.gpg and a .json.pgp', async () => {
    const gz = await gpgEncrypt(gzipSync(CSV), 'people.csv.gz.gpg');
    expect(await sniffFile(gz, 'people.csv.gz.gpg', { decrypt: key() })).toMatchObject({ format: 'csv', compression: 'gzip', encrypted: true });
    const resumed = await readAll(gz, { compression: 'gzip', columns: cols('id', 'name', 'joined'), startRow: 2, decrypt: key() });
    expect(resumed.flatMap((b) => b.rows.map((r) => r.name))).toEqual(['Cy']);
    const json = await gpgEncrypt(JSON.stringify({ data: [{ id: 1, tags: ['a'] }] }), 'export.json.pgp', '--armor');
    const s = await sniffFile(json, 'export.json.pgp', { decrypt: key() });
    expect(s).toMatchObject({ format: 'json', compression: 'none', encrypted: true, recordsPath: 'data' });
    const [b] = await readAll(json, { format: 'json', recordsPath: 'data', columns: s.columns, decrypt: key() });
    expect(b?.rows).toEqual([{ id: '1', tags: '["a"]' }]);
  });

  it('asks for a key when none is given, with an error the caller can tell apart', async () => {
    const path = await gpgEncrypt(CSV, 'people.csv.gpg');
    await expect(sniffFile(path, 'people.csv.gpg')).rejects.toBeInstanceOf(FileNeedsKeyError);
    await expect(readAll(path, { columns: cols('id') })).rejects.toThrow('This file is PGP-encrypted; choose a Files connection that holds its private key');
    // A plain file with a key given is read as it is.
    const plain = await file(CSV, 'plain.csv');
    expect(await sniffFile(plain, 'plain.csv', { decrypt: key() })).toMatchObject({ encrypted: false, format: 'csv' });
  });

  it('names a wrong passphrase, a missing one, a public key, a non-key and a key the file was not encrypted for', async () => {
    const path = await gpgEncrypt(CSV, 'people.csv.gpg');
    expect(await problem(sniffFile(path, 'people.csv.gpg', { decrypt: { privateKey: gpgKey.privateKey, passphrase: 'nope' } }))).toEqual({
      code: 'wrong_passphrase',
      message: 'The passphrase does not unlock this private key. Check the passphrase.',
    });
    expect((await problem(readAll(path, { columns: cols('id'), decrypt: { privateKey: gpgKey.privateKey } }))).code).toBe('needs_passphrase');
    expect((await problem(sniffFile(path, 'people.csv.gpg', { decrypt: { privateKey: gpgKey.publicKey } }))).message).toMatch(/^This is a public key\. Decrypting needs the private key/);
    expect((await problem(sniffFile(path, 'people.csv.gpg', { decrypt: { privateKey: 'hunter2' } }))).code).toBe('not_a_key');
    const other = await openpgp.generateKey({ userIDs: [{ email: 'other@example.com' }], format: 'armored' });
    expect(await problem(readAll(path, { columns: cols('id'), decrypt: { privateKey: other.privateKey } }))).toEqual({
      code: 'wrong_key',
      message: 'This file was not encrypted for the private key of the chosen connection. Choose the connection whose key the sender encrypted to, or ask them to encrypt it for your public key.',
    });
  });

  it('refuses a changed or cut message before yielding a single row', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `${i + 1},Person ${i},2024-01-01`).join('\n');
    const path = await gpgEncrypt(`id,name,joined\n${rows}\n`, 'big.csv.gpg', '--compress-algo', 'none');
    const bytes = await readFile(path);
    const flipped = Buffer.from(bytes);
    const at = Math.floor(bytes.length * 0.7);
    flipped[at] = (flipped[at] ?? 0) ^ 0x01;
    const cut = bytes.subarray(0, bytes.length - 40);
    for (const damaged of [await file(flipped, 'flipped.csv.gpg'), await file(cut, 'cut.csv.gpg')]) {
      let yielded = 0;
      const p = (async () => {
        for await (const b of readFileBatches(damaged, { format: 'csv', compression: 'none', delimiter: ',', hasHeader: true, columns: cols('id', 'name', 'joined'), batchSize: 10, decrypt: key() })) yielded += b.rows.length;
      })();
      const err = await problem(p);
      expect(err.code).toBe('damaged');
      expect(err.message).toMatch(/^This encrypted file is damaged or was changed after it was encrypted \(.+\)\. Ask the sender for a fresh copy\.$/);
      expect(yielded).toBe(0);
      expect((await problem(sniffFile(damaged, 'x.csv.gpg', { decrypt: key() }))).code).toBe('damaged');
    }
  });

  it('reads an encrypted workbook and an encrypted zip from a private copy that is removed afterwards', async () => {
    const decryptedCopies = async () => (await readdir(tmpdir())).filter((f) => f.startsWith('weft-decrypted-')).sort();
    const earlier = await decryptedCopies();
    const workbook = await readFile(join(__dirname, '../../test/fixtures/files/workbook.xlsx'));
    const path = await gpgEncrypt(workbook, 'book.xlsx.gpg');
    const s = await sniffFile(path, 'book.xlsx.gpg', { decrypt: key(), sheet: 'Orders' });
    expect(s).toMatchObject({ format: 'excel', compression: 'none', encrypted: true, sheet: 'Orders', hasHeader: false });
    const modes: string[] = [];
    const rows: unknown[] = [];
    for await (const b of readFileBatches(path, { ...s, columns: cols('order', 'amount'), batchSize: 1, decrypt: key() })) {
      rows.push(...b.rows);
      for (const d of (await decryptedCopies()).filter((f) => !earlier.includes(f))) {
        const folder = join(tmpdir(), d);
        modes.push(`${((await stat(folder)).mode & 0o777).toString(8)} ${((await stat(join(folder, 'plain'))).mode & 0o777).toString(8)}`);
      }
    }
    expect(rows).toEqual([
      { order: 1001, amount: 19.99 },
      { order: 1002, amount: 5 },
    ]);
    expect(modes).toEqual(['700 600', '700 600']);
    const zipped = await gpgEncrypt(zipBuffer({ 'people.csv': CSV }, { method: 'store' }), 'bundle.zip.gpg', '--armor');
    const z = await sniffFile(zipped, 'bundle.zip.gpg', { decrypt: key() });
    expect(z).toMatchObject({ format: 'csv', compression: 'zip', zipEntry: 'people.csv', encrypted: true });
    const [b] = await readAll(zipped, { compression: 'zip', columns: z.columns, decrypt: key() });
    expect(b?.rows.map((r) => r.name)).toEqual(['Ada', 'Bob, Jr.', 'Cy']);
    expect(await decryptedCopies()).toEqual(earlier);
  });
});

describe('files encrypted by openpgp.js', () => {
  it('reads messages for an unprotected v4 key and a v6 key with AEAD (SEIPDv2)', async () => {
    for (const config of [{}, { v6Keys: true, aeadProtect: true }]) {
      const k = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ email: 'js@example.com' }], format: 'armored', config });
      const encrypted = await openpgp.encrypt({
        message: await openpgp.createMessage({ binary: new TextEncoder().encode(CSV) }),
        encryptionKeys: await openpgp.readKey({ armoredKey: k.publicKey }),
        format: 'binary',
      });
      const path = await file(Buffer.from(encrypted), 'people.csv.pgp');
      const s = await sniffFile(path, 'people.csv.pgp', { decrypt: { privateKey: k.privateKey } });
      expect(s).toMatchObject({ format: 'csv', encrypted: true });
      const [b] = await readAll(path, { columns: s.columns, decrypt: { privateKey: k.privateKey } });
      expect(b?.rows.map((r) => r.name)).toEqual(['Ada', 'Bob, Jr.', 'Cy']);
    }
  });
});

describe('checkPgpKey', () => {
  it('accepts the gpg secret key with its passphrase and says which key it is', async () => {
    expect(await checkPgpKey(key())).toEqual({ fingerprint: gpgKey.fingerprint, userIds: ['Weft Test <weft-test@example.com>'] });
    expect(gpgKey.fingerprint).toMatch(/^[0-9A-F]{40}$/);
  });

  it('refuses what cannot decrypt anything, each with its own reason', async () => {
    expect((await problem(checkPgpKey({ privateKey: gpgKey.privateKey, passphrase: 'wrong' }))).code).toBe('wrong_passphrase');
    expect((await problem(checkPgpKey({ privateKey: gpgKey.privateKey }))).message).toBe('This private key is protected by a passphrase. Enter the passphrase too.');
    expect((await problem(checkPgpKey({ privateKey: gpgKey.publicKey }))).code).toBe('not_private');
    expect((await problem(checkPgpKey({ privateKey: '' }))).message).toMatch(/^No private key was given/);
    const mangled = gpgKey.privateKey.replace(/\n([A-Za-z0-9+/]{20})/, '\n!!!!');
    expect((await problem(checkPgpKey({ privateKey: mangled }))).code).toBe('not_a_key');
  });
});

describe('memory', () => {
  it('decrypts and reads a ~40 MB encrypted CSV without the heap growing with the file', { timeout: 180_000 }, async () => {
    const plain = join(dir, 'big.csv');
    const out = createWriteStream(plain);
    const filler = 'z'.repeat(250);
    const count = 150_000;
    let bytes = 0;
    out.write('id,name,note\n');
    for (let i = 1; i <= count; i++) {
      const line = `${i},Person ${i},${filler}\n`;
      bytes += line.length;
      if (!out.write(line)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    expect(bytes).toBeGreaterThan(38 * 1024 * 1024);
    const path = join(dir, 'big.csv.gpg');
    await gpg('--recipient', 'weft-test@example.com', '--compress-algo', 'zlib', '-z', '1', '--output', path, '--encrypt', plain);
    await copyFile(path, `${path}.copy`);

    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    let retained = 0;
    let rows = 0;
    let batches = 0;
    for await (const b of readFileBatches(`${path}.copy`, { format: 'csv', compression: 'none', delimiter: ',', hasHeader: true, columns: cols('id', 'name', 'note'), batchSize: 5000, decrypt: key() })) {
      rows += b.rows.length;
      if (++batches % 5 === 0) {
        gc();
        retained = Math.max(retained, process.memoryUsage().heapUsed - before);
      }
    }
    expect(rows).toBe(count);
    // Buffering the message (openpgp's default) or the rows would keep at least the file's ~40 MB.
    expect(retained).toBeLessThan(16 * 1024 * 1024);
  });
});
