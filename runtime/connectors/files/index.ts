// The Files connector: Weft's uploaded files as objects (by file id), read with their stored format settings
// (or a node's), decrypted with the session's PGP key, filtered by a Weft formula; rows appended to output files.
// Built in: usable without a saved connection; a Files connection exists only to hold a PGP key.
import { checkPgpKey } from '../../files/pgp';
import { LocalFileStorage, sizeOf, type FileStorage } from '../../files/storage';
import type { Store } from '../../store/types';
import { ConnectorError, defineConnector, type ConnectorSession, type DiscoveredObject } from '../types';
import { fileProblem } from './errors';
import { filesManifest, type FilesSecrets } from './manifest';
import { readStoredFile } from './read';
import { appendRows, outputFileId } from './write';

/**
 * What a Files session needs. Reading needs only `getFile` (the file source executor has no more); discovering
 * needs `listFiles`, writing `saveFile` and `filesDir`, testing `filesDir`.
 */
export interface FilesSessionContext {
  store: Pick<Store, 'getFile'> & Partial<Pick<Store, 'listFiles' | 'saveFile'>>;
  filesDir?: string;
  /** Where uploads are stored (a bucket or a folder); absent: the folder `filesDir`. What Test checks. */
  files?: FileStorage;
}

export function openFilesSession(secrets: FilesSecrets, context: FilesSessionContext): ConnectorSession {
  const { store, filesDir } = context;
  const storage = context.files ?? (filesDir ? new LocalFileStorage(filesDir) : undefined);
  const needs = (what: string): never => {
    throw new ConnectorError('invalid_config', `This Files session cannot ${what}: it was opened for reading only.`);
  };

  async function fileOrMissing(id: string) {
    const file = await store.getFile(id);
    const missing = () => new ConnectorError('not_found', `File "${id}" was not found: it may have been deleted. Upload it again.`);
    if (!file) throw missing();
    // Missing is null; a storage that cannot be reached now is an outage, not a file to upload again.
    const size = await sizeOf(file.path).catch((err: unknown) => {
      throw fileProblem(err, file);
    });
    if (size === null) {
      throw new ConnectorError('not_found', `The file "${file.name}" is missing from the server's file storage (it may have been deleted). Upload it again.`);
    }
    return file;
  }

  return {
    async test() {
      let key: { fingerprint: string; userIds: string[] } | null = null;
      if (secrets.pgpPrivateKey?.trim()) {
        try {
          key = await checkPgpKey({ privateKey: secrets.pgpPrivateKey, ...(secrets.pgpPassphrase ? { passphrase: secrets.pgpPassphrase } : {}) });
        } catch (err) {
          throw fileProblem(err, { name: 'The PGP private key' });
        }
      }
      if (!storage) return needs('be tested');
      try {
        await storage.check();
      } catch (err) {
        throw new ConnectorError('permission', (err as Error).message);
      }
      const where = storage.kind === 's3' ? 'its files bucket' : 'its files folder';
      if (!key) return `Weft can read and write ${where}. No PGP key is set: encrypted files cannot be read with this connection.`;
      const who = key.userIds[0] ? ` (${key.userIds[0]})` : '';
      return `The PGP private key ${key.fingerprint}${who} is unlocked, and Weft can read and write ${where}.`;
    },

    async discover(): Promise<DiscoveredObject[]> {
      const files = store.listFiles ? await store.listFiles() : needs('list files');
      return files.map((f) => ({
        name: f.id,
        label: f.name,
        fields: f.columns.map((c) => ({ name: c.name, type: c.type, nativeType: `${f.format} ${c.type}`, nullable: true })),
        primaryKey: [],
        cursorFields: [],
      }));
    },

    async *read(object, options) {
      const file = await fileOrMissing(object);
      yield* readStoredFile(file, secrets, options);
    },

    async write(object, rows, options) {
      if (!store.saveFile || !filesDir) return needs('write files');
      // An uploaded file by id, or an output file by name (the same name appends to the same file).
      const existing = (await store.getFile(object)) ?? (await store.getFile(outputFileId(object)));
      const { file, results } = await appendRows({ existing, name: object }, rows, options, filesDir);
      await store.saveFile(file);
      return results;
    },

    async close() {},
  };
}

export const filesConnector = defineConnector({
  manifest: filesManifest,
  async open(_config, secrets, context) {
    if (!context) throw new ConnectorError('invalid_config', "The Files connector reads Weft's own uploaded files: it needs the server's store and files folder, and none were given.");
    return openFilesSession(secrets, context);
  },
});

export { FilesConfig, FilesSecrets, filesManifest } from './manifest';
export { FileCursor } from './read';
export { FileReadSettings } from './settings';
export { outputFileId, outputFormatOf } from './write';
