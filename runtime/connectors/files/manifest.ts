// What the Files connector needs: nothing to reach (it reads the files uploaded to Weft), and, to read
// PGP/GPG-encrypted files, an armored private key and its passphrase held as secrets.
import { z } from 'zod';
import type { ConnectorManifest } from '../types';

/** Uploaded files only for now; a remote folder (SFTP, S3) would add its settings here. */
export const FilesConfig = z.object({});
export type FilesConfig = z.infer<typeof FilesConfig>;

export const FilesSecrets = z.object({
  pgpPrivateKey: z
    .string()
    .max(100_000, 'The key is longer than any PGP private key')
    .refine((k) => k.trim() === '' || k.includes('-----BEGIN PGP PRIVATE KEY BLOCK-----'), 'Paste the armored private key, starting with -----BEGIN PGP PRIVATE KEY BLOCK-----')
    .optional()
    .meta({ title: 'PGP private key', description: 'Armored (-----BEGIN PGP PRIVATE KEY BLOCK----- …), to decrypt files encrypted for it', multiline: true }),
  pgpPassphrase: z.string().max(1_000).optional().meta({ title: 'Key passphrase', description: 'Only if the private key is protected by one' }),
});
export type FilesSecrets = z.infer<typeof FilesSecrets>;

export const filesManifest: ConnectorManifest<FilesConfig, FilesSecrets> = {
  id: 'files',
  name: 'Files',
  icon: 'file',
  description: 'Read uploaded CSV, JSON, NDJSON and Excel files (plain, gzipped, zipped or PGP-encrypted) with an optional formula filter, and append rows to output files.',
  config: FilesConfig,
  secrets: FilesSecrets,
  capabilities: ['read', 'write', 'discover', 'query'],
  writeModes: ['insert'],
  queryLanguage: 'formula',
  builtIn: true,
};
