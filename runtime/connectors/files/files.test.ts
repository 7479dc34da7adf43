// The Files connector through the shared contract suite, once per format: the same rows written as CSV,
// gzipped CSV, CSV in a zip, JSON, NDJSON, an Excel sheet and PGP-encrypted CSV must read back alike.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { runContractSuite } from '../contract-suite';
import { openStore } from '../../store';
import type { Store } from '../../store/types';
import type { Connector } from '../types';
import { filesConnector, type FilesConfig, type FilesSecrets } from '.';
import { APPENDABLE, FIXTURE_FORMATS, fileFixture } from './fixtures';

/**
 * Zip, Excel and PGP files cannot be appended to (rows go to plain output files instead), so for those formats
 * the suite runs the connector as a reader: its write cases are listed as skipped. Writing is covered by the
 * plain, gzipped, JSON and NDJSON runs and by files-connector.test.ts.
 */
const asReader = (c: Connector<FilesConfig, FilesSecrets>): Connector<FilesConfig, FilesSecrets> => ({
  ...c,
  manifest: { ...c.manifest, capabilities: c.manifest.capabilities.filter((x) => x !== 'write'), writeModes: undefined },
});

for (const format of FIXTURE_FORMATS) {
  let dir: string;
  let store: Store;
  runContractSuite<FilesConfig, FilesSecrets>({
    name: `Files (${format})`,
    connector: APPENDABLE.includes(format) ? filesConnector : asReader(filesConnector),
    async setup() {
      dir = await mkdtemp(join(tmpdir(), `weft-files-ct-${format.replace('.', '-')}-`));
      store = await openStore({ dataDir: dir, memory: true });
      await store.migrate();
      const filesDir = join(dir, 'files');
      await (await import('node:fs/promises')).mkdir(filesDir, { recursive: true });
      let secrets: FilesSecrets = {};
      let publicKey: string | undefined;
      if (format === 'pgp') {
        const key = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'Contract', email: 'contract@weft.local' }], passphrase: 'open sesame', format: 'armored' });
        secrets = { pgpPrivateKey: key.privateKey, pgpPassphrase: 'open sesame' };
        publicKey = key.publicKey;
      }
      return { config: {}, secrets, context: { store, filesDir }, fixture: fileFixture({ format, store, filesDir, ...(publicKey ? { publicKey } : {}) }) };
    },
    async teardown() {
      await store?.close();
      await rm(dir, { recursive: true, force: true });
    },
  });
}
