// `npm run store:template`: the data folder PGlite's initdb makes, dumped for the installed PGlite version
// (see pglite-template.ts). Run it after upgrading @electric-sql/pglite, and commit the new file.
import { writeFile } from 'node:fs/promises';
import { templatePath } from './pglite-template';

const { PGlite } = await import('@electric-sql/pglite');
const db = await PGlite.create();
const dump = await db.dumpDataDir('gzip');
await db.close();
const path = templatePath();
await writeFile(path, Buffer.from(await dump.arrayBuffer()));
console.log(`[store] wrote ${path} (${(dump.size / 1048576).toFixed(1)} MB)`);
