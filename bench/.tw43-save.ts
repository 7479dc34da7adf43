import pg from 'pg';
import { openStore } from '/work/wt/twoway14c/runtime/store';
const name = 'weft_tw43_save';
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${name}`);
await admin.query(`CREATE DATABASE ${name}`);
const store = await openStore({ dataDir: '', databaseUrl: `postgres://postgres@127.0.0.1:5432/${name}` });
const scope = { integrationId: 'bench', nodeId: 'tw' };
const h = { id: 'xxxxxxxxxxxxxxxxxxxxxx', email: 'xxxxxxxxxxxxxxxxxxxxxx', name: 'xxxxxxxxxxxxxxxxxxxxxx', city: 'xxxxxxxxxxxxxxxxxxxxxx', amount: 'xxxxxxxxxxxxxxxxxxxxxx' };
for (let p = 0; p < Number(process.argv[2] ?? 10); p++) {
  const pairs = Array.from({ length: 5000 }, (_, i) => ({ idA: `[${p * 5000 + i}]`, idB: `[${p * 5000 + i}]`, hashA: h, hashB: h }));
  const t = performance.now();
  await store.twoWay.savePairs(scope, pairs);
  console.log(p, (performance.now() - t).toFixed(0), 'ms');
}
await store.close();
